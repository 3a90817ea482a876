"""Lists of people in chat stop at a phone's length and say how many more there are."""

from __future__ import annotations

from bot.render import LIST_LINES
from bot.render.admin import unlinked
from db.models import Person


def test_a_long_list_stops_and_says_where_the_rest_is() -> None:
    people = [
        Person(code=f"CB{n:04d}", full_name=f"Người thứ {n}", phone="0901234567")
        for n in range(1, 301)
    ]
    messages = unlinked(people, "vi")
    text = "\n".join(messages)
    assert len(messages) == 1 and len(text) < 4096
    assert text.count("\n• ") == LIST_LINES + 1
    assert "• và 260 đồng chí khác. Danh sách đầy đủ có trong tệp danh sách cán bộ" in text
    assert "CB0040" in text and "CB0041" not in text

    few = "\n".join(unlinked(people[:LIST_LINES], "vi"))
    assert "đồng chí khác" not in few and "CB0040" in few
