"""The sandbox's clock: real time, moved forward by the visitor.

It runs as time runs, plus the offset the visitor has added, so reminders, reports and the
digest happen in front of them. The offset is kept in a small file beside the sandbox's
database: after a restart the town is where it was left, not back in the past.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path


class SandboxClock:
    def __init__(self, state_file: Path | None = None) -> None:
        self.state_file = state_file
        self.offset = timedelta()
        if state_file is not None and state_file.exists():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            self.offset = timedelta(seconds=float(saved.get("offset_seconds", 0)))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def move_to(self, moment: datetime) -> datetime:
        """Move forward to `moment` (never back: what happened stays happened)."""
        if moment.tzinfo is None:
            raise ValueError("the clock takes aware datetimes only")
        gap = moment - self.now()
        if gap > timedelta():
            self.offset += gap
            self._save()
        return self.now()

    def advance(self, delta: timedelta) -> datetime:
        return self.move_to(self.now() + delta)

    def _save(self) -> None:
        if self.state_file is not None:
            self.state_file.write_text(
                json.dumps({"offset_seconds": self.offset.total_seconds()}), encoding="utf-8"
            )
