"""The sender's pacing, against Telegram's limits, with time simulated."""

from __future__ import annotations

import heapq
import random
from itertools import pairwise

from bot.outbox.sender import Pacer


def schedule(pacer: Pacer, chats: list[int]) -> list[tuple[float, int]]:
    """When each message would start, sending as early as the pacer allows, each answered
    at once."""
    now, starts = 0.0, []
    for chat in chats:
        while (wait := pacer.wait(chat, now)) > 0:
            now += wait
        pacer.answered(chat, now)
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


def test_a_message_without_its_answer_keeps_its_place_in_the_second() -> None:
    pacer, now = Pacer(), 0.0
    for chat in range(1, 30):
        while (wait := pacer.wait(chat, now)) > 0:
            now += wait
    assert now < 1
    assert pacer.wait(100, 5.0) > 0  # 29 still in flight, long after they began
    pacer.answered(1, 5.0)
    assert pacer.wait(100, 5.5) > 0  # the answered one counts for one more second
    assert pacer.wait(100, 6.0) == 0


def test_uneven_delays_never_put_30_in_telegrams_second() -> None:
    """16 sends at once, each taking 5 to 300 ms and reaching Telegram at any moment of that:
    Telegram never counts 30 in a second, and the pace stays near 29 a second."""
    rng = random.Random(7)
    pacer, now, in_flight, arrivals = Pacer(), 0.0, [], []
    chats = iter(range(1, 601))
    chat = next(chats, None)
    while chat is not None or in_flight:
        if chat is not None and len(in_flight) < 16 and (wait := pacer.wait(chat, now)) == 0:
            took = rng.uniform(0.005, 0.3)
            arrivals.append(now + rng.uniform(0, took))
            heapq.heappush(in_flight, (now + took, chat))
            chat = next(chats, None)
            continue
        ends = in_flight[0][0] if in_flight else float("inf")
        step = min(ends, now + wait if chat is not None and len(in_flight) < 16 else ends)
        now = max(now, step)
        while in_flight and in_flight[0][0] <= now:
            _, done = heapq.heappop(in_flight)
            pacer.answered(done, now)
    arrivals.sort()
    assert max(sum(1 for b in arrivals if a - 1 < b <= a) for a in arrivals) <= 29
    assert 600 / arrivals[-1] > 24


def test_answers_keep_their_chats_pace_and_count_in_the_second() -> None:
    free = Pacer(answers_wait_for_second=False)  # a local server with no limit of its own
    assert all(free.wait(chat, 0.0, answer=True) == 0 for chat in range(1, 41))
    assert free.wait(1, 0.5, answer=True) > 0  # a chat's next answer waits its second
    assert free.wait(200, 0.5) > 0  # the outbox waits for the second the answers filled
    held = Pacer()  # Telegram: answers wait for the second like the outbox's messages
    assert held.wait(1, 0.0, answer=True) == 0
    assert held.wait(2, 0.0, answer=True) > 0
