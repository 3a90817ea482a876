"""Lists of people in chat stop at a phone's length and say how many more there are."""

from __future__ import annotations

from bot.render.admin import UNLINKED_PAGE, unlinked
from db.models import Person


def test_a_long_list_is_paged_with_a_button_per_person() -> None:
    people = [
        Person(id=n, code=f"CB{n:04d}", full_name=f"Người thứ {n}", phone="0901234567")
        for n in range(1, 301)
    ]
    first = unlinked(people, 0, "vi")
    assert len(first.text) < 4096 and first.text.count("\n• ") == UNLINKED_PAGE
    assert "Trang 1/38." in first.text and "CB0008" in first.text and "CB0009" not in first.text
    rows = first.reply_markup.inline_keyboard
    assert [row[0].text for row in rows[:-1]][:2] == ["✉ Người thứ 1", "✉ Người thứ 2"]
    assert [b.text for b in rows[-1]] == ["Trang sau ▶"]
    last = unlinked(people, 99, "vi")  # a page past the end: the last one
    assert "Trang 38/38." in last.text and "CB0300" in last.text
    assert [b.text for b in last.reply_markup.inline_keyboard[-1]] == ["◀ Trang trước"]
    few = unlinked(people[:UNLINKED_PAGE], 0, "vi")
    assert "Trang" not in few.text
