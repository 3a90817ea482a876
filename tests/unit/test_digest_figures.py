"""The digest's figures, from SQL, against the same figures computed here in plain Python
from the dataset's own description."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest

from bot.domain.digest import GOOD_ATTENDANCE, PROPOSAL_DUE_DAYS, Edition, Month
from bot.render import plain
from bot.render.digest import digest_messages
from bot.services.digest import DigestService
from db.models import (
    AttendeeKind,
    Meeting,
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
from db.session import create_engine, create_sessionmaker
from tests.conftest import ZONE

MONTH = Month(date(2026, 11, 1))
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)

# The organisation: two units of two branches each, a branch directly under the root, and a
# branch no longer active.
UNITS = {"KV1": "Khu vực 1", "KV2": "Khu vực 2"}
BRANCHES = {
    "B1": ("KV1", True),
    "B2": ("KV1", True),
    "B3": ("KV2", True),
    "B4": ("KV2", True),
    "B6": (None, True),
    "B9": ("KV2", False),
}
PEOPLE = ["P1", "P2", "P3", "P4", "P5", "P6"]
TOPICS = ["T1", "T2", "T3"]


@dataclass
class R:  # a report
    author: str
    late: bool = False
    held: bool = True
    total: int | None = None
    exempted: int | None = None
    present: int | None = None
    excused: int | None = None
    rating: str | None = None
    criteria: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    other_topic: str = ""  # "another topic", written in
    proposals: list[tuple[str | None, str, str]] = field(
        default_factory=list
    )  # topic, urgency, state


@dataclass
class M:  # a meeting
    branch: str
    day: date
    cancelled: bool = False
    assigned: list[tuple[str, str]] = field(default_factory=list)  # person, answer
    stand_ins: list[tuple[str, str, str]] = field(default_factory=list)  # person, for, answer
    reports: list[R] = field(default_factory=list)


MEETINGS = [
    # The assignee went and reported on time: two proposals, one urgent.
    M(
        "B1",
        date(2026, 11, 5),
        assigned=[("P1", "yes")],
        reports=[
            R(
                "P1",
                total=20,
                exempted=2,
                present=16,
                excused=1,
                rating="good",
                criteria=["attendance", "minutes"],
                topics=["T1", "T2"],
                other_topic="Phòng chống cháy nổ dịp Tết",
                proposals=[("T1", "urgent", "new"), ("T2", "normal", "new")],
            )
        ],
    ),
    # The assignee could not go; a stand-in went and reported late.
    M(
        "B2",
        date(2026, 11, 10),
        assigned=[("P2", "no")],
        stand_ins=[("P3", "P2", "yes")],
        reports=[
            R(
                "P3",
                late=True,
                total=30,
                exempted=0,
                present=24,
                excused=3,
                rating="fair",
                criteria=["attendance"],
                topics=["T1"],
                proposals=[("T3", "normal", "answered"), (None, "urgent", "in_progress")],
            )
        ],
    ),
    # The assignee said nothing and sent nothing.
    M("B3", date(2026, 11, 15), assigned=[("P4", "pending")]),
    # The assignee could not go and nobody stood in.
    M("B4", date(2026, 11, 20), assigned=[("P5", "no")]),
    # Cancelled.
    M("B6", date(2026, 11, 25), cancelled=True, assigned=[("P1", "pending")]),
    # A second meeting of B1: reported as not held.
    M("B1", date(2026, 11, 28), assigned=[("P1", "yes")], reports=[R("P1", held=False)]),
    # Two assignees at B6's other meeting: one went (no RSVP answer, but reported), one did not.
    M(
        "B6",
        date(2026, 11, 12),
        assigned=[("P4", "pending"), ("P6", "pending")],
        reports=[
            R(
                "P4",
                total=10,
                exempted=1,
                present=9,
                excused=0,
                rating="average",
                criteria=["attendance", "duration", "minutes"],
                topics=["T2", "T3"],
                other_topic="Phòng chống  cháy nổ dịp Tết",  # spaced otherwise: the same topic
            )
        ],
    ),
    # The month before: a proposal still open, long overdue, and one answered in November.
    M(
        "B1",
        date(2026, 10, 5),
        assigned=[("P1", "yes")],
        reports=[
            R(
                "P1",
                total=20,
                exempted=0,
                present=15,
                excused=5,
                rating="poor",
                topics=["T1"],
                proposals=[("T1", "normal", "new"), ("T2", "normal", "answered")],
            )
        ],
    ),
    M("B3", date(2026, 10, 20), assigned=[("P4", "no")]),
    # The same month a year earlier.
    M("B2", date(2025, 11, 10), assigned=[("P2", "yes")]),
    M("B3", date(2025, 11, 11), assigned=[("P4", "pending")]),
]
MEETING_LENGTH = timedelta(minutes=90)
ANSWERED_ON = datetime(2026, 11, 12, 9, 0, tzinfo=ZONE)


def meeting_start(meeting: M) -> datetime:
    return datetime.combine(meeting.day, time(19, 30), tzinfo=ZONE)


async def build(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            root = Unit(
                code="DB",
                name="Đảng bộ Thử",
                kind="Đảng bộ",
                is_branch=False,
                created_at=NOW,
                updated_at=NOW,
            )
            db.add(root)
            await db.flush()
            units = {}
            for code, name in UNITS.items():
                units[code] = Unit(
                    parent_id=root.id,
                    code=code,
                    name=name,
                    kind="Cụm",
                    is_branch=False,
                    created_at=NOW,
                    updated_at=NOW,
                )
                db.add(units[code])
            await db.flush()
            branches = {}
            for code, (parent, active) in BRANCHES.items():
                parent_id = units[parent].id if parent else root.id
                branches[code] = Unit(
                    parent_id=parent_id,
                    code=code,
                    name=f"Chi bộ {code}",
                    kind="Chi bộ",
                    is_branch=True,
                    active=active,
                    created_at=NOW,
                    updated_at=NOW,
                )
                db.add(branches[code])
            people = {}
            for code in PEOPLE:
                people[code] = Person(
                    code=code, full_name=f"Đồng chí {code}", created_at=NOW, updated_at=NOW
                )
                people[code].roles = [PersonRole(role=Role.MEMBER)]
                db.add(people[code])
            topics = {}
            for n, code in enumerate(TOPICS):
                topics[code] = Topic(code=code, name=f"Chủ đề {code}", sort_order=n)
                db.add(topics[code])
            # proposals are filed under fields of their own list, named apart from the topics
            fields = {}
            for n, code in enumerate(TOPICS):
                fields[code] = ProposalField(
                    code=f"F-{code}", name=f"Lĩnh vực {code}", sort_order=n
                )
                db.add(fields[code])
            await db.flush()
            for meeting in MEETINGS:
                start = meeting_start(meeting)
                row = Meeting(
                    unit_id=branches[meeting.branch].id,
                    occurrence_on=meeting.day,
                    starts_at=start,
                    duration_minutes=90,
                    status=MeetingStatus.CANCELLED if meeting.cancelled else MeetingStatus.PLANNED,
                    created_at=NOW,
                    updated_at=NOW,
                )
                db.add(row)
                await db.flush()
                for person, answer in meeting.assigned:
                    db.add(
                        Rsvp(
                            meeting_id=row.id,
                            person_id=people[person].id,
                            kind=AttendeeKind.ASSIGNED,
                            answer=RsvpAnswer(answer),
                            created_at=NOW,
                        )
                    )
                for person, instead_of, answer in meeting.stand_ins:
                    db.add(
                        Rsvp(
                            meeting_id=row.id,
                            person_id=people[person].id,
                            kind=AttendeeKind.STAND_IN,
                            answer=RsvpAnswer(answer),
                            stand_in_for_id=people[instead_of].id,
                            created_at=NOW,
                        )
                    )
                for spec in meeting.reports:
                    submitted = start + timedelta(days=7 if spec.late else 1)
                    report = Report(
                        meeting_id=row.id,
                        author_id=people[spec.author].id,
                        current_version=2,
                        submitted_at=submitted,
                        amendable_until=submitted + timedelta(days=7),
                        late=spec.late,
                    )
                    db.add(report)
                    await db.flush()
                    # Version 1 differs, so that only the current version may be counted.
                    db.add(
                        ReportVersion(
                            report_id=report.id,
                            version=1,
                            held=True,
                            total_members=99,
                            exempted=0,
                            present=1,
                            rating="poor",
                            criteria_met=["principles"],
                            content={},
                            created_at=submitted,
                        )
                    )
                    version = ReportVersion(
                        report_id=report.id,
                        version=2,
                        held=spec.held,
                        total_members=spec.total,
                        exempted=spec.exempted,
                        present=spec.present,
                        absent_excused=spec.excused,
                        rating=spec.rating,
                        criteria_met=spec.criteria,
                        content={"content": "Nội dung", "other_topic": spec.other_topic},
                        created_at=submitted,
                    )
                    db.add(version)
                    await db.flush()
                    for topic in spec.topics:
                        db.add(ReportTopic(report_version_id=version.id, topic_id=topics[topic].id))
                    for field, urgency, state in spec.proposals:
                        db.add(
                            Proposal(
                                report_id=report.id,
                                unit_id=branches[meeting.branch].id,
                                field_id=fields[field].id if field else None,
                                urgency=ProposalUrgency(urgency),
                                text=f"Kiến nghị {meeting.branch}",
                                state=ProposalState(state),
                                created_at=submitted,
                                answered_at=ANSWERED_ON if state == "answered" else None,
                            )
                        )
            await db.commit()
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------- the same, in Python


def in_month(meeting: M, month: Month) -> bool:
    return month.first <= meeting.day < month.shift(1).first


def report_of(meeting: M, person: str) -> R | None:
    return next((r for r in meeting.reports if r.author == person), None)


def was_there(meeting: M, person: str, answer: str) -> bool:
    report = report_of(meeting, person)
    if report is not None:
        return report.held
    return answer == "yes"


def expected_for(month: Month) -> dict:
    e: dict = Counter()
    branches_met, branches_covered = set(), set()
    held_reports = not_held = 0
    per_branch_present: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ratings: Counter = Counter()
    criteria: Counter = Counter()
    met_by_branch: dict[str, list[M]] = defaultdict(list)
    for meeting in MEETINGS:
        if not in_month(meeting, month):
            continue
        if meeting.cancelled:
            e["cancelled"] += 1
            continue
        e["planned"] += 1
        met_by_branch[meeting.branch].append(meeting)
        covered = False
        for person, answer in meeting.assigned:
            e["slots"] += 1
            if was_there(meeting, person, answer):
                e["attended"] += 1
                covered = True
            elif any(
                was_there(meeting, s, a) for s, instead, a in meeting.stand_ins if instead == person
            ):
                e["stood_in"] += 1
                covered = True
            elif answer == "no":
                e["excused"] += 1
            else:
                e["unexcused"] += 1
            if answer != "no":
                e["expected"] += 1
                report = report_of(meeting, person)
                if report is not None:
                    e["late" if report.late else "on_time"] += 1
        for person, _instead, answer in meeting.stand_ins:
            if answer == "yes":
                e["expected"] += 1
                report = report_of(meeting, person)
                if report is not None:
                    e["late" if report.late else "on_time"] += 1
        for report in meeting.reports:
            if report.held:
                held_reports += 1
                ratings[report.rating] += 1
                criteria.update(report.criteria)
                if report.total is not None:
                    per_branch_present[meeting.branch][0] += report.present or 0
                    per_branch_present[meeting.branch][1] += report.total - (report.exempted or 0)
            else:
                not_held += 1
        if covered:
            branches_covered.add(meeting.branch)
    for branch, meetings in met_by_branch.items():
        reports = [r for m in meetings for r in m.reports]
        if any(r.held for r in reports) or not reports:
            branches_met.add(branch)
    active = {code for code, (_parent, is_active) in BRANCHES.items() if is_active}
    e["branches"] = len(active)
    e["branches_met"] = len(branches_met & active)
    e["branches_covered"] = len(branches_covered & branches_met & active)
    e["held"] = held_reports
    e["not_held"] = not_held
    e["present"] = sum(p for p, _ in per_branch_present.values())
    e["expected_present"] = sum(w for _, w in per_branch_present.values())
    e["ratings"] = {k: v for k, v in ratings.items() if k}
    e["criteria"] = dict(criteria)
    e["low"] = sorted(
        (b for b, (p, w) in per_branch_present.items() if w and p / w < GOOD_ATTENDANCE)
    )
    e["not_met"] = sorted(active - branches_met)
    e["uncovered"] = sorted((branches_met & active) - branches_covered)
    proposals = [p for m in MEETINGS if in_month(m, month) for r in m.reports for p in r.proposals]
    e["proposals_new"] = len(proposals)
    e["proposals_urgent"] = sum(1 for p in proposals if p[1] == "urgent")
    e["by_field"] = Counter(f"Lĩnh vực {p[0]}" if p[0] else "" for p in proposals)
    topic_counts = Counter(
        name
        for m in MEETINGS
        if in_month(m, month) and not m.cancelled
        for r in m.reports
        if r.held
        for name in [
            *(f"Chủ đề {t}" for t in r.topics),
            *([" ".join(r.other_topic.split())] if r.other_topic else []),
        ]
    )
    e["topics"] = topic_counts
    return e


def assert_month(figures, month: Month) -> None:
    e = expected_for(month)
    a = figures.attendance
    assert (a.slots, a.attended, a.stood_in, a.excused, a.unexcused) == (
        e["slots"],
        e["attended"],
        e["stood_in"],
        e["excused"],
        e["unexcused"],
    )
    assert (figures.planned, figures.cancelled) == (e["planned"], e["cancelled"])
    assert (figures.branches, figures.branches_met, figures.branches_covered) == (
        e["branches"],
        e["branches_met"],
        e["branches_covered"],
    )
    r = figures.reporting
    assert (r.expected, r.on_time, r.late) == (e["expected"], e["on_time"], e["late"])
    q = figures.quality
    assert (q.held, q.not_held, q.present, q.expected_present) == (
        e["held"],
        e["not_held"],
        e["present"],
        e["expected_present"],
    )
    assert q.ratings == e["ratings"]
    assert q.criteria == e["criteria"]
    assert figures.proposals_new == e["proposals_new"]


@pytest.fixture
async def figures_db(database_url: str) -> str:
    await build(database_url)
    return database_url


async def digest_for(database_url: str, month: Month, edition: Edition, quota: int | None = None):
    engine = create_engine(database_url)
    try:
        service = DigestService(create_sessionmaker(engine), ZONE)
        [root] = await service.organisations()
        return await service.figures(await service.tree(root), month, edition, quota=quota)
    finally:
        await engine.dispose()


async def test_every_figure_equals_the_count_by_hand(figures_db: str) -> None:
    digest = await digest_for(figures_db, MONTH, Edition.OFFICE, quota=6)
    e = expected_for(MONTH)
    assert_month(digest.current, MONTH)
    assert_month(digest.previous, MONTH.shift(-1))
    assert_month(digest.last_year, MONTH.shift(-12))
    assert [m.month for m in digest.trend] == [MONTH.shift(-n) for n in range(11, -1, -1)]
    for month_figures in digest.trend:
        assert_month(month_figures, month_figures.month)

    assert [line.code for line in digest.not_met] == e["not_met"]
    assert [line.code for line in digest.uncovered] == e["uncovered"]
    assert sorted(line.code for line in digest.low_attendance) == e["low"]
    assert digest.proposals_urgent == e["proposals_urgent"]
    assert dict(digest.proposals_by_field) == dict(e["by_field"])
    assert dict(digest.topics) == dict(e["topics"].most_common(5))

    older = [
        (meeting, state, report)
        for meeting in MEETINGS
        if meeting.day < MONTH.first
        for report in meeting.reports
        for _topic, _urgency, state in report.proposals
    ]
    still_open = [o for o in older if o[1] in ("new", "in_progress")]
    assert digest.open_older == len(still_open)
    deadline = MONTH.end(ZONE) - timedelta(days=PROPOSAL_DUE_DAYS)
    assert digest.overdue == sum(
        1
        for meeting, _, report in still_open
        if meeting_start(meeting) + timedelta(days=7 if report.late else 1) < deadline
    )
    all_proposals = [p for m in MEETINGS for r in m.reports for p in r.proposals]
    assert digest.answered_in_month == sum(1 for p in all_proposals if p[2] == "answered")

    units = {u.code: u for u in digest.units}
    assert set(units) == {"KV1", "KV2", "B6"}
    for code, unit in units.items():
        members = {b for b, (parent, _) in BRANCHES.items() if (parent or b) == code}
        slots = sum(
            len(m.assigned)
            for m in MEETINGS
            if m.branch in members and in_month(m, MONTH) and not m.cancelled
        )
        assert unit.attendance.slots == slots, code

    missing = {(item.person_code, item.meeting_on) for item in digest.missing}
    assert missing == {
        (person, meeting.day)
        for meeting in MEETINGS
        if in_month(meeting, MONTH) and not meeting.cancelled
        for person, answer in meeting.assigned
        if answer != "no" and report_of(meeting, person) is None
    }

    year_attendances = Counter(
        person
        for meeting in MEETINGS
        if date(2026, 1, 1) <= meeting.day < MONTH.shift(1).first and not meeting.cancelled
        for person, answer in [*meeting.assigned, *((s, a) for s, _f, a in meeting.stand_ins)]
        if was_there(meeting, person, answer)
    )
    assert {q.code: q.done for q in digest.quota_lines} == {p: year_attendances[p] for p in PEOPLE}
    assert all(q.due_by_now == pytest.approx(6 * 11 / 12) for q in digest.quota_lines)


async def test_a_month_in_progress_counts_only_the_meetings_that_have_happened(
    figures_db: str,
) -> None:
    # 15/11 at 20:30: B3's meeting began at 19:30 and lasts 90 minutes, so it has not ended;
    # B4's (20/11) and B1's second (28/11) are to come; B6's of 25/11 is known cancelled.
    as_of = datetime(2026, 11, 15, 20, 30, tzinfo=ZONE)
    engine = create_engine(figures_db)
    try:
        service = DigestService(create_sessionmaker(engine), ZONE)
        [root] = await service.organisations()
        await service.count_until(as_of)
        tree = await service.tree(root)
        digest = await service.figures(tree, MONTH, Edition.OFFICE)
        rows = await service.sheet_rows(tree, MONTH)
    finally:
        await engine.dispose()
    happened = [
        m
        for m in MEETINGS
        if in_month(m, MONTH) and not m.cancelled and meeting_start(m) + MEETING_LENGTH <= as_of
    ]
    now = digest.current
    assert now.upcoming == 3
    assert now.planned == len(happened) == 3
    assert now.cancelled == 1
    assert now.attendance.slots == sum(len(m.assigned) for m in happened if not m.cancelled)
    # nobody is listed as missing a report, nor a branch as not met, for what is to come
    assert {item.branch for item in digest.missing} <= {"Chi bộ B6"}
    assert not {line.code for line in digest.not_met} & {"B3", "B4"}
    assert digest.as_of == as_of
    # the spreadsheet lists every meeting of the month, the ones to come as such
    upcoming = {(row["unit_id"], row["starts_at"].day) for row in rows.meetings if row["upcoming"]}
    assert {day for _, day in upcoming} == {15, 20, 28}
    text = plain("\n".join(digest_messages(digest, "vi")))
    assert (
        "Tháng 11/2026 chưa kết thúc: số liệu tính đến 20 giờ 30, Chủ nhật, ngày 15/11/2026;"
        " 3 cuộc sinh hoạt chưa diễn ra nên chưa được tính." in text
    )


async def test_the_groups_edition_names_no_one(figures_db: str) -> None:
    group = await digest_for(figures_db, MONTH, Edition.GROUP, quota=6)
    assert group.missing == [] and group.quota_lines == []
    text = plain("\n".join(digest_messages(group, "vi")))
    assert "Đồng chí P4" not in text
    office = await digest_for(figures_db, MONTH, Edition.OFFICE, quota=6)
    office_text = plain("\n".join(digest_messages(office, "vi")))
    assert "Đồng chí P4 (P4): Chi bộ B3, 15/11/2026" in office_text
    assert "Tiến độ chỉ tiêu dự sinh hoạt" in office_text


def every_text_of(made) -> str:
    """Everything a reader of the files can see: every cell of every sheet, every paragraph
    and table cell of the document, and the messages."""
    import io

    from docx import Document
    from openpyxl import load_workbook

    seen = [plain(text) for text in digest_messages(made.figures, "vi")]
    files = made.files
    book = load_workbook(io.BytesIO(files.sheet), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            seen += [str(value) for value in row if value is not None]
    document = Document(io.BytesIO(files.document))
    seen += [paragraph.text for paragraph in document.paragraphs]
    seen += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(seen)


async def test_the_groups_files_name_no_one(figures_db: str) -> None:
    """The group's spreadsheet and document carry no person's name (they went through
    Telegram to a group chat); the office's edition names them, so the check can fail."""
    from bot.services.digest.posting import make_edition
    from bot.settings import load_settings

    settings = load_settings(_env_file=None, attendance_quota=6)
    engine = create_engine(figures_db)
    try:
        sessions = create_sessionmaker(engine)
        [root] = await DigestService(sessions, ZONE).organisations()
        made = {
            edition: every_text_of(
                await make_edition(
                    sessions,
                    root,
                    MONTH,
                    edition,
                    lang="vi",
                    now=datetime(2026, 12, 1, tzinfo=ZONE),
                    zone=ZONE,
                    quota=6,
                    letterhead_for=settings.letterhead,
                )
            )
            for edition in (Edition.GROUP, Edition.OFFICE)
        }
    finally:
        await engine.dispose()
    names = [f"Đồng chí {code}" for code in PEOPLE]
    assert [name for name in names if name in made[Edition.GROUP]] == []
    assert [name for name in names if name in made[Edition.OFFICE]]


async def test_an_empty_month_gives_a_short_digest(figures_db: str) -> None:
    empty = await digest_for(figures_db, Month(date(2026, 8, 1)), Edition.GROUP)
    assert not empty.current.has_data
    [text] = digest_messages(empty, "vi")
    assert "không có buổi sinh hoạt chi bộ nào theo kế hoạch" in plain(text)
    assert len(text) < 600


def test_months_read_as_people_write_them() -> None:
    assert Month.parse("11/2026") == Month(date(2026, 11, 1))
    assert Month.parse("1-2027") == Month(date(2027, 1, 1))
    assert Month.parse("2026-11") == Month(date(2026, 11, 1))
    assert Month.parse("13/2026") is None
    assert Month.parse("tháng 11") is None
    assert Month.from_key("202611") == Month(date(2026, 11, 1))
    assert Month(date(2026, 1, 1)).shift(-1) == Month(date(2025, 12, 1))
    assert Month(date(2026, 11, 1)).shift(-12).label == "11/2025"
