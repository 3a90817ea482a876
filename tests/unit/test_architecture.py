"""The seams the architecture stands on, checked in the source: nothing but the update
processor and a job's tick ends a transaction, every outbox key is made in
bot/services/keys.py, only the outbox touches outbox rows, notices are typed, and no
handler or service decides a permission by itself (bot/services/policy.py does). The layers
themselves are import-linter's contracts (pyproject.toml), run by `make test`."""

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
    "doc:",
    "proposal:",
    "answer:",
    "error:",
)
# The families whose work starts messages: none of them may queue or read outbox rows.
STARTERS = ("services", "jobs", "handlers", "pipeline", "operations")


def _sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (BOT / folder).rglob("*.py"))


def _names(path: Path) -> set[str]:
    """Every name a module uses (attributes and plain names alike)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[-1])
    return found


def test_no_service_commits_or_rolls_back() -> None:
    """The update processor or the job's tick commits, once; a service only flushes (a dry
    run undoes its savepoint, named `trial`)."""
    found = []
    for path in _sources("services", "jobs", "handlers"):
        if path.relative_to(BOT).parts[0] == "jobs" and path.name == "__init__.py":
            continue  # the tick records its jobs' runs in a session of its own
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
        if path.relative_to(BOT).as_posix() == "services/keys.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.startswith(KEY_PREFIXES):
                found.append(f"{path.relative_to(BOT)}:{node.lineno} {text!r}")
    assert found == []


def test_one_routing_table_for_buttons_commands_and_menus() -> None:
    from bot import callbacks, routes
    from bot.pipeline.menus import Menus
    from db.models import Role

    menus = Menus(routes.COMMANDS)

    # every button routed has a declared shape, and every shape is of a routed button
    assert {button.data.action for button in routes.BUTTONS} == set(callbacks.ACTIONS)
    names = [command.name for command in routes.COMMANDS]
    assert len(names) == len(set(names))
    # the menus come from the same table, by permission
    member = [c.name for c in menus.for_roles(frozenset({Role.MEMBER}))]
    assert member == [
        "start",
        "lich",
        "vang",
        "baocao",
        "lichsu",
        "tailieu",
        "xembaocao",
        "ngonngu",
        "help",
    ]
    leader = [c.name for c in menus.for_roles(frozenset({Role.LEADER}))]
    assert leader == [*member, "kiennghi", "tonghop"]
    office = {c.name for c in menus.for_roles(frozenset({Role.ADMIN}))}
    assert office == set(names) - {"xungdot"}  # an earlier name, understood, never shown
    assert [c.name for c in menus.in_groups()] == ["help"]


def test_only_the_outbox_touches_outbox_rows() -> None:
    """Services, jobs, handlers, the update pipeline and operations return notices (or ask
    for a withdrawal); bot/outbox alone reads and writes the rows (the operator's status
    asks it for a summary)."""
    found = [
        str(path.relative_to(BOT))
        for path in _sources(*STARTERS)
        if {"OutboxMessage", "enqueue", "enqueue_file"} & _names(path)
    ]
    assert found == []


def test_notices_are_typed() -> None:
    """One frozen dataclass per kind of notice, with named fields: nothing is Any."""
    from dataclasses import fields, is_dataclass

    from bot.render.notices import letter
    from bot.services import notices

    kinds = [
        value
        for value in vars(notices).values()
        if isinstance(value, type) and issubclass(value, notices.Notice) and is_dataclass(value)
    ]
    assert len(kinds) >= 25
    for kind in kinds:
        assert kind.__dataclass_params__.frozen, kind  # type: ignore[attr-defined]
        for field in fields(kind):
            assert "Any" not in str(field.type), (kind.__name__, field.name)
    concrete = [k for k in kinds if k not in (notices.Notice, notices.ProposalNotice)]
    assert all(k in letter.registry for k in concrete), [
        k.__name__ for k in concrete if k not in letter.registry
    ]


def test_no_handler_or_service_decides_a_permission() -> None:
    """Permissions are asked of the policy: no service takes an is_admin or triages flag,
    and no handler asks an actor what it may do."""
    flags = [
        f"{path.relative_to(BOT)}:{node.lineno}"
        for path in _sources("services")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.arg) and node.arg in ("is_admin", "triages")
    ]
    assert flags == []
    asked = [
        f"{path.relative_to(BOT)}:{node.lineno}"
        for path in _sources("handlers")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("may", "permissions", "has")
    ]
    assert asked == []


def test_jobs_deliver_what_their_services_say_is_due() -> None:
    """A job is due() -> deliver -> finish: it renders nothing and queues nothing itself."""
    for path in _sources("jobs"):
        imported = {
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not {m for m in imported if m.startswith(("bot.render", "bot.outbox.queue"))}, path


def test_messages_the_bot_starts_are_made_in_one_place() -> None:
    """Services return notices; handlers hand them to bot/notify.deliver; neither queues a
    message itself, and services know nothing of rendering or of the outbox."""
    found = []
    for folder in ("handlers", "services"):
        for path in sorted((BOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            forbidden: tuple[str, ...] = ("bot.outbox.queue", "bot.outbox.sender")
            if folder == "services":
                forbidden += ("bot.render", "bot.outbox")
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
