"""Callback data: short, versioned, never trusted. "1:action:part:part"; at most 64 bytes.

Handlers match on the action; the parts are ids and choices that services re-check against
the database before doing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
LIMIT = 64
_PART = re.compile(r"^[A-Za-z0-9_\-]{1,24}$")

# What each action's parts are, in order: INT (an id, a revision, a number), TEXT (a word
# the service checks), or the set of choices its buttons carry. A press whose data does not
# have exactly this shape is stale or forged, and is refused before any handler runs.
INT = "int"
TEXT = "text"
YES_NO = frozenset({"y", "n"})
OK_NO = frozenset({"ok", "no"})
SHAPES: dict[str, tuple[str | frozenset[str], ...]] = {
    # meetings
    "rsvp": (INT, INT, YES_NO),
    "why": (INT, INT, frozenset({"trip", "ill", "family", "other", "absence"})),
    "mv": (INT, INT),
    "mvok": (INT, INT, YES_NO),
    "cx": (INT, INT),
    "cxok": (INT, INT, YES_NO),
    "si": (INT, INT, INT, INT),
    "sia": (INT, INT, YES_NO),
    # reports
    "rq": (INT, frozenset({"now", "later", "no"})),
    "rs": (INT,),
    "rob": (INT,),
    "ra": (INT, INT, TEXT),
    "rbk": (INT, INT),
    "rx": (INT, INT),
    "re": (INT, INT, TEXT),
    "rsend": (INT, INT),
    # the office and the group
    "ri": (INT, INT, OK_NO),
    "grp": (INT, OK_NO),
    "dgp": (INT, TEXT, INT),
}


@dataclass(frozen=True)
class Callback:
    action: str
    parts: tuple[str, ...]

    def int_part(self, index: int) -> int | None:
        try:
            return int(self.parts[index])
        except (IndexError, ValueError):
            return None

    def part(self, index: int) -> str:
        """A part as text, or "" if the data has no such part (a forged or broken button)."""
        try:
            return self.parts[index]
        except IndexError:
            return ""

    @property
    def choice(self) -> str:
        """The last part: the answer a button carries ("y", "ok"...), or "" if none."""
        return self.part(-1)


def pack(action: str, *parts: object) -> str:
    data = ":".join([VERSION, action, *(str(part) for part in parts)])
    if len(data.encode()) > LIMIT or not all(_PART.match(str(p)) for p in (action, *parts)):
        raise ValueError(f"callback data {data!r} is not short and plain")
    if not _fits(action, tuple(str(part) for part in parts)):
        raise ValueError(f"callback data {data!r} does not have the shape of {action!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """The callback, or None if it is not ours, of an older version (a stale button), or not
    of its action's shape (a broken or forged one)."""
    if not data:
        return None
    pieces = data.split(":")
    if len(pieces) < 2 or pieces[0] != VERSION:
        return None
    if not all(_PART.match(piece) for piece in pieces[1:]):
        return None
    action, parts = pieces[1], tuple(pieces[2:])
    if not _fits(action, parts):
        return None
    return Callback(action, parts)


def _fits(action: str, parts: tuple[str, ...]) -> bool:
    shape = SHAPES.get(action)
    if shape is None or len(parts) != len(shape):
        return False
    for part, kind in zip(parts, shape, strict=True):
        if kind == INT:
            if not part.lstrip("-").isdigit() or len(part) > 12:
                return False
        elif isinstance(kind, frozenset) and part not in kind:
            return False
    return True


def pattern(action: str) -> str:
    """A regex for CallbackQueryHandler that matches this action of the current version."""
    return rf"^{VERSION}:{re.escape(action)}(:|$)"
