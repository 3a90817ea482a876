"""The roster workbook: the sample imports, bad rows are named and block everything,
a second import and an export-import round trip change nothing."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.formats.roster_workbook import read_file
from bot.render.roster import import_report
from bot.services.audit import Who
from bot.services.roster import RosterService
from db.models import (
    Assignment,
    BranchSchedule,
    HandlingBody,
    HandlingBodyMember,
    Person,
    PersonRole,
    ProposalField,
    Role,
    Unit,
)
from db.session import create_engine, create_sessionmaker

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "roster-sample.xlsx"


async def run_import(
    database_url: str, clock: ManualClock, name: str, content: bytes, dry_run: bool = False
):
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            rows, problems = read_file(name, content)
            result = await RosterService(db, clock).import_rows(
                rows, problems, Who.command_line(), dry_run=dry_run, source=name
            )
            await db.commit()  # the caller's unit of work: services never commit
            return result
    finally:
        await engine.dispose()


async def query(database_url: str, statement):
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            return (await db.execute(statement)).all()
    finally:
        await engine.dispose()


async def export(database_url: str, clock: ManualClock) -> bytes:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            return await RosterService(db, clock).export()
    finally:
        await engine.dispose()


async def test_the_sample_imports_then_changes_nothing_twice(database_url, clock) -> None:
    content = SAMPLE.read_bytes()
    preview = await run_import(database_url, clock, SAMPLE.name, content, dry_run=True)
    assert preview.problems == [] and preview.changed
    assert await query(database_url, select(func.count()).select_from(Person)) == [(0,)]

    first = await run_import(database_url, clock, SAMPLE.name, content)
    assert len(first.changes["branches"].created) == 30
    assert len(first.changes["people"].created) == 25
    assert len(first.changes["units"].created) == 3
    assert len(first.changes["assignments"].created) == 31
    assert len(first.changes["topics"].created) == 13
    assert first.changes["bodies"].created == ["UBND", "BTC", "CA", "MTTQ"]
    second = await run_import(database_url, clock, SAMPLE.name, content)
    assert second.problems == [] and not second.changed
    assert import_report(second, "vi", dry_run=False) == [
        "Danh sách hợp lệ. Không có thay đổi: dữ liệu đã trùng khớp."
    ]

    [(rule, text)] = await query(
        database_url,
        select(BranchSchedule.rrule, BranchSchedule.schedule_text)
        .join(Unit, Unit.id == BranchSchedule.unit_id)
        .where(Unit.code == "KP10"),
    )
    assert (rule, text) == ("FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", "ngày 31")
    [(phone,)] = await query(database_url, select(Person.phone).where(Person.code == "CB02"))
    assert phone.startswith("+849")


async def test_export_then_import_is_a_no_op(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    exported = await export(database_url, clock)
    again = await run_import(database_url, clock, "xuat.xlsx", exported)
    assert again.problems == [] and not again.changed
    sheets = load_workbook(io.BytesIO(exported)).sheetnames
    assert sheets == [
        "Đơn vị",
        "Chi bộ",
        "Cán bộ",
        "Phân công",
        "Chủ đề",
        "Lĩnh vực kiến nghị",
        "Cơ quan xử lý",
    ]
    bodies = list(load_workbook(io.BytesIO(exported))["Cơ quan xử lý"].iter_rows(values_only=True))
    assert bodies[1:] == [
        ("BTC", "Ban Tổ chức Đảng ủy", "CB02"),
        ("CA", "Công an phường", "CB09"),
        ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "CB02, CB05"),
        ("UBND", "Ủy ban nhân dân phường", "CB03, CB08"),
    ]
    answering = await query(
        database_url,
        select(HandlingBody.code, Person.code)
        .join(HandlingBodyMember, HandlingBodyMember.body_id == HandlingBody.id)
        .join(Person, Person.id == HandlingBodyMember.person_id)
        .order_by(HandlingBody.code, Person.code),
    )
    assert answering[:2] == [("BTC", "CB02"), ("CA", "CB09")]

    # A person moved from one body to another, and a body left out: both change.
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook["Cơ quan xử lý"]
    sheet["C3"] = "CB03"
    sheet.delete_rows(5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    changed = await run_import(database_url, clock, "xuat.xlsx", buffer.getvalue())
    assert changed.changes["bodies"].updated == ["CA"]
    assert changed.changes["bodies"].deactivated == ["UBND"]


async def test_a_bad_row_in_each_sheet_imports_nothing_and_names_each(database_url, clock) -> None:
    workbook = load_workbook(SAMPLE)
    workbook["Đơn vị"]["C3"] = "KHONG-CO"  # parent unknown
    workbook["Chi bộ"]["D5"] = "thỉnh thoảng"  # schedule not understood
    workbook["Cán bộ"]["D4"] = "12345"  # not a phone
    workbook["Phân công"]["C6"] = "31/02/2026"  # not a date
    workbook["Chủ đề"]["A4"] = "CD01"  # duplicate code
    workbook["Cơ quan xử lý"]["C3"] = "CB02, CB99"  # nobody has the code CB99
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = await run_import(database_url, clock, "sai.xlsx", buffer.getvalue())
    assert not result.applied
    where = {(p.sheet, p.row, p.column) for p in result.problems}
    assert where == {
        ("Đơn vị", 3, "Mã đơn vị cấp trên"),
        ("Chi bộ", 5, "Lịch sinh hoạt"),
        ("Cán bộ", 4, "Điện thoại"),
        ("Phân công", 6, "Từ ngày"),
        ("Chủ đề", 4, "Mã chủ đề"),
        ("Cơ quan xử lý", 3, "Cán bộ trả lời (mã cán bộ)"),
    }
    # Listed as the office will fix them: sheet by sheet, in the workbook's order, whatever
    # check found each (the unknown parent is found last, against the whole roster).
    assert [p.sheet for p in result.problems] == [
        "Đơn vị",
        "Chi bộ",
        "Cán bộ",
        "Phân công",
        "Chủ đề",
        "Cơ quan xử lý",
    ]
    lines = import_report(result, "vi", dry_run=False, escape=str)
    assert lines[0] == "Danh sách có 6 lỗi; chưa nhập dữ liệu nào."
    assert (
        "Trang tính “Cán bộ”, dòng 4, cột “Điện thoại”, giá trị “12345”:"
        " không phải là số điện thoại."
    ) in "\n".join(lines)
    assert await query(database_url, select(func.count()).select_from(Unit)) == [(0,)]


async def test_a_formula_without_a_saved_result_is_named_as_such(database_url, clock) -> None:
    # openpyxl, like many programs, writes formulas without their results: Excel has not
    # calculated them, and the file holds nothing to read.
    workbook = load_workbook(SAMPLE)
    workbook["Cán bộ"]["B3"] = '=CONCATENATE("Nguyễn ";"Văn Bình")'
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = await run_import(database_url, clock, "cong-thuc.xlsx", buffer.getvalue())
    assert not result.applied
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("Cán bộ", 3, "Họ và tên")]
    lines = "\n".join(import_report(result, "vi", dry_run=False, escape=str))
    assert "là công thức chưa có kết quả được lưu" in lines
    assert "không được để trống" not in lines  # said once, as what it is


async def test_a_person_missing_from_a_new_workbook_is_deactivated_not_deleted(
    database_url, clock
) -> None:
    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    workbook = load_workbook(SAMPLE)
    workbook["Cán bộ"].delete_rows(3)  # CB02
    sheet = workbook["Phân công"]
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, 1).value == "CB02":
            sheet.delete_rows(row)
    bodies = workbook["Cơ quan xử lý"]  # nor does any body list CB02 to answer for it
    bodies["C3"], bodies["C5"] = None, "CB05"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = await run_import(database_url, clock, "moi.xlsx", buffer.getvalue())
    assert result.problems == []
    assert result.changes["people"].deactivated == ["CB02"]
    assert await query(database_url, select(Person.active).where(Person.code == "CB02")) == [
        (False,)
    ]
    assert len(result.changes["assignments"].deactivated) == 2  # CB02 followed two branches
    assert await query(database_url, select(func.count()).select_from(Assignment)) == [(29,)]


async def test_roles_and_csv_sheets(database_url, clock) -> None:
    csv_people = (
        "Mã cán bộ;Họ và tên;Chức vụ;Điện thoại;Vai trò\n"
        "A1;Lê Văn Tám;Bí thư;0912.000.111;lãnh đạo, thành viên\n"
        "A2;Ngô Thị Chín;Văn phòng;+84 912 000 222;Quản trị\n"
    ).encode()
    result = await run_import(database_url, clock, "can-bo.csv", csv_people)
    assert result.problems == [] and result.changes["people"].created == ["A1", "A2"]
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as db:
        people = {p.code: p for p in await db.scalars(select(Person))}
        assert people["A1"].role_set == {Role.LEADER, Role.MEMBER}
        assert people["A2"].role_set == {Role.ADMIN}
        assert people["A2"].phone == "+84912000222"
    await engine.dispose()


async def test_the_proposal_fields_sheet_replaces_the_list_the_bot_starts_with(
    database_url, clock
) -> None:
    # A fresh database has the default fields; the sample lists them as they are.
    first = await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    assert not first.changes["fields"].any
    active = select(ProposalField.code, ProposalField.name).where(ProposalField.active)
    assert len(await query(database_url, active)) == 11
    fields_csv = (
        "Mã lĩnh vực,Tên lĩnh vực,Thứ tự\n"
        'LV03,"Giao thông, chiếu sáng",1\n'
        "PCCC,Phòng cháy chữa cháy,2\n"
    ).encode()
    result = await run_import(database_url, clock, "linh-vuc-kien-nghi.csv", fields_csv)
    assert result.problems == []
    assert result.changes["fields"].created == ["PCCC"]
    assert result.changes["fields"].updated == ["LV03"]
    assert len(result.changes["fields"].deactivated) == 10
    assert sorted(await query(database_url, active)) == [
        ("LV03", "Giao thông, chiếu sáng"),
        ("PCCC", "Phòng cháy chữa cháy"),
    ]
    assert "• Lĩnh vực kiến nghị: thêm 1, cập nhật 1, đưa ra khỏi danh sách 10" in import_report(
        result, "vi", dry_run=False
    )


def _edited_sample(edit) -> bytes:
    workbook = load_workbook(SAMPLE)
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rename(book, old: str, new: str) -> None:
    """A person's code changed in every sheet that names it (lists of codes included)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and old in cell.value.split(", "):
                    cell.value = ", ".join(new if c == old else c for c in cell.value.split(", "))


async def test_an_import_that_leaves_no_administrator_is_refused(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())

    # CB25, Đinh Thị Yến, is the only administrator: the new workbook makes her a member.
    def demote(book) -> None:
        for row in book["Cán bộ"].iter_rows(min_row=2):
            if row[0].value == "CB25":
                row[4].value = "thành viên"

    content = _edited_sample(demote)
    for dry_run in (True, False):
        result = await run_import(database_url, clock, "moi.xlsx", content, dry_run=dry_run)
        assert result.refusal is not None and not result.applied
        [line] = import_report(result, "vi", dry_run=dry_run)
        assert line.startswith("⛔ Chưa nhập danh sách: sau khi nhập sẽ không còn ai có vai trò")
        assert "Đinh Thị Yến (CB25)" in line
    [(roles,)] = await query(
        database_url,
        select(func.count())
        .select_from(PersonRole)
        .join(Person, Person.id == PersonRole.person_id)
        .where(Person.code == "CB25", PersonRole.role == Role.ADMIN),
    )
    assert roles == 1  # nothing changed


async def test_the_preview_names_the_roles_lost_and_a_large_removal(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    people = (
        "Mã cán bộ;Họ và tên;Chức vụ;Điện thoại;Vai trò\n"
        "CB25;Đinh Thị Yến;Chánh Văn phòng Đảng ủy;;quản trị\n"
        "CB01;Nguyễn Văn An;Bí thư;;thành viên\n"
    ).encode()
    result = await run_import(database_url, clock, "can-bo.csv", people, dry_run=True)
    assert result.refusal is None and result.losses.large == {"people": (23, 25)}
    lost = {code: roles for _, code, roles in result.losses.roles}
    assert lost == {f"CB0{n}": (Role.LEADER,) for n in range(1, 6)}
    lines = import_report(result, "vi", dry_run=True)
    assert "⚠ <b>Cán bộ: 23/25 sẽ bị đưa ra khỏi danh sách.</b>" in lines[-7]
    assert lines[-6] == "⚠ <b>Các đồng chí sau sẽ mất vai trò:</b>"
    assert any(line.endswith("(CB02): lãnh đạo") for line in lines[-5:])
    assert await query(database_url, select(func.count()).where(Person.active)) == [(25,)]


async def test_a_changed_code_keeps_the_person_and_their_link(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as db:
        person = await db.scalar(select(Person).where(Person.code == "CB05"))
        person.telegram_user_id = 555005
        person_id = person.id
        await db.commit()
    await engine.dispose()

    def recode(book) -> None:
        _rename(book, "CB05", "VP05")

    result = await run_import(database_url, clock, "moi.xlsx", _edited_sample(recode))
    assert result.problems == [] and result.changes["people"].recoded == ["CB05 → VP05"]
    assert result.changes["people"].deactivated == [] and result.changes["people"].created == []
    assert "• Đổi mã, cùng người (giữ liên kết Telegram): CB05 → VP05" in import_report(
        result, "vi", dry_run=False
    )
    assert await query(
        database_url, select(Person.id, Person.telegram_user_id).where(Person.code == "VP05")
    ) == [(person_id, 555005)]
    assert await query(database_url, select(func.count()).select_from(Assignment)) == [(31,)]


async def test_chibo_admin_grant_and_revoke(database_url, clock) -> None:
    from bot.services.people import AdminChange, set_administrator

    await run_import(database_url, clock, SAMPLE.name, SAMPLE.read_bytes())
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            assert (await set_administrator(db, clock, "CB25", False))[0] == AdminChange.LAST
            assert (await set_administrator(db, clock, "0900000000", True))[0] == (
                AdminChange.UNKNOWN
            )
            change, person = await set_administrator(db, clock, "CB02", True)
            assert change == AdminChange.GRANTED and person.role_set >= {Role.ADMIN}
            await db.commit()
        async with create_sessionmaker(engine)() as db:
            phone = await db.scalar(select(Person.phone).where(Person.code == "CB25"))
            change, _ = await set_administrator(db, clock, phone, False)  # by phone
            assert change == AdminChange.REVOKED
            await db.commit()
    finally:
        await engine.dispose()
