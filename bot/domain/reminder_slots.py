"""When reminders go out before a meeting (CHIBO_REMINDERS "3d@08:00,1d@08:00,2h")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_SLOT = re.compile(r"^(?:(\d+)d@(\d{1,2}):(\d{2})|(\d+)h)$")


@dataclass(frozen=True)
class Slot:
    """A reminder's time: N days before at a local time, or N hours before the start."""

    code: str
    days_before: int | None = None
    at: time | None = None
    hours_before: int | None = None

    def due(self, starts_at: datetime, zone: ZoneInfo) -> datetime:
        if self.hours_before is not None:
            return starts_at - timedelta(hours=self.hours_before)
        day = starts_at.astimezone(zone).date() - timedelta(days=self.days_before or 0)
        return datetime.combine(day, self.at or time(8), tzinfo=zone)


def parse_slots(text: str) -> list[Slot]:
    """'3d@08:00,1d@08:00,2h' -> slots; raises ValueError naming what is wrong."""
    slots = []
    for part in (p.strip() for p in text.split(",")):
        match = _SLOT.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not like 3d@08:00 or 2h")
        if match.group(4):
            slots.append(Slot(f"{match.group(4)}h", hours_before=int(match.group(4))))
        else:
            at = time(int(match.group(2)), int(match.group(3)))
            code = f"{match.group(1)}d{at:%H%M}"
            slots.append(Slot(code, days_before=int(match.group(1)), at=at))
    if not slots:
        raise ValueError("no reminder given")
    return slots
