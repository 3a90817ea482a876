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
    return data


def parse(data: str | None) -> Callback | None:
    """The callback, or None if it is not ours or of an older version (a stale button)."""
    if not data:
        return None
    pieces = data.split(":")
    if len(pieces) < 2 or pieces[0] != VERSION:
        return None
    if not all(_PART.match(piece) for piece in pieces[1:]):
        return None
    return Callback(pieces[1], tuple(pieces[2:]))


def pattern(action: str) -> str:
    """A regex for CallbackQueryHandler that matches this action of the current version."""
    return rf"^{VERSION}:{re.escape(action)}(:|$)"
