"""Callback data: each action's class packs and parses its own shape and nothing else."""

from __future__ import annotations

import pytest

from bot import callbacks as cb


def test_a_press_round_trips_into_named_typed_values() -> None:
    data = cb.RsvpData(meeting_id=4182, revision=3, answer="y")
    packed = data.pack()
    assert packed == "1:rsvp:4182:3:y"
    assert cb.RsvpData.parse(packed) == data
    post = cb.DigestPostData.parse("1:dgp:7:2026-11:0")
    assert post is not None and (post.root_id, post.month, post.reposts) == (7, "2026-11", 0)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "1:rsvp",  # no parts
        "1:rsvp:12:3",  # a part missing
        "1:rsvp:12:3:y:extra",  # one too many
        "1:rsvp:x:3:y",  # an id that is not a number
        "1:rsvp:12:3:maybe",  # a choice no button carries
        "1:rsvp:123456789012345678:3:y",  # a number longer than any id (or chat id)
        "0:rsvp:12:3:y",  # an older version: a stale button
        "1:why:12:3:y",  # another action's data
        "1:rsvp:12:3:y y",  # not plain
    ],
)
def test_anything_but_the_exact_shape_is_refused(data: str | None) -> None:
    assert cb.RsvpData.parse(data) is None


def test_a_button_that_does_not_fit_cannot_be_made() -> None:
    with pytest.raises(ValueError):
        cb.RsvpData(1, 1, "maybe").pack()  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cb.ReportChoiceData(1, 1, "x" * 60).pack()
    with pytest.raises(ValueError):
        cb.ReportEditData(1, 1, "two words").pack()


def test_every_action_is_declared_once_and_fits_in_64_bytes() -> None:
    assert len(cb.ACTIONS) == len({c.action for c in cb.ACTIONS.values()})
    for data_class in cb.ACTIONS.values():
        values = {}
        for name, kind in data_class._parts:
            if kind is int:
                values[name] = -(10**10)  # twelve characters: the longest number a part may hold
            elif isinstance(kind, frozenset):
                values[name] = max(kind, key=len)
            else:
                values[name] = "x" * 20
        assert len(data_class(**values).pack().encode()) <= cb.LIMIT
    # A supergroup's chat id is longer than any other number: -100 and 13 digits.
    biggest = cb.GroupRegisterData(-1009999999999999, "ok").pack()
    assert cb.GroupRegisterData.parse(biggest) is not None and len(biggest) <= cb.LIMIT
