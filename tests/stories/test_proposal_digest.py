"""The proposal loop in the monthly digest, on a town's invented year (whose proposals go
through the real states on plausible timelines): the figures equal counts made here in plain
Python from the rows; the register sheet lists every proposal it should; the group's edition
names nobody."""

from __future__ import annotations

import asyncio
import io
import statistics
from datetime import date, datetime, timedelta

import docx
import openpyxl
from sqlalchemy import select

from bot.cli import main as chibo
from bot.domain.digest import Edition, Month
from bot.services.digest import DigestService
from db.models import HandlingBody, Meeting, Person, Proposal, ProposalState, Report
from db.session import create_engine, create_sessionmaker
from tests.conftest import ZONE

MONTH = Month(date(2026, 11, 1))
OPEN = (ProposalState.NEW, ProposalState.IN_PROGRESS)


async def _town(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("CHIBO_DATABASE_URL", database_url)
    assert await asyncio.to_thread(chibo, ["demo-data", "--scale", "town"]) == 0


async def test_the_loops_figures_equal_counts_made_here(database_url, monkeypatch) -> None:
    await _town(database_url, monkeypatch)
    engine = create_engine(database_url)
    try:
        sessions = create_sessionmaker(engine)
        service = DigestService(sessions, ZONE)
        [root] = await service.organisations()
        tree = await service.tree(root)
        figures = await service.figures(tree, MONTH, Edition.GROUP)
        rows = await service.sheet_rows(tree, MONTH)
        async with sessions() as db:
            proposals = list(await db.scalars(select(Proposal)))
            bodies = {b.id: b.name for b in await db.scalars(select(HandlingBody))}
            raised_at = dict(
                (
                    await db.execute(
                        select(Proposal.id, Meeting.starts_at)
                        .join(Report, Report.id == Proposal.report_id)
                        .join(Meeting, Meeting.id == Report.meeting_id)
                    )
                ).all()
            )
    finally:
        await engine.dispose()

    start, end = MONTH.start(ZONE), MONTH.end(ZONE)
    last_day = (end - timedelta(seconds=1)).astimezone(ZONE).date()

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    answered = [p for p in proposals if p.answer_final and within(p.answered_at)]
    still_open = [p for p in proposals if p.state in OPEN and p.created_at < end]
    loop = figures.loop
    assert loop.assigned == sum(1 for p in proposals if within(p.assigned_at)) > 0
    assert loop.answered == len(answered) > 0
    assert loop.answered_on_time == sum(
        1 for p in answered if p.answered_at.astimezone(ZONE).date() <= p.deadline
    )
    assert 0 < loop.answered_on_time < loop.answered  # some late, some on time
    assert loop.open_now == len(still_open)
    assert loop.late_now == sum(1 for p in still_open if p.deadline and p.deadline < last_day)
    assert loop.median_days == statistics.median(
        (p.answered_at - p.created_at).total_seconds() / 86400 for p in answered
    )
    by_body = {line.name: (line.assigned, line.answered, line.open) for line in loop.by_body}
    expected = {
        name: (
            sum(1 for p in proposals if p.body_id == body and within(p.assigned_at)),
            sum(1 for p in answered if p.body_id == body),
            sum(1 for p in still_open if p.body_id == body),
        )
        for body, name in bodies.items()
    }
    assert by_body == {name: counts for name, counts in expected.items() if any(counts)}
    states = {p.state for p in proposals}
    assert {ProposalState.MERGED, ProposalState.CLOSED, ProposalState.ANSWERED} <= states

    # The register: raised in the month, open at its end, or answered in it; each once.
    register = {
        p.id
        for p in proposals
        if within(raised_at[p.id]) or p in still_open or within(p.answered_at)
    }
    assert sorted(row["id"] for row in rows.proposals) == sorted(register)


async def test_the_group_edition_names_nobody(database_url, tmp_path, monkeypatch) -> None:
    await _town(database_url, monkeypatch)
    out = tmp_path / "group"
    assert (
        await asyncio.to_thread(
            chibo,
            ["digest", "--month", "11/2026", "--out", str(out), "--edition", "group"],
        )
        == 0
    )
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            names = list(await db.scalars(select(Person.full_name)))
    finally:
        await engine.dispose()
    text = (out / "tong-hop-db-2026-11.txt").read_text()
    book = openpyxl.load_workbook(out / "tong-hop-db-2026-11.xlsx", read_only=True)
    cells = [
        str(value)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    register = [row for row in book["Kiến nghị"].iter_rows(values_only=True)]
    assert len(register) > 10 and "Cơ quan xử lý" in register[0]
    report = docx.Document(io.BytesIO((out / "bao-cao-db-2026-11.docx").read_bytes()))
    document = "\n".join(p.text for p in report.paragraphs)
    assert "Trong tháng đã giao xử lý" in text and "Trong tháng đã giao xử lý" in document
    for name in names:
        assert name not in text, name
        assert name not in document, name
        assert name not in cells, name
