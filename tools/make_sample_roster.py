"""Writes examples/roster-sample.xlsx: an invented ward committee, its 30 branches, 25 committee
members and their assignments, and the default topic catalog. No real officials.

    python tools/make_sample_roster.py
"""

from __future__ import annotations

import sys
from datetime import date, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.formats.roster_workbook import write_workbook  # noqa: E402
from bot.services.topics import DEFAULT_PROPOSAL_FIELDS, DEFAULT_TOPICS  # noqa: E402

OUT = ROOT / "examples" / "roster-sample.xlsx"

UNITS = [
    ["DBP", "Đảng bộ phường Thành Cổ", None, "Đảng bộ phường"],
    ["KV1", "Khu vực 1 (các khu phố nội thị)", "DBP", "Cụm chi bộ"],
    ["KV2", "Khu vực 2 (các thôn ven đô)", "DBP", "Cụm chi bộ"],
]
SCHEDULES = [
    "ngày 5",
    "ngày 10",
    "Chủ nhật tuần 1",
    "thứ Bảy cuối tháng",
    "ngày 15",
    "ngày 20",
    "thứ Bảy tuần 2",
    "ngày 25",
    "Chủ nhật tuần 3",
    "ngày 31",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang"]
MIDDLE_FEMALE = ["Thị", "Thị Thu", "Thị Minh", "Ngọc", "Thị Hồng"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Lan",
    "Mai",
    "Nga",
    "Oanh",
    "Thảo",
    "Vân",
]
TITLES = [
    "Bí thư Đảng ủy phường",
    "Phó Bí thư Thường trực Đảng ủy",
    "Phó Bí thư, Chủ tịch UBND phường",
    "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra",
    "Ủy viên Ban Thường vụ, Chủ tịch UBMTTQ",
] + ["Đảng ủy viên"] * 20


def people() -> list[list[object]]:
    rows = []
    for n in range(25):
        female = n % 3 == 1
        name = " ".join(
            [
                FAMILY[n % len(FAMILY)],
                (MIDDLE_FEMALE if female else MIDDLE_MALE)[n % 5],
                (GIVEN_FEMALE if female else GIVEN_MALE)[n % 12],
            ]
        )
        roles = "lãnh đạo, thành viên" if n < 5 else "thành viên"
        if n == 24:
            roles = "quản trị"
            name, title = "Đinh Thị Yến", "Chánh Văn phòng Đảng ủy"
        else:
            title = TITLES[n]
        phone = f"09{n % 10}{(n * 7919 + 1_234_567) % 10_000_000:07d}"
        rows.append([f"CB{n + 1:02d}", name, title, phone, roles, None])
    return rows


def main() -> None:
    branches = []
    for n in range(30):
        urban = n < 18
        name = f"Chi bộ Khu phố {n + 1}" if urban else f"Chi bộ Thôn {n - 17}"
        secretary = f"{FAMILY[(n + 5) % 12]} {MIDDLE_MALE[n % 5]} {GIVEN_MALE[(n + 3) % 13]}"
        branches.append(
            [
                f"KP{n + 1:02d}" if urban else f"TH{n - 17:02d}",
                name,
                "KV1" if urban else "KV2",
                SCHEDULES[n % len(SCHEDULES)],
                time(19, 30) if urban else time(14, 0),
                90 if n % 4 else 120,
                f"Nhà văn hóa {name.removeprefix('Chi bộ ')}",
                secretary,
                f"0235 38{n:02d} {100 + n * 3:03d}",
            ]
        )
    assignments = []
    for n, branch in enumerate(branches):
        person = f"CB{(n % 23) + 1:02d}"
        assignments.append([person, branch[0], date(2025, 7, 1), None, None])
    assignments.append(
        [
            "CB01",
            branches[29][0],
            date(2025, 7, 1),
            date(2025, 12, 31),
            "Theo dõi thêm đến hết năm 2025",
        ]
    )
    topics = [[f"CD{n + 1:02d}", name, n + 1] for n, name in enumerate(DEFAULT_TOPICS)]
    fields = [[f"LV{n + 1:02d}", name, n + 1] for n, name in enumerate(DEFAULT_PROPOSAL_FIELDS)]
    # Who answers proposals: a person may answer for several bodies.
    bodies = [
        ["UBND", "Ủy ban nhân dân phường", "CB03, CB08"],
        ["BTC", "Ban Tổ chức Đảng ủy", "CB02"],
        ["CA", "Công an phường", "CB09"],
        ["MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "CB05, CB02"],
    ]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(
        write_workbook(
            {
                "units": UNITS,
                "branches": branches,
                "people": people(),
                "assignments": assignments,
                "topics": topics,
                "fields": fields,
                "bodies": bodies,
            }
        )
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
