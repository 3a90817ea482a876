"""The roster workbook the office keeps in Excel: reading, checking every cell, writing.

Nothing here touches the database; docs/roster.md describes the format for the office.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.parsing import parse_day, parse_minutes, parse_time_of_day
from bot.domain.phones import normalise_phone
from bot.domain.schedules import Schedule, ScheduleError, fold, parse_schedule
from bot.i18n import N_
from db.models import Role

TEXT_LIMIT = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


UNITS = Sheet(
    "units",
    "Đơn vị",
    ("don vi", "units", "don-vi"),
    (
        Column("code", "Mã đơn vị", True, ("ma", "code"), 14),
        Column("name", "Tên đơn vị", True, ("ten", "name"), 40),
        Column("parent", "Mã đơn vị cấp trên", False, ("cap tren", "parent", "ma cap tren"), 18),
        Column("kind", "Loại", False, ("loai don vi", "kind"), 22),
    ),
)
BRANCHES = Sheet(
    "branches",
    "Chi bộ",
    ("chi bo", "branches", "chi-bo"),
    (
        Column("code", "Mã chi bộ", True, ("ma", "code"), 12),
        Column("name", "Tên chi bộ", True, ("ten", "name"), 34),
        Column("unit", "Mã đơn vị", True, ("don vi", "unit", "ma don vi cap tren"), 12),
        Column("schedule", "Lịch sinh hoạt", True, ("lich", "schedule"), 24),
        Column("start", "Giờ bắt đầu", True, ("gio", "start time", "gio sinh hoat"), 12),
        Column("duration", "Thời lượng (phút)", False, ("thoi luong", "duration"), 12),
        Column("venue", "Địa điểm", False, ("dia diem", "venue"), 34),
        Column("secretary", "Bí thư chi bộ", False, ("bi thu", "secretary"), 24),
        Column(
            "secretary_phone", "Điện thoại bí thư", False, ("sdt bi thu", "secretary phone"), 16
        ),
    ),
)
PEOPLE = Sheet(
    "people",
    "Cán bộ",
    ("can bo", "people", "can-bo", "cap uy vien"),
    (
        Column("code", "Mã cán bộ", True, ("ma", "code"), 12),
        Column("name", "Họ và tên", True, ("ho ten", "name", "full name"), 26),
        Column("title", "Chức vụ", False, ("chuc danh", "title"), 40),
        Column("phone", "Điện thoại", False, ("so dien thoai", "sdt", "phone"), 16),
        Column("roles", "Vai trò", False, ("quyen", "roles"), 24),
        Column("telegram", "Tài khoản Telegram", False, ("telegram", "username"), 20),
    ),
)
ASSIGNMENTS = Sheet(
    "assignments",
    "Phân công",
    ("phan cong", "assignments", "phan-cong"),
    (
        Column("person", "Mã cán bộ", True, ("can bo", "person"), 12),
        Column("branch", "Mã chi bộ", True, ("chi bo", "branch"), 12),
        Column("from", "Từ ngày", True, ("tu", "from"), 12),
        Column("until", "Đến ngày", False, ("den", "until"), 12),
        Column("note", "Ghi chú", False, ("note",), 30),
    ),
)
TOPICS = Sheet(
    "topics",
    "Chủ đề",
    ("chu de", "topics", "chu-de"),
    (
        Column("code", "Mã chủ đề", True, ("ma", "code"), 12),
        Column("name", "Tên chủ đề", True, ("ten", "name"), 60),
        Column("order", "Thứ tự", False, ("stt", "order"), 8),
    ),
)
FIELDS = Sheet(
    "fields",
    "Lĩnh vực kiến nghị",
    ("linh vuc kien nghi", "linh vuc", "fields", "proposal fields", "linh-vuc"),
    (
        Column("code", "Mã lĩnh vực", True, ("ma", "code"), 12),
        Column("name", "Tên lĩnh vực", True, ("ten", "name"), 40),
        Column("order", "Thứ tự", False, ("stt", "order"), 8),
    ),
)
BODIES = Sheet(
    "bodies",
    "Cơ quan xử lý",
    ("co quan xu ly", "bodies", "co-quan-xu-ly", "don vi xu ly", "handling bodies"),
    (
        Column("code", "Mã cơ quan", True, ("ma", "code"), 14),
        Column("name", "Tên cơ quan, đơn vị xử lý", True, ("ten", "name", "ten co quan"), 40),
        Column(
            "people",
            "Cán bộ trả lời (mã cán bộ)",
            False,
            ("can bo tra loi", "nguoi tra loi", "people", "ma can bo"),
            30,
        ),
    ),
)
SHEETS = (UNITS, BRANCHES, PEOPLE, ASSIGNMENTS, TOPICS, FIELDS, BODIES)


def in_sheet_order(problems: list[Problem]) -> list[Problem]:
    """Problems as the office will fix them: sheet by sheet, row by row (a sheet not known
    comes last), whatever check found each."""
    order = {sheet.title: index for index, sheet in enumerate(SHEETS)}
    return sorted(problems, key=lambda problem: (order.get(problem.sheet, len(order)), problem.row))


ROLE_WORDS = {
    "quan tri": Role.ADMIN,
    "van phong": Role.ADMIN,
    "admin": Role.ADMIN,
    "lanh dao": Role.LEADER,
    "thuong truc": Role.LEADER,
    "leader": Role.LEADER,
    "thanh vien": Role.MEMBER,
    "cap uy vien": Role.MEMBER,
    "member": Role.MEMBER,
}
ROLE_NAMES = {Role.ADMIN: "quản trị", Role.LEADER: "lãnh đạo", Role.MEMBER: "thành viên"}
DEFAULT_DURATION = 90


@dataclass(frozen=True)
class Problem:
    """A bad cell: where it is, what it holds, and why (a catalog text with its values)."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitRow:
    row: int
    code: str
    name: str
    parent_code: str | None
    kind: str


@dataclass(frozen=True)
class BranchRow:
    row: int
    code: str
    name: str
    unit_code: str
    schedule: Schedule
    start_time: time
    duration_minutes: int
    venue: str
    secretary_name: str
    secretary_phone: str


@dataclass(frozen=True)
class PersonRow:
    row: int
    code: str
    full_name: str
    title: str
    phone: str | None
    roles: frozenset[Role]
    telegram_username: str | None


@dataclass(frozen=True)
class AssignmentRow:
    row: int
    person_code: str
    branch_code: str
    valid_from: date
    valid_until: date | None
    note: str


@dataclass(frozen=True)
class CatalogRow:
    """A row of a list the office keeps: a meeting topic or a proposal field."""

    row: int
    code: str
    name: str
    order: int


@dataclass(frozen=True)
class BodyRow:
    row: int
    code: str
    name: str
    person_codes: tuple[str, ...]


@dataclass
class Roster:
    """The workbook's content; a sheet that was not in the file is None (left as it is)."""

    units: list[UnitRow] | None = None
    branches: list[BranchRow] | None = None
    people: list[PersonRow] | None = None
    assignments: list[AssignmentRow] | None = None
    topics: list[CatalogRow] | None = None
    fields: list[CatalogRow] | None = None
    bodies: list[BodyRow] | None = None
    # Every code written in each sheet, bad rows included, so that one bad cell is reported
    # once and not again by every row that refers to its code.
    codes: dict[str, set[str]] = field(default_factory=dict)


RawRow = tuple[int, dict[str, Any]]


class WorkbookError(ValueError):
    """The file cannot be read as a roster at all; args[0] is a catalog text."""


# ---------------------------------------------------------------------- reading files


def read_file(name: str, content: bytes) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Rows of each known sheet in an .xlsx file or a .csv named after its sheet."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(content)
    if suffix == ".csv":
        sheet = _sheet_for_name(Path(name).stem)
        if sheet is None:
            raise WorkbookError(N_("a .csv file must be named after its sheet, e.g. can-bo.csv"))
        return _rows_from_table(sheet, _csv_rows(content))
    raise WorkbookError(N_("the roster must be an .xlsx workbook or .csv files"))


def read_paths(paths: Iterable[Path]) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Read one .xlsx, or several .csv files (a folder stands for the .csv files in it)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.csv")) if path.is_dir() else [path])
    if not files:
        raise WorkbookError(N_("no roster file was given"))
    rows: dict[str, list[RawRow]] = {}
    problems: list[Problem] = []
    for path in files:
        sheet_rows, sheet_problems = read_file(path.name, path.read_bytes())
        rows.update(sheet_rows)
        problems.extend(sheet_problems)
    return rows, problems


@dataclass(frozen=True)
class UnsavedFormula:
    """A cell holding a formula whose result the file does not carry (a workbook written by a
    program, or saved without calculating): the office must open and save it in Excel."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def _read_xlsx(content: bytes) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    try:
        from openpyxl import load_workbook  # loaded with the first workbook, not at start

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        # The same cells as written: a formula with no saved result reads as empty above.
        formulas = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(
            N_("the file is not an Excel workbook (.xlsx) that can be read")
        ) from None
    rows: dict[str, list[RawRow]] = {}
    problems: list[Problem] = []
    try:
        for worksheet, written in zip(workbook.worksheets, formulas.worksheets, strict=True):
            sheet = _sheet_for_name(worksheet.title)
            if sheet is None:
                continue
            table = (
                tuple(
                    UnsavedFormula(w) if v is None and isinstance(w, str) and w[:1] == "=" else v
                    for v, w in itertools.zip_longest(values, as_written)
                )
                for values, as_written in zip(
                    worksheet.iter_rows(values_only=True),
                    written.iter_rows(values_only=True),
                    strict=False,
                )
            )
            sheet_rows, sheet_problems = _rows_from_table(sheet, table)
            rows.update(sheet_rows)
            problems.extend(sheet_problems)
    finally:
        workbook.close()
        formulas.close()
    if not rows:
        raise WorkbookError(
            N_("the workbook has none of the sheets Đơn vị, Chi bộ, Cán bộ, Phân công, Chủ đề")
        )
    return rows, problems


def _csv_rows(content: bytes) -> Iterable[tuple[Any, ...]]:
    text = content.decode("utf-8-sig", errors="replace")
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
    return [tuple(row) for row in csv.reader(io.StringIO(text), dialect)]


def _sheet_for_name(name: str) -> Sheet | None:
    folded = fold(name.replace("-", " ").replace("_", " "))
    for sheet in SHEETS:
        if folded == fold(sheet.title) or folded in {
            fold(a.replace("-", " ")) for a in sheet.aliases
        }:
            return sheet
    return None


def _rows_from_table(
    sheet: Sheet, table: Iterable[tuple[Any, ...]]
) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    iterator = iter(table)
    header = next(iterator, None)
    if header is None:
        return {sheet.key: []}, []
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _column_for_header(sheet, cell)
        if column is not None and column.key not in positions:
            positions[column.key] = index
    problems = [
        Problem(sheet.title, 1, column.header, "", N_("the column is missing"))
        for column in sheet.columns
        if column.required and column.key not in positions
    ]
    rows: list[RawRow] = []
    for number, values in enumerate(iterator, start=2):
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        if all(_blank(value) for value in cells.values()):
            continue
        rows.append((number, cells))
    return {sheet.key: rows}, problems


def _column_for_header(sheet: Sheet, cell: Any) -> Column | None:
    if cell is None:
        return None
    folded = fold(str(cell))
    for column in sheet.columns:
        if folded == fold(column.header):
            return column
    for column in sheet.columns:
        if folded in {fold(alias) for alias in column.aliases}:
            return column
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------- checking cells


class _Cells:
    """Reads the cells of one row, collecting a Problem for each bad one."""

    def __init__(self, sheet: Sheet, number: int, cells: dict[str, Any], problems: list[Problem]):
        self.sheet = sheet
        self.number = number
        self.cells = dict(cells)
        self.problems = problems
        self.ok = True
        # Formulas without a saved result: said once, as such, and read as empty.
        self.unsaved: set[str] = set()
        for key, value in cells.items():
            if isinstance(value, UnsavedFormula):
                self.bad(
                    key,
                    N_(
                        "a formula with no saved result: open the workbook in Excel, save it,"
                        " and send it again"
                    ),
                )
                self.unsaved.add(key)
                self.cells[key] = None

    def bad(self, key: str, reason: str, **params: Any) -> None:
        if key in self.unsaved:
            self.ok = False
            return  # already said: the cell's formula has no result
        value = self.cells.get(key)
        shown = "" if value is None else str(value)
        self.problems.append(
            Problem(
                self.sheet.title,
                self.number,
                self.sheet.column(key).header,
                shown[:80],
                reason,
                params,
            )
        )
        self.ok = False

    def text(self, key: str, limit: int = TEXT_LIMIT) -> str:
        value = self.cells.get(key)
        text = "" if value is None else " ".join(str(value).split())
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        column = self.sheet.column(key)
        if column.required and not text:
            self.bad(key, N_("a value is required"))
        elif len(text) > limit:
            self.bad(key, N_("longer than {limit} characters"), limit=limit)
        return text

    def code(self, key: str) -> str:
        code = self.text(key, 40)
        if code and not re.fullmatch(r"[\w.\-/]+", code):
            self.bad(key, N_("a code may hold only letters, digits and . - / _"))
        return code

    def phone(self, key: str) -> str | None:
        value = self.cells.get(key)
        if _blank(value):
            return None
        phone = normalise_phone(value)
        if phone is None:
            self.bad(key, N_("not a phone number"))
        return phone

    def day(self, key: str) -> date | None:
        value = self.cells.get(key)
        if _blank(value):
            if self.sheet.column(key).required:
                self.bad(key, N_("a value is required"))
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.bad(key, N_("not a date; write it as dd/mm/yyyy"))
        return parsed

    def clock_time(self, key: str) -> time | None:
        value = self.cells.get(key)
        if _blank(value):
            self.bad(key, N_("a value is required"))
            return None
        parsed = parse_time_of_day(value)
        if parsed is None:
            self.bad(key, N_("not a time of day; write it as 19:30 or 19h30"))
        return parsed

    def minutes(self, key: str) -> int:
        value = self.cells.get(key)
        if _blank(value):
            return DEFAULT_DURATION
        minutes = parse_minutes(value)
        if minutes is None or not 15 <= minutes <= 600:
            self.bad(key, N_("the length must be a number of minutes from 15 to 600"))
            return DEFAULT_DURATION
        return minutes

    def roles(self, key: str) -> frozenset[Role]:
        value = self.cells.get(key)
        if _blank(value):
            return frozenset({Role.MEMBER})
        roles = set()
        for word in re.split(r"[,;/+]", str(value)):
            folded = fold(word)
            if not folded:
                continue
            if folded not in ROLE_WORDS:
                self.bad(
                    key,
                    N_("unknown role {role}; use quản trị, lãnh đạo or thành viên"),
                    role=word.strip(),
                )
                continue
            roles.add(ROLE_WORDS[folded])
        return frozenset(roles)


def parse_roster(rows: dict[str, list[RawRow]]) -> tuple[Roster, list[Problem]]:
    """Every cell checked; cross-sheet references are checked against each other here and
    against the database by the roster service."""
    problems: list[Problem] = []
    roster = Roster()
    for sheet_key, sheet_rows in rows.items():
        roster.codes[sheet_key] = {_code_text(cells.get("code")) for _, cells in sheet_rows}
    roster.units = _rows(rows, "units", _unit, problems)
    roster.branches = _rows(rows, "branches", _branch, problems)
    roster.people = _rows(rows, "people", _person, problems)
    roster.assignments = _rows(rows, "assignments", _assignment, problems)
    roster.topics = _rows(rows, "topics", _catalog_row(TOPICS), problems)
    roster.fields = _rows(rows, "fields", _catalog_row(FIELDS), problems)
    roster.bodies = _rows(rows, "bodies", _body, problems)
    _check_unique_codes(roster, problems)
    return roster, problems


Row = TypeVar("Row")


def _rows(
    rows: dict[str, list[RawRow]],
    sheet_key: str,
    parse: Callable[[int, dict[str, Any], list[Problem]], Row | None],
    problems: list[Problem],
) -> list[Row] | None:
    """A sheet's valid rows (the invalid ones are problems), or None if the sheet is not in
    the workbook."""
    if sheet_key not in rows:
        return None
    parsed = (parse(number, cells, problems) for number, cells in rows[sheet_key])
    return [row for row in parsed if row is not None]


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _unit(number: int, cells: dict[str, Any], problems: list[Problem]) -> UnitRow | None:
    row = _Cells(UNITS, number, cells, problems)
    unit = UnitRow(
        number,
        row.code("code"),
        row.text("name"),
        row.code("parent") or None,
        row.text("kind", 60) or "Đảng bộ",
    )
    return unit if row.ok else None


def _branch(number: int, cells: dict[str, Any], problems: list[Problem]) -> BranchRow | None:
    row = _Cells(BRANCHES, number, cells, problems)
    schedule_text = row.text("schedule")
    schedule = None
    if schedule_text:
        try:
            schedule = parse_schedule(schedule_text)
        except ScheduleError as exc:
            row.bad("schedule", exc.args[0])
    code, name, unit_code = row.code("code"), row.text("name"), row.code("unit")
    start_time = row.clock_time("start")
    duration = row.minutes("duration")
    venue, secretary = row.text("venue", 300), row.text("secretary", 120)
    secretary_phone = row.phone("secretary_phone") or ""
    if not row.ok or schedule is None or start_time is None:
        return None
    return BranchRow(
        number,
        code,
        name,
        unit_code,
        schedule,
        start_time,
        duration,
        venue,
        secretary,
        secretary_phone,
    )


def _person(number: int, cells: dict[str, Any], problems: list[Problem]) -> PersonRow | None:
    row = _Cells(PEOPLE, number, cells, problems)
    username = row.text("telegram", 64).lstrip("@") or None
    if username and not re.fullmatch(r"[A-Za-z0-9_]{4,32}", username):
        row.bad("telegram", N_("a Telegram username has 4 to 32 letters, digits or _"))
    person = PersonRow(
        number,
        row.code("code"),
        row.text("name", 120),
        row.text("title"),
        row.phone("phone"),
        row.roles("roles"),
        username,
    )
    return person if row.ok else None


def _assignment(
    number: int, cells: dict[str, Any], problems: list[Problem]
) -> AssignmentRow | None:
    row = _Cells(ASSIGNMENTS, number, cells, problems)
    valid_from, valid_until = row.day("from"), row.day("until")
    if valid_from and valid_until and valid_until < valid_from:
        row.bad("until", N_("the end date is before the start date"))
    if valid_from is None or not row.ok:
        return None
    return AssignmentRow(
        number,
        row.code("person"),
        row.code("branch"),
        valid_from,
        valid_until,
        row.text("note", 300),
    )


def _catalog_row(
    sheet: Sheet,
) -> Callable[[int, dict[str, Any], list[Problem]], CatalogRow | None]:
    """The reader of a sheet that lists a catalog: code, name and order."""

    def read(number: int, cells: dict[str, Any], problems: list[Problem]) -> CatalogRow | None:
        row = _Cells(sheet, number, cells, problems)
        order_cell = cells.get("order")
        order = number - 1
        if not _blank(order_cell):
            parsed = parse_minutes(order_cell)
            if parsed is None:
                row.bad("order", N_("not a whole number"))
            else:
                order = parsed
        read_row = CatalogRow(number, row.code("code"), row.text("name"), order)
        return read_row if row.ok else None

    return read


def _body(number: int, cells: dict[str, Any], problems: list[Problem]) -> BodyRow | None:
    row = _Cells(BODIES, number, cells, problems)
    people = tuple(
        dict.fromkeys(
            " ".join(part.split())
            for part in re.split(r"[,;\n]", _code_text(cells.get("people")))
            if part.strip()
        )
    )
    body = BodyRow(number, row.code("code"), row.text("name"), people)
    return body if row.ok else None


def _check_unique_codes(roster: Roster, problems: list[Problem]) -> None:
    # Units and branches share one table, so one code may not stand in both sheets.
    unit_rows: list[tuple[Sheet, Any]] = [(UNITS, row) for row in roster.units or []]
    unit_rows += [(BRANCHES, row) for row in roster.branches or []]
    _report_repeats(
        unit_rows, "code", "code", N_("the code is also used in {sheet} row {row}"), problems
    )
    for sheet, rows in (
        (PEOPLE, roster.people),
        (TOPICS, roster.topics),
        (FIELDS, roster.fields),
        (BODIES, roster.bodies),
    ):
        _report_repeats(
            [(sheet, row) for row in rows or []],
            "code",
            "code",
            N_("the code is also used in {sheet} row {row}"),
            problems,
        )
    _report_repeats(
        [(PEOPLE, row) for row in roster.people or [] if row.phone is not None],
        "phone",
        "phone",
        N_("the phone number is also in {sheet} row {row}"),
        problems,
    )


def _report_repeats(
    rows: list[tuple[Sheet, Any]], attribute: str, column: str, reason: str, problems: list[Problem]
) -> None:
    """A Problem for each row whose value was already given in an earlier row."""
    first_seen: dict[str, tuple[str, int]] = {}
    for sheet, row in rows:
        value = getattr(row, attribute)
        if value in first_seen:
            other_sheet, other_row = first_seen[value]
            problems.append(
                Problem(
                    sheet.title,
                    row.row,
                    sheet.column(column).header,
                    value,
                    reason,
                    {"sheet": other_sheet, "row": other_row},
                )
            )
        else:
            first_seen[value] = (sheet.title, row.row)


# ---------------------------------------------------------------------- writing


def write_workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx with the given rows under each sheet's headers, formatted for the office."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B71C1C")
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append([column.header for column in sheet.columns])
        for index, column in enumerate(sheet.columns, start=1):
            cell = worksheet.cell(row=1, column=index)
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        for values in sheets.get(sheet.key, []):
            worksheet.append(values)
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
                elif isinstance(cell.value, time):
                    cell.number_format = "HH:MM"
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roles_text(roles: Iterable[Role]) -> str:
    order = [Role.ADMIN, Role.LEADER, Role.MEMBER]
    return ", ".join(ROLE_NAMES[role] for role in order if role in set(roles))
