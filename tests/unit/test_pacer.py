"""The sender's pacing, against Telegram's limits, with time simulated."""

from __future__ import annotations

from itertools import pairwise

from bot.outbox.sender import Pacer


def schedule(pacer: Pacer, chats: list[int]) -> list[tuple[float, int]]:
    """When each message would start, sending as early as the pacer allows."""
    now, starts = 0.0, []
    for chat in chats:
        while (wait := pacer.wait(chat, now)) > 0:
            now += wait
        starts.append((now, chat))
    return starts


def test_a_group_gets_a_message_a_second_and_at_most_19_a_minute() -> None:
    starts = [t for t, _ in schedule(Pacer(), [-100] * 45)]
    assert all(b - a >= 1.05 - 1e-9 for a, b in pairwise(starts))
    for t in starts:
        assert sum(1 for u in starts if t <= u < t + 60) <= 19
    assert starts[3] < 4  # a digest's four messages go out within a few seconds


def test_private_chats_one_a_second_and_29_a_second_in_all() -> None:
    chats = [n for n in range(1, 61)] * 2
    starts = schedule(Pacer(), chats)
    for t, _ in starts:
        assert sum(1 for u, _ in starts if t <= u < t + 1) <= 29
    by_chat: dict[int, list[float]] = {}
    for t, chat in starts:
        by_chat.setdefault(chat, []).append(t)
    for times in by_chat.values():
        assert all(b - a >= 1.05 - 1e-9 for a, b in pairwise(times))
