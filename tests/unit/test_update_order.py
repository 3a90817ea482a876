"""One person's updates are handled in order; different people's at the same time."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.pipeline.updates import PerPersonUpdateProcessor
from db.session import create_engine, create_sessionmaker


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "U", is_bot=False)
    message = Message(update_id, date=None, chat=Chat(user_id, "private"), from_user=user)
    return Update(update_id, message=message)


async def test_same_person_in_order_different_people_concurrently(database_url: str) -> None:
    engine = create_engine(database_url)
    processor = PerPersonUpdateProcessor(create_sessionmaker(engine))
    log: list[tuple[str, int, int]] = []
    running = 0
    most_at_once = 0

    async def handle(update_id: int, user_id: int) -> None:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        log.append(("start", user_id, update_id))
        await asyncio.sleep(0.05)
        log.append(("end", user_id, update_id))
        running -= 1

    updates = [(n, 1 + n % 3) for n in range(1, 13)]  # 3 people, 4 updates each
    async with processor:
        await asyncio.gather(
            *(processor.process_update(_update(n, u), handle(n, u)) for n, u in updates)
        )
    await engine.dispose()

    for person in (1, 2, 3):
        events = [(kind, n) for kind, u, n in log if u == person]
        ids = sorted(n for n, u in updates if u == person)
        assert events == [(kind, n) for n in ids for kind in ("start", "end")]
    assert most_at_once == 3
    assert processor._locks == {}
