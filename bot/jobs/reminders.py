"""Queue the reminders that are due, and hand meetings that fall in an absence to the office."""

from __future__ import annotations

from bot import outbox_keys
from bot.notify import deliver, wake_sender_after_commit
from bot.outbox import enqueue, enqueue_file
from bot.render import documents as document_screens
from bot.render import meetings as screens
from bot.runtime import Runtime, unit_of_work
from bot.services.attendance import AttendanceService
from bot.services.reminders import ReminderService


async def queue_reminders(runtime: Runtime) -> int:
    settings, clock = runtime.settings, runtime.clock
    zone = settings.zone
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        service = ReminderService(db, clock, zone, settings.reminder_slots)
        due, declined = await service.due()
        now = clock.now()
        for reminder in due:
            lang = reminder.person.language or settings.locale
            await enqueue(
                db,
                key=reminder.key,
                chat_id=reminder.person.telegram_user_id,
                person_id=reminder.person.id,
                screen=screens.reminder(reminder, zone, lang),
                due_at=reminder.due_at,
                expires_at=reminder.meeting.starts_at,
                now=now,
            )
            for document in reminder.documents:
                # Once per person and document, whichever reminder comes first after it.
                await enqueue_file(
                    db,
                    key=outbox_keys.meeting_document(document.id, reminder.person.id),
                    chat_id=reminder.person.telegram_user_id,
                    person_id=reminder.person.id,
                    file_id=document.file_id,
                    method=document.method,
                    caption=document_screens.caption(document, lang),
                    due_at=reminder.due_at,
                    expires_at=reminder.meeting.starts_at,
                    now=now,
                )
        attendance = AttendanceService(db, clock, zone)
        for item in declined:
            result = await attendance.absent(item.meeting, item.branch, item.person)
            await deliver(db, runtime, result.notices)
        if due:
            wake_sender_after_commit(runtime)
        await unit.finish()
    return len(due)
