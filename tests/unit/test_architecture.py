"""The seams the architecture stands on, checked in the source: services never end a
transaction, and every outbox key is made in bot/outbox_keys.py."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
KEY_PREFIXES = (
    "remind:",
    "report:",
    "absent:",
    "standin:",
    "standin-answer:",
    "urgent:",
    "digest:",
    "group:",
    "moved:",
    "cancelled:",
)


def test_no_service_commits_or_rolls_back() -> None:
    """The update processor or the job's tick commits, once; a service only flushes (a dry
    run undoes its savepoint, named `trial`)."""
    found = []
    for path in sorted((BOT / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "trial")
            ):
                found.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    assert found == []


def test_outbox_keys_are_made_in_one_module() -> None:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "outbox_keys.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.startswith(KEY_PREFIXES):
                found.append(f"{path.relative_to(BOT)}:{node.lineno} {text!r}")
    assert found == []


def test_one_routing_table_for_buttons_commands_and_menus() -> None:
    from bot import callbacks, routes
    from bot.policy import Permission, permits
    from db.models import Role

    # every button routed has a declared shape, and every shape is of a routed button
    assert {button.data.action for button in routes.BUTTONS} == set(callbacks.ACTIONS)
    names = [command.name for command in routes.COMMANDS]
    assert len(names) == len(set(names))
    # the menus come from the same table, by permission
    member = [c.name for c in routes.menu_for(frozenset({Role.MEMBER}))]
    assert member == ["start", "lich", "vang", "baocao", "lichsu", "tailieu", "help"]
    leader = [c.name for c in routes.menu_for(frozenset({Role.LEADER}))]
    assert leader == [*member, "xembaocao", "kiennghi", "tonghop"]
    office = {c.name for c in routes.menu_for(frozenset({Role.ADMIN}))}
    assert office == set(names)
    assert [c.name for c in routes.GROUP_MENU] == ["help"]
    # a stranger may only start; a member holds nothing of the office's
    assert permits(frozenset(), False, Permission.ANYONE)
    assert not permits(frozenset(), False, Permission.KNOWN)
    assert not permits(frozenset({Role.MEMBER}), True, Permission.LEADERSHIP)
    assert permits(frozenset({Role.ADMIN}), True, Permission.LEADERSHIP)


def test_messages_the_bot_starts_are_made_in_one_place() -> None:
    """Services return notices; handlers hand them to bot/notify.deliver; neither queues a
    message itself, and services know nothing of rendering or of the outbox."""
    found = []
    for folder in ("handlers", "services"):
        for path in sorted((BOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            forbidden = ("bot.outbox",)
            if folder == "services":
                forbidden += ("bot.render", "bot.notify")
            for node in ast.walk(tree):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if module and any(module == f or module.startswith(f + ".") for f in forbidden):
                    found.append(f"{path.relative_to(BOT)} imports {module}")
    assert found == []


def test_no_text_is_translated_inside_an_f_string() -> None:
    """The catalog tools do not see a gettext call inside an f-string: its text would reach
    Vietnamese readers in English. Texts are looked up first, then put together."""
    found = []
    for path in sorted(BOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute | ast.Name)
                    and getattr(inner.func, "attr", getattr(inner.func, "id", "")) in GETTEXTS
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    found.append(f"{path.relative_to(BOT)}:{inner.lineno}")
    assert found == []


GETTEXTS = {"gettext", "ngettext", "_", "N_"}
