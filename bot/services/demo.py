"""Realistic invented data to try chibo on: a town (about 30 branches, a year of meetings and
reports) or a province (3,000 branches, 2,500 committee members, 12 months). Names are made
up; no real officials. Rows go in by bulk inserts with ids chosen here, so a province takes
seconds, not minutes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain import quality
from bot.services.topics import DEFAULT_TOPICS
from db.models import (
    Assignment,
    AttendeeKind,
    BranchSchedule,
    HandlingBody,
    HandlingBodyMember,
    Meeting,
    MeetingKind,
    MeetingSource,
    MeetingStatus,
    Person,
    PersonRole,
    Proposal,
    ProposalField,
    ProposalState,
    ProposalUrgency,
    Report,
    ReportTopic,
    ReportVersion,
    Role,
    Rsvp,
    RsvpAnswer,
    Topic,
    Unit,
)
from db.session import dialect_of

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Võ",
    "Phan",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Ngọc", "Quang")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Vân",
    "Yến",
)
# A proposal's text and the code of its field in the list the migration seeds.
PROPOSALS = (
    ("Sửa chữa tuyến đường liên khu phố bị xuống cấp", "LV03"),
    ("Lắp đặt đèn chiếu sáng ngõ xóm", "LV03"),
    ("Hỗ trợ kinh phí sửa nhà văn hóa", "LV10"),
    ("Nạo vét mương thoát nước trước mùa mưa", "LV03"),
    ("Tăng cường tuần tra an ninh khu dân cư", "LV05"),
    ("Giải quyết dứt điểm tranh chấp đất đai", "LV01"),
    ("Hỗ trợ hộ nghèo sửa chữa nhà ở", "LV06"),
    ("Tập huấn kỹ năng cho bí thư chi bộ", "LV11"),
    ("Thu gom rác thải đúng giờ, không để tồn đọng", "LV04"),
)
BODIES = (
    ("UBND", "Ủy ban nhân dân"),
    ("BTC", "Ban Tổ chức"),
    ("CA", "Công an"),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc"),
)
ANSWERS = (
    "Đã giao bộ phận chuyên môn khảo sát; dự kiến hoàn thành trong quý tới.",
    "Đã bố trí kinh phí và triển khai thực hiện.",
    "Đã làm việc với các hộ liên quan; vụ việc đã được giải quyết.",
    "Nội dung đã được đưa vào kế hoạch năm sau.",
)
CLOSE_REASONS = ("outside", "duplicate", "solved")
CRITERIA = tuple(code for code, _ in quality.CRITERIA)
RATINGS = ("good", "good", "fair", "fair", "fair", "average", "poor")


@dataclass(frozen=True)
class Scale:
    branches: int
    members: int
    groups: int
    months: int = 12


SCALES = {
    "town": Scale(branches=30, members=25, groups=3),
    "province": Scale(branches=3000, members=2500, groups=60),
}


@dataclass
class DemoCounts:
    units: int = 0
    people: int = 0
    meetings: int = 0
    reports: int = 0
    proposals: int = 0


class DemoDataError(Exception):
    pass


class DemoData:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo, seed: int = 2026) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.random = random.Random(seed)
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.fields: dict[str, int] = {}  # proposal fields by code

    def _add(self, table: Any, **values: Any) -> int:
        rows = self.rows.setdefault(table, [])
        values.setdefault("id", len(rows) + 1)
        rows.append(values)
        return values["id"]

    async def fill(self, scale: Scale) -> DemoCounts:
        if await self.db.scalar(select(func.count()).select_from(Unit)):
            raise DemoDataError("the database already holds a roster; use an empty database")
        now = self.clock.now()
        today = now.astimezone(self.zone).date()
        pick = self.random
        self.fields = dict(
            (await self.db.execute(select(ProposalField.code, ProposalField.id))).all()
        )
        root = self._add(
            Unit,
            parent_id=None,
            code="DB",
            name="Đảng bộ Mẫu",
            kind="Đảng bộ",
            is_branch=False,
            active=True,
            created_at=now,
            updated_at=now,
        )
        groups = [
            self._add(
                Unit,
                parent_id=root,
                code=f"KV{g + 1:02d}",
                name=f"Khu vực {g + 1}",
                kind="Cụm chi bộ",
                is_branch=False,
                active=True,
                created_at=now,
                updated_at=now,
            )
            for g in range(scale.groups)
        ]
        topics = [
            self._add(Topic, code=f"CD{n + 1:02d}", name=name, sort_order=n + 1, active=True)
            for n, name in enumerate(DEFAULT_TOPICS)
        ]
        people = []
        for n in range(scale.members):
            name = f"{pick.choice(FAMILY)} {pick.choice(MIDDLE)} {pick.choice(GIVEN)}"
            person = self._add(
                Person,
                code=f"UV{n + 1:04d}",
                full_name=name,
                title="Ủy viên Ban Chấp hành",
                phone=f"+849{n:08d}",
                active=True,
                created_at=now,
                updated_at=now,
            )
            roles = [Role.MEMBER] + ([Role.LEADER] if n < max(3, scale.members // 50) else [])
            for role in roles:
                self.rows.setdefault(PersonRole, []).append({"person_id": person, "role": role})
            people.append(person)
        # The bodies that answer proposals, each with two of the members to answer for it.
        self.bodies = []
        for n, (code, name) in enumerate(BODIES):
            body = self._add(
                HandlingBody, code=code, name=name, active=True, created_at=now, updated_at=now
            )
            for person in people[n * 2 + 1 : n * 2 + 3]:
                self._add(HandlingBodyMember, body_id=body, person_id=person)
            self.bodies.append(body)
        self.last_open: dict[int, int] = {}  # branch -> its latest open proposal, to merge into
        branches = []
        for b in range(scale.branches):
            day_of_month = 1 + b % 28
            start = time(19, 30) if b % 3 else time(14, 0)
            branch = self._add(
                Unit,
                parent_id=groups[b % len(groups)],
                code=f"CB{b + 1:04d}",
                name=f"Chi bộ Khu dân cư {b + 1}",
                kind="Chi bộ",
                is_branch=True,
                active=True,
                created_at=now,
                updated_at=now,
            )
            self._add(
                BranchSchedule,
                unit_id=branch,
                rrule=f"FREQ=MONTHLY;BYMONTHDAY={day_of_month}",
                schedule_text=f"ngày {day_of_month}",
                start_time=start,
                duration_minutes=90,
                venue=f"Nhà văn hóa khu dân cư {b + 1}",
                secretary_name=f"{pick.choice(FAMILY)} Văn {pick.choice(GIVEN)}",
                secretary_phone=f"+842333{b:06d}",
                updated_at=now,
            )
            assignee = people[b % len(people)]
            self._add(
                Assignment,
                person_id=assignee,
                unit_id=branch,
                valid_from=date(today.year - 2, 1, 1),
                valid_until=None,
                note="",
                created_at=now,
            )
            branches.append((branch, day_of_month, start, assignee))
        first_month = _month_start(today, scale.months)
        for branch, day_of_month, start, assignee in branches:
            month = first_month
            while month < today.replace(day=1) or (
                month == today.replace(day=1) and day_of_month < today.day
            ):
                self._meeting(
                    branch, month.replace(day=day_of_month), start, assignee, topics, people, now
                )
                month = _next_month(month)
        await self._write()
        return DemoCounts(
            units=len(self.rows[Unit]),
            people=len(self.rows[Person]),
            meetings=len(self.rows[Meeting]),
            reports=len(self.rows.get(Report, [])),
            proposals=len(self.rows.get(Proposal, [])),
        )

    def _meeting(
        self,
        branch: int,
        day: date,
        start: time,
        assignee: int,
        topics: list[int],
        people: list[int],
        now: datetime,
    ) -> None:
        pick = self.random
        starts_at = datetime.combine(day, start, tzinfo=self.zone)
        cancelled = pick.random() < 0.02
        meeting = self._add(
            Meeting,
            unit_id=branch,
            kind=MeetingKind.REGULAR,
            occurrence_on=day,
            starts_at=starts_at,
            duration_minutes=90,
            venue="",
            status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
            source=MeetingSource.RULE,
            original_starts_at=None,
            status_note="",
            revision=1,
            created_at=now,
            updated_at=now,
        )
        if cancelled:
            return
        attendee, kind, stand_in_for = assignee, AttendeeKind.ASSIGNED, None
        roll = pick.random()
        if roll < 0.08:  # could not go; a stand-in went instead
            self._add(
                Rsvp,
                meeting_id=meeting,
                person_id=assignee,
                kind=AttendeeKind.ASSIGNED,
                answer=RsvpAnswer.NO,
                reason_code=pick.choice(("trip", "ill", "family")),
                reason_text="",
                stand_in_for_id=None,
                answered_at=starts_at,
                created_at=now,
            )
            attendee = pick.choice([p for p in people[:50] if p != assignee])
            kind, stand_in_for = AttendeeKind.STAND_IN, assignee
        elif roll < 0.12:  # missed without a word
            self._add(
                Rsvp,
                meeting_id=meeting,
                person_id=assignee,
                kind=AttendeeKind.ASSIGNED,
                answer=RsvpAnswer.PENDING,
                reason_code=None,
                reason_text="",
                stand_in_for_id=None,
                answered_at=None,
                created_at=now,
            )
            return
        self._add(
            Rsvp,
            meeting_id=meeting,
            person_id=attendee,
            kind=kind,
            answer=RsvpAnswer.YES,
            reason_code=None,
            reason_text="",
            stand_in_for_id=stand_in_for,
            answered_at=starts_at,
            created_at=now,
        )
        if pick.random() < 0.07:  # the report never came
            return
        late = pick.random() < 0.12
        submitted = starts_at + timedelta(days=pick.randint(6, 12) if late else pick.randint(0, 4))
        total = pick.randint(12, 45)
        exempted = pick.randint(0, 3)
        present = max(0, total - exempted - pick.randint(0, 6))
        excused = pick.randint(0, total - exempted - present)
        report = self._add(
            Report,
            meeting_id=meeting,
            author_id=attendee,
            entered_by_id=None,
            current_version=1,
            submitted_at=submitted,
            amendable_until=submitted + timedelta(days=7),
            late=late,
        )
        chosen = pick.sample(topics, pick.randint(1, 3))
        minutes = pick.choice((80, 90, 120))
        version = self._add(
            ReportVersion,
            report_id=report,
            version=1,
            held=True,
            held_on=day,
            started_at=starts_at,
            ended_at=starts_at + timedelta(minutes=minutes),
            total_members=total,
            exempted=exempted,
            present=present,
            absent_excused=excused,
            absent_unexcused=total - exempted - present - excused,
            rating=pick.choice(RATINGS),
            criteria_met=quality.criteria_met(
                pick.sample(CRITERIA, pick.randint(3, 7)),
                quality.computed_criteria(
                    total - exempted, present, total - exempted - present - excused, minutes
                ),
            ),
            content={
                "content": "Chi bộ sinh hoạt theo nội dung hướng dẫn của cấp ủy.",
                "contribution": "Truyền đạt nghị quyết, định hướng nhiệm vụ tháng tới.",
            },
            created_at=submitted,
            created_by_id=attendee,
        )
        for topic in chosen:
            self.rows.setdefault(ReportTopic, []).append(
                {"report_version_id": version, "topic_id": topic}
            )
        for _ in range(pick.choice((0, 1, 1, 2, 2, 3))):
            self._proposal(report, self._unit_of(meeting), submitted, now)

    def _proposal(self, report: int, branch: int, raised: datetime, now: datetime) -> None:
        """A proposal through the states real ones go through, on a plausible timeline:
        assigned a few days after it is raised, answered on time or late, some still open
        past their deadline, some merged into an earlier one or closed with a reason."""
        pick = self.random
        urgent = pick.random() < 0.1
        text, field = pick.choice(PROPOSALS)
        values: dict[str, Any] = {
            "report_id": report,
            "unit_id": branch,
            "field_id": self.fields.get(field),
            "urgency": ProposalUrgency.URGENT if urgent else ProposalUrgency.NORMAL,
            "text": text,
            "state": ProposalState.NEW,
            "revision": 1,
            "body_id": None,
            "deadline": None,
            "assigned_at": None,
            "merged_into_id": None,
            "closed_reason": "",
            "answer": "",
            "answer_final": False,
            "answer_file_id": None,
            "answered_by_id": None,
            "answered_at": None,
            "conveyed_at": None,
            "conveyed_note": "",
            "created_at": raised,
        }
        fate = pick.random()
        earlier = self.last_open.get(branch)
        if fate < 0.05 and earlier is not None:
            values.update(state=ProposalState.MERGED, merged_into_id=earlier)
        elif fate < 0.09:
            values.update(state=ProposalState.CLOSED, closed_reason=pick.choice(CLOSE_REASONS))
        else:
            assigned = raised + timedelta(days=pick.randint(1, 4), hours=pick.randint(1, 8))
            if assigned < now:
                body = pick.choice(self.bodies)
                deadline = assigned.astimezone(self.zone).date() + timedelta(
                    days=7 if urgent else 30
                )
                answered = assigned + timedelta(days=pick.randint(3, 45), hours=pick.randint(0, 9))
                values.update(
                    state=ProposalState.IN_PROGRESS,
                    body_id=body,
                    deadline=deadline,
                    assigned_at=assigned,
                )
                if answered < now:
                    values.update(
                        state=ProposalState.ANSWERED,
                        answer=pick.choice(ANSWERS),
                        answer_final=True,
                        answered_at=answered,
                    )
                    conveyed = answered + timedelta(days=pick.randint(10, 35))
                    if conveyed < now:
                        values.update(conveyed_at=conveyed, conveyed_note="agreed")
        proposal = self._add(Proposal, **values)
        if values["state"] in (ProposalState.NEW, ProposalState.IN_PROGRESS):
            self.last_open[branch] = proposal

    def _unit_of(self, meeting_id: int) -> int:
        return self.rows[Meeting][meeting_id - 1]["unit_id"]

    async def _write(self) -> None:
        order = (
            Unit,
            Topic,
            Person,
            PersonRole,
            BranchSchedule,
            Assignment,
            Meeting,
            Rsvp,
            Report,
            ReportVersion,
            ReportTopic,
            HandlingBody,
            HandlingBodyMember,
            Proposal,
        )
        for table in order:
            rows = self.rows.get(table, [])
            if not rows:
                continue
            per_chunk = max(1, 30000 // len(rows[0]))  # SQLite takes 32,766 values a statement
            for start in range(0, len(rows), per_chunk):
                await self.db.execute(insert(table), rows[start : start + per_chunk])
        if dialect_of(self.db) == "postgresql":
            for table in order:
                if "id" in table.__table__.c and self.rows.get(table):
                    name = table.__tablename__
                    await self.db.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                            f" (SELECT max(id) FROM {name}))"
                        )
                    )
        await self.db.flush()


async def analyze(db: AsyncSession) -> None:
    """Fresh statistics after the bulk load is committed: without them PostgreSQL plans the
    digest's queries as if the tables were empty, and takes a minute instead of a second."""
    await db.execute(text("ANALYZE"))


def _month_start(today: date, months: int) -> date:
    year, month = today.year, today.month - months
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
