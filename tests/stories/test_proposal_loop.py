"""The proposal loop: a proposal raised in a report is given to a handling body, answered for
now and then finally with the official reply, the member who raised it is told at once, and
the branch's next reminder carries the answer; merged, closed and reopened; stale and forged
buttons refused with the proposal's state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.callbacks import ProposalActData, ProposalBodyData, ProposalCloseData, ProposalMergeData
from db.models import HandlingBody, Proposal, ProposalEvent, ProposalState
from tests.conftest import ZONE, link, make_settings, nothing_sent, run_jobs, start_bot, stop_bot
from tests.stories.test_reports import (
    amend_with_proposal,
    asked,
    held_as_planned,
    send_full_report,
)

PDF = b"%PDF-1.4\n% Cong van tra loi\n" + b"x" * 2000
TEXT = "Lắp đèn chiếu sáng ngõ 5 trước Tết"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


async def test_assigned_answered_told_and_carried_to_the_branch(
    roster, bot, tg, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)  # raises it, for Chi bộ Khu phố 1
    chi = await link(tg, db, "CB02", 800002)  # a leader: triages
    mai = await link(tg, db, "CB08", 800008)  # answers for the ward's People's Committee
    khanh = await link(tg, db, "CB07", 800007)  # a member with nothing to do with it
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    proposal = await db.scalar(select(Proposal))

    # The urgent proposal reaches the leaders with what they can do with it.
    urgent = await chi.expect_message(contains="Kiến nghị khẩn")
    assert urgent.button_texts == [
        "📌 Giao xử lý",
        "🔗 Gộp",
        "✍ Trả lời",
        "✖ Kết thúc, nêu lý do",
        "🕘 Quá trình xử lý",
    ]
    await chi.press("📌 Giao xử lý", message=urgent)
    picker = await chi.expect_message(contains=f"trả lời kiến nghị số {proposal.id}?")
    assert picker.button_texts == [  # a name too long for a phone's line: numbered, in full above
        "Ban Tổ chức Đảng ủy",
        "Công an phường",
        "1. Ủy ban Mặt trận Tổ quốc Việt…",
        "Ủy ban nhân dân phường",
        "✖ Hủy",
    ]
    assert "\n1. Ủy ban Mặt trận Tổ quốc Việt Nam phường" in picker.text
    await chi.press("Ủy ban nhân dân phường")
    # Assigned on 06/12 with the urgent default of 7 days.
    await chi.expect_message(
        contains=f"Đã giao Ủy ban nhân dân phường xử lý kiến nghị số {proposal.id},"
        " hạn trả lời 13/12/2026."
    )
    given = await mai.expect_message(contains="Kiến nghị giao Ủy ban nhân dân phường trả lời")
    assert TEXT in given.text and "do đồng chí Nguyễn Văn An báo cáo" in given.text
    assert given.button_texts == ["✍ Trả lời", "↪ Đề nghị giao cơ quan khác", "⏳ Xin gia hạn"]

    # The urgent notice's buttons are now stale, and say where the proposal is.
    answer = await chi.press("📌 Giao xử lý", message=urgent)
    assert answer["text"] == (
        "Kiến nghị này đã thay đổi; hiện nay: đang được Ủy ban nhân dân phường xử lý,"
        " hạn trả lời 13/12/2026."
    )

    # A typed deadline: a past day refused, a later one taken.
    await chi.send(f"/kiennghi {proposal.id}")
    card = await chi.expect_message(contains=f"Kiến nghị số {proposal.id}")
    assert "📅 Đổi hạn trả lời" in card.button_texts
    await chi.expect_message(contains="Quá trình xử lý kiến nghị")
    await chi.press("📅 Đổi hạn trả lời", message=card)
    await chi.expect_message(contains="Đề nghị đồng chí gõ hạn mới")
    await chi.send("hôm qua")
    await chi.expect_message(contains="không phải là ngày hợp lệ")
    await chi.send("01/12/2026")
    await chi.expect_message(contains="không được là ngày đã qua")
    await chi.send("20/12/2026")
    await chi.expect_message(contains=f"Hạn trả lời kiến nghị số {proposal.id} nay là 20/12/2026.")

    # Someone outside the body cannot answer, even with a forged button.
    forged = ProposalActData(proposal.id, 99, "answer").pack()
    refused = await khanh.press(data=forged, message=given)
    assert refused["text"] == (
        "Kiến nghị này không được giao cho cơ quan, đơn vị đồng chí phụ trách trả lời."
    )
    await nothing_sent(bot, khanh)

    # An interim answer: too long first (refused with its length, nothing cut), then right.
    await mai.press("✍ Trả lời", message=given)
    await mai.expect_message(contains="trong một tin nhắn (không quá 3000 ký tự)")
    await mai.send("x" * 3500)
    await mai.expect_message(contains="Nội dung trả lời có 3500 ký tự, vượt quá 3000 ký tự")
    await mai.send("Đã khảo sát, đang lập dự toán lắp 6 bóng đèn.")
    await mai.expect_message(contains="văn bản trả lời chính thức")
    await mai.press("Không kèm tệp")
    await mai.expect_message(contains="trả lời chính thức hay trả lời bước đầu")
    await mai.press("⏳ Trả lời bước đầu")
    await mai.expect_message(contains=f"Đã lưu và gửi kết quả trả lời kiến nghị số {proposal.id}")
    interim = await an.expect_message(contains="Trả lời bước đầu kiến nghị đồng chí đã nêu")
    assert "Đã khảo sát, đang lập dự toán" in interim.text

    # The final answer, with the official reply as a PDF.
    await mai.press("✍ Trả lời", message=given)
    await mai.expect_message(contains="trong một tin nhắn")
    await mai.send("UBND phường đã lắp 6 bóng đèn ngõ 5, hoàn thành ngày 10/12/2026.")
    await mai.expect_message(contains="văn bản trả lời chính thức")
    await mai.send_document("cong-van-15.pdf", PDF, "application/pdf")
    await mai.expect_message(contains="trả lời chính thức hay trả lời bước đầu")
    await mai.press("✅ Chính thức: đã giải quyết")
    await mai.expect_message(contains="Đã lưu và gửi")
    final = await an.expect_message(contains="Kết quả trả lời kiến nghị đồng chí đã nêu")
    assert "đã lắp 6 bóng đèn ngõ 5" in final.text
    stored = await db.scalar(select(Proposal))
    assert stored.state == ProposalState.ANSWERED and stored.answer_final

    # The member sees it in full, with the reply sent back.
    await an.send(f"/kiennghi {proposal.id}")
    full = await an.expect_message(contains=f"Kiến nghị số {proposal.id}")
    assert "(kèm văn bản trả lời)" in full.text and "Đặng Thị Minh Mai" in full.text
    assert "↩ Mở lại" in full.button_texts  # a leader too, who may reopen it
    history = await an.expect_message(contains="Quá trình xử lý kiến nghị")
    assert "giao Ủy ban nhân dân phường xử lý, hạn trả lời 13/12/2026" in history.text
    reply = await an.expect_message()
    assert reply.document and reply.document["file_name"] == "cong-van-15.pdf"

    # The branch's next meeting (05/01/2027): its reminder carries the answer.
    clock.set(at("2027-01-02 08:00"))
    await run_jobs(bot)
    # (Among what else the month brought him: his other branch's report request.)
    reminder = next(
        m
        for m in an.unread()
        if "Nhắc lịch sinh hoạt chi bộ" in m.text and "Chi bộ Khu phố 1" in m.text
    )
    assert "Kết quả trả lời kiến nghị kỳ trước" in reminder.text
    assert "→ UBND phường đã lắp 6 bóng đèn ngõ 5" in reminder.text

    # The next report asks whether the meeting heard the answer, in one button step.
    clock.set(at("2027-01-06 08:00"))  # the meeting of 05/01/2027 is over
    await run_jobs(bot)
    await next_request(an, "05/01/2027")
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await fill_until(an, "8/9.")
    await an.send("Thông tin kết quả trả lời kiến nghị lắp đèn.")
    asked_conveyed = await an.expect_message(
        contains="8/9 (tiếp). Kết quả trả lời kiến nghị kỳ trước"
    )
    assert "→ UBND phường đã lắp 6 bóng đèn ngõ 5" in asked_conveyed.text
    assert asked_conveyed.button_texts[:3] == [
        "Đã thông tin, chi bộ đồng tình",
        "Đã thông tin, chi bộ còn ý kiến",
        "Chưa thông tin được",
    ]
    await an.press("Đã thông tin, chi bộ đồng tình")
    await an.expect_message(contains="9/9.")
    await an.press("✅ Xong")
    await an.expect_message(contains="xếp loại chất lượng")
    await an.press("Tốt")
    await an.expect_message(contains="chưa tương xứng với mức “Tốt”")  # asked once more
    await an.press("Tốt")
    await an.expect_message(contains="Nhận xét thêm")
    await an.press("Bỏ qua")
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Kết quả trả lời kiến nghị kỳ trước: đã thông tin, chi bộ đồng tình" in review.text
    # Each edit button says what it edits: the contribution, and the answers conveyed.
    edits = [label for label in review.button_texts if label.startswith("✏")]
    assert len(edits) == len(set(edits)) and "✏ Trả lời kỳ trước" in edits
    await an.press("✏ Trả lời kỳ trước", message=review)
    await an.expect_message(contains="8/9 (tiếp). Kết quả trả lời kiến nghị kỳ trước")
    await an.press("Chưa thông tin được")
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Kết quả trả lời kiến nghị kỳ trước: chưa thông tin được" in review.text
    await an.press("✏ Trả lời kỳ trước", message=review)
    await an.expect_message(contains="8/9 (tiếp). Kết quả trả lời kiến nghị kỳ trước")
    await an.press("Đã thông tin, chi bộ còn ý kiến")  # what the branch said is asked for
    await an.expect_message(contains="ghi ý kiến của chi bộ trong một tin nhắn")
    await an.send("Chi bộ đề nghị lắp thêm đèn ở ngõ 7.")
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Ý kiến của chi bộ: Chi bộ đề nghị lắp thêm đèn ở ngõ 7." in review.text
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains="✅ Đã nhận báo cáo số")
    conveyed = await db.scalar(select(Proposal).where(Proposal.id == proposal.id))
    assert conveyed.conveyed_at is not None and conveyed.conveyed_note == "concerns"
    said = await db.scalar(select(ProposalEvent).where(ProposalEvent.kind == "conveyed"))
    assert said.details["opinion"] == "Chi bộ đề nghị lắp thêm đèn ở ngõ 7."

    kinds = [e.kind for (e,) in await db.all(select(ProposalEvent).order_by(ProposalEvent.id))]
    assert kinds[:6] == [
        "raised",
        "assigned",
        "deadline",
        "answered_interim",
        "answered",
        "conveyed",
    ]


async def next_request(user, day: str):
    """The report request of the meeting on `day`, past whatever else came."""
    for _ in range(20):
        message = await user.expect_message()
        if "Mời đồng chí" in message.text and day in message.text:
            return message
    raise AssertionError(f"no report request for {day}")


async def fill_until(user, step: str) -> None:
    """A short report from step 1 to `step`: held as planned, 20 of 22, one topic."""
    await held_as_planned(user, "20/22")
    await user.send("Chi bộ thông tin kết quả trả lời kiến nghị.")
    await user.expect_message(contains="Đã nhận")
    await user.press("✅ Xong")
    await user.expect_message(contains="6/9.")
    await user.press("Không có")
    await user.expect_message(contains="7/9.")
    await user.press("Không có")
    await user.expect_message(contains=step)


async def test_merged_closed_reopened_and_the_undeliverable_told_once(
    roster, bot, tg, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)
    cuong = await link(tg, db, "CB04", 800004)  # a leader
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    first = await cuong.expect_message(contains="Kiến nghị khẩn")
    proposal = await db.scalar(select(Proposal))

    # Closed with a reason: the member is told; its buttons are stale; reopened.
    await cuong.press("✖ Kết thúc, nêu lý do", message=first)
    await cuong.expect_message(contains="Lý do kết thúc kiến nghị")
    await cuong.press("Đã được giải quyết")
    await cuong.expect_message(
        contains=f"Đã kết thúc kiến nghị số {proposal.id}: đã được giải quyết."
    )
    told = await an.expect_message(contains="Kiến nghị đồng chí đã nêu")
    assert "đã kết thúc: đã được giải quyết" in told.text
    stale = await cuong.press("🔗 Gộp", message=first)
    assert stale["text"] == "Kiến nghị này đã thay đổi; hiện nay: đã kết thúc: đã được giải quyết."
    await cuong.send(f"/kiennghi {proposal.id}")
    card = await cuong.expect_message(contains=f"Kiến nghị số {proposal.id}")
    await cuong.expect_message(contains="Quá trình xử lý")
    assert card.button_texts == ["↩ Mở lại", "🕘 Quá trình xử lý"]
    await cuong.press("↩ Mở lại", message=card)
    await cuong.expect_message(contains="đã được mở lại")

    # Open again and with no body: on the leader's list of what to assign, which /start
    # says first and opens with a button.
    await cuong.send("/start")
    await cuong.expect_message(contains="Kính chào đồng chí")
    waiting = await cuong.expect_message(contains="Việc cần đồng chí xử lý")
    assert "• Kiến nghị: cần giao xử lý: 1" in waiting.text
    assert waiting.button_texts == ["📌 Kiến nghị"]  # a leader: no office items
    await cuong.press("📌 Kiến nghị", message=waiting)
    todo = await cuong.expect_message(contains="Cần giao xử lý (1)")
    assert TEXT in todo.text

    # Given to a body nobody can receive for: the office is told, once.
    await cuong.send(f"/kiennghi {proposal.id}")
    card = await cuong.expect_message(contains=f"Kiến nghị số {proposal.id}")
    await cuong.expect_message(contains="Quá trình xử lý")
    await cuong.press("📌 Giao xử lý", message=card)
    picker = await cuong.expect_message(contains="Giao cơ quan, đơn vị nào")
    assert picker.button_texts[-1] == "✖ Hủy"  # a picker may be left with nothing chosen
    await cuong.press("✖ Hủy", message=picker)
    await cuong.expect_message(contains=f"Chưa chọn gì; kiến nghị số {proposal.id} giữ nguyên")
    assert picker.button_texts == []
    await cuong.press("📌 Giao xử lý", message=card)
    await cuong.expect_message(contains="Giao cơ quan, đơn vị nào")
    await cuong.press("Công an phường")
    assigned = await cuong.expect_message(contains="Đã giao Công an phường")
    # The leader who chose it hears at once that nobody of the body can receive it.
    assert "Chưa có cán bộ nào của cơ quan này liên kết Telegram" in assigned.text
    assert assigned.button_texts == ["📌 Giao cơ quan khác"]
    # (The office had the urgent proposal at once too: it triages with the leaders.)
    undeliverable = await next_about_proposals(admin, "không chuyển được")
    assert f"Kiến nghị số {proposal.id} đã giao Công an phường" in undeliverable.text
    await cuong.send(f"/kiennghi {proposal.id}")
    card = await cuong.expect_message(contains=f"Kiến nghị số {proposal.id}")
    await cuong.expect_message(contains="Quá trình xử lý")
    await cuong.press("📌 Giao cơ quan khác", message=card)
    await cuong.expect_message(contains="Giao cơ quan, đơn vị nào")
    await cuong.press("Công an phường")
    await cuong.expect_message(contains="Đã giao Công an phường")
    await run_jobs(bot)
    await nothing_sent(bot, admin)


async def about_proposals(user) -> list[str]:
    """Read what has come (their meetings' reminders too); the texts about proposals."""
    texts = [(await user.expect_message()).text for _ in user.unread()]
    return [text for text in texts if "kiến nghị" in text.lower()]


async def next_about_proposals(user, contains: str):
    """The next message that says this, past the reminders of their own meetings and, for a
    leader, the morning's summary."""
    for _ in range(10):
        message = await user.expect_message()
        if contains in message.text:
            return message
    raise AssertionError(f"no message with {contains!r}")


async def test_one_summary_a_morning_and_deadlines_minded(roster, bot, tg, db, clock, admin):
    an = await link(tg, db, "CB01", 800001)
    chi = await link(tg, db, "CB04", 800004)  # a leader whose own meeting is late in the month
    mai = await link(tg, db, "CB08", 800008)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    urgent = await chi.expect_message(contains="Kiến nghị khẩn")
    proposal = await db.scalar(select(Proposal))

    # 07:30: one summary for each who triages, the office too; once that morning.
    clock.set(at("2026-12-06 07:30"))
    await run_jobs(bot)
    summary = await chi.expect_message(contains="Tình hình xử lý kiến nghị, ngày 06/12/2026")
    assert "Chờ giao xử lý: 1" in summary.text and TEXT[:30] in summary.text
    assert summary.button_texts == [f"Xem số {proposal.id}"]
    await admin.expect_message(contains="Kiến nghị khẩn")  # the office triages too
    await admin.expect_message(contains="Tình hình xử lý kiến nghị, ngày 06/12/2026")
    clock.set(at("2026-12-06 09:00"))
    await run_jobs(bot)
    await nothing_sent(bot, chi)
    await nothing_sent(bot, admin)

    await chi.press("📌 Giao xử lý", message=urgent)
    await chi.expect_message(contains="Giao cơ quan, đơn vị nào")
    await chi.press("Ủy ban nhân dân phường")
    await chi.expect_message(contains="hạn trả lời 13/12/2026")
    await mai.expect_message(contains="Kiến nghị giao Ủy ban nhân dân phường trả lời")

    # Two days before the deadline, the body is reminded, once.
    clock.set(at("2026-12-10 07:30"))
    await run_jobs(bot)
    assert await about_proposals(mai) == []
    assert await about_proposals(chi) == []  # nothing to assign, nothing late: no summary
    clock.set(at("2026-12-11 07:30"))
    await run_jobs(bot)
    due = await next_about_proposals(mai, "có hạn trả lời 13/12/2026")
    assert due.button_texts == ["✍ Trả lời", "↪ Đề nghị giao cơ quan khác", "⏳ Xin gia hạn"]
    clock.set(at("2026-12-12 07:30"))
    await run_jobs(bot)
    assert await about_proposals(mai) == []

    # Past it, the leaders hear of it in each morning's summary until it is answered.
    for morning in ("2026-12-14 07:30", "2026-12-15 07:30"):
        clock.set(at(morning))
        await run_jobs(bot)
        late = await next_about_proposals(chi, "Quá hạn trả lời: 1")
        assert "(13/12/2026)" in late.text
        assert await about_proposals(chi) == []


async def test_merged_then_given_back_and_more_time_asked(roster, bot, tg, db, clock, admin):
    an = await link(tg, db, "CB01", 800001)
    dung = await link(tg, db, "CB04", 800004)  # a leader
    mai = await link(tg, db, "CB08", 800008)  # answers for the People's Committee
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    await dung.expect_message(contains="Kiến nghị khẩn")
    # The report amended with a second proposal that says much the same.
    await amend_with_proposal(
        an, "Lắp thêm đèn đường ngõ 5", "Hạ tầng giao thông, điện, nước", "🔴 Khẩn"
    )
    second = await dung.expect_message(contains="Lắp thêm đèn đường ngõ 5")
    first_id, second_id = [p.id for (p,) in await db.all(select(Proposal).order_by(Proposal.id))]

    await dung.press("🔗 Gộp", message=second)
    picker = await dung.expect_message(contains=f"Gộp kiến nghị số {second_id} vào")
    assert picker.button_texts == [f"Gộp vào số {first_id}", "✖ Hủy"]
    await dung.press(f"Gộp vào số {first_id}")
    await dung.expect_message(
        contains=f"Đã gộp kiến nghị số {second_id} vào kiến nghị số {first_id}"
    )
    stale = await dung.press("📌 Giao xử lý", message=second)
    assert stale["text"] == f"Kiến nghị này đã thay đổi; hiện nay: gộp vào kiến nghị số {first_id}."

    await dung.send(f"/kiennghi {first_id}")
    card = await dung.expect_message(contains=f"Kiến nghị số {first_id}")
    history = await dung.expect_message(contains="Quá trình xử lý")
    assert f"kiến nghị số {second_id} được gộp vào kiến nghị này (Phạm Minh Dũng)" in history.text
    await dung.press("📌 Giao xử lý", message=card)
    await dung.expect_message(contains="Giao cơ quan, đơn vị nào")
    await dung.press("Ủy ban nhân dân phường")
    await dung.expect_message(contains="Đã giao Ủy ban nhân dân phường")
    given = await mai.expect_message(contains="Kiến nghị giao Ủy ban nhân dân phường trả lời")
    answer_button = given.buttons[0]["callback_data"]

    # The body asks for more time, then says it is another body's: the office hears both.
    await mai.press("⏳ Xin gia hạn", message=given)
    await mai.expect_message(contains=f"Đã gửi đề nghị gia hạn trả lời kiến nghị số {first_id}")
    more_time = await next_about_proposals(admin, "Đề nghị gia hạn trả lời kiến nghị số")
    assert "📅 Đổi hạn trả lời" in more_time.button_texts
    await mai.press("↪ Đề nghị giao cơ quan khác", message=given)
    await mai.expect_message(contains="đã được chuyển lại để giao cơ quan, đơn vị khác")
    back = await admin.expect_message(contains="được chuyển lại")
    assert back.button_texts[0] == "📌 Giao xử lý"
    refused = await mai.press(data=answer_button, message=given)  # its notice, pressed late
    assert (
        refused["text"]
        == "Kiến nghị này không được giao cho cơ quan, đơn vị đồng chí phụ trách trả lời."
    )

    # The leaders triage too: they heard both.
    await dung.expect_message(contains="Đề nghị gia hạn trả lời kiến nghị số")
    await dung.expect_message(contains="được chuyển lại")

    # Answered directly by the leader: the answer reaches the merged proposal too.
    await dung.send(f"/kiennghi {first_id}")
    card = await dung.expect_message(contains=f"Kiến nghị số {first_id}")
    await dung.expect_message(contains="Quá trình xử lý")
    await dung.press("✍ Trả lời", message=card)
    await dung.expect_message(contains="trong một tin nhắn")
    await dung.send("Đã đưa vào kế hoạch chiếu sáng năm 2027.")
    await dung.expect_message(contains="văn bản trả lời chính thức")
    await dung.press("Không kèm tệp")
    await dung.expect_message(contains="trả lời chính thức hay trả lời bước đầu")
    await dung.press("✅ Chính thức: đã giải quyết")
    await dung.expect_message(contains="Đã lưu và gửi")
    # (He is a leader too, and heard what the leaders heard; then the two answers.)
    answers = [await next_about_proposals(an, "Kết quả trả lời") for _ in range(2)]
    assert all("kế hoạch chiếu sáng năm 2027" in m.text for m in answers)
    merged = await db.scalar(select(Proposal).where(Proposal.id == second_id))
    assert merged.state == ProposalState.MERGED and merged.answer.startswith("Đã đưa vào")


async def test_a_normal_proposal_waits_for_the_morning_and_a_stand_in_carries_the_answer(
    roster, bot, tg, db, clock, admin
):
    an = await link(tg, db, "CB01", 800001)
    dung = await link(tg, db, "CB04", 800004)  # a leader
    mai = await link(tg, db, "CB08", 800008)  # answers for the People's Committee
    hanh = await link(tg, db, "CB05", 800005)  # will stand in at Khu phố 1
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)  # an urgent proposal: the leaders hear of it at once
    urgent = await dung.expect_message(contains="Kiến nghị khẩn")
    # A normal one added to the same report: nobody hears of it until the morning's summary.
    await amend_with_proposal(
        an,
        "Tổ chức lớp tập huấn phòng cháy cho các hộ kinh doanh",
        "An ninh, trật tự",
        "Thường",
    )
    await run_jobs(bot)
    assert await about_proposals(dung) == []
    clock.set(at("2026-12-06 07:30"))
    await run_jobs(bot)
    summary = await next_about_proposals(dung, "Chờ giao xử lý: 2")
    assert "Tổ chức lớp tập huấn phòng cháy" in summary.text

    # The urgent one assigned and answered.
    await dung.press("📌 Giao xử lý", message=urgent)
    await dung.expect_message(contains="Giao cơ quan, đơn vị nào")
    await dung.press("Ủy ban nhân dân phường")
    await dung.expect_message(contains="Đã giao Ủy ban nhân dân phường")
    given = await next_about_proposals(mai, "Kiến nghị giao Ủy ban nhân dân phường trả lời")
    await mai.press("✍ Trả lời", message=given)
    await mai.expect_message(contains="trong một tin nhắn")
    await mai.send("Đã lắp 6 bóng đèn ngõ 5.")
    await mai.expect_message(contains="văn bản trả lời chính thức")
    await mai.press("Không kèm tệp")
    await mai.expect_message(contains="trả lời chính thức hay trả lời bước đầu")
    await mai.press("✅ Chính thức: đã giải quyết")
    await mai.expect_message(contains="Đã lưu và gửi")
    await next_about_proposals(an, "Kết quả trả lời kiến nghị đồng chí đã nêu")

    # The next meeting (05/01/2027): its member cannot go; a stand-in goes, and carries it.
    clock.set(at("2027-01-02 08:00"))
    await run_jobs(bot)
    for message in an.unread():
        await an.expect_message()
        if "Nhắc lịch sinh hoạt chi bộ" in message.text and "Chi bộ Khu phố 1" in message.text:
            reminder = message
    await an.press("❌ Không dự được", message=reminder)
    await an.expect_message(contains="cho biết lý do")
    await an.press("Đi công tác")
    await an.expect_message(contains="vắng mặt")
    notice = await next_about_proposals(admin, "Đồng chí Nguyễn Văn An không dự được")
    await admin.press("Hoàng Thị Hồng Hạnh", message=notice)
    await next_about_proposals(admin, "Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    invitation = None
    for _ in range(10):
        message = await hanh.expect_message()
        if "Đề nghị dự thay sinh hoạt chi bộ" in message.text:
            invitation = message
            break
    await hanh.press("✅ Đồng ý dự thay", message=invitation)
    await hanh.expect_message(contains="hệ thống sẽ gửi tin nhắc lịch")
    clock.set(at("2027-01-04 08:00"))
    await run_jobs(bot)
    carried = [m for m in hanh.unread() if "Đồng chí dự thay đồng chí Nguyễn Văn An" in m.text]
    assert carried, [m.text[:80] for m in hanh.unread()]
    assert "Kết quả trả lời kiến nghị kỳ trước" in carried[0].text
    assert "→ Đã lắp 6 bóng đèn ngõ 5." in carried[0].text


async def test_with_the_office_triaging_a_leader_is_refused_at_the_button(
    roster, tg, database_url, db, clock, admin
) -> None:
    """CHIBO_PROPOSAL_TRIAGE=office: the triage buttons are the office's; a leader who holds an
    old one (or forges it) is refused before anything is read, and nothing changes."""
    app = await start_bot(make_settings(tg, database_url, proposal_triage="office"), clock)
    try:
        an = await link(tg, db, "CB01", 800001)
        chi = await link(tg, db, "CB02", 800002)  # a leader, who does not triage here
        await asked(app, clock, an)
        await an.press("📝 Báo cáo ngay")
        await an.expect_message(contains="1/9.")
        await send_full_report(an)
        proposal = await db.scalar(select(Proposal))
        body = await db.scalar(select(HandlingBody).where(HandlingBody.name.like("Công an%")))
        assert proposal is not None and body is not None
        report = an.all_messages()[-1]  # any message will do: the data is what is pressed
        for data in (
            ProposalBodyData(proposal.id, proposal.revision, body.id),
            ProposalMergeData(proposal.id, proposal.revision, proposal.id),
            ProposalCloseData(proposal.id, proposal.revision, "solved"),
        ):
            refused = await chi.press(data=data.pack(), message=report)
            assert refused["text"] == "Chức năng này không thuộc quyền hạn của đồng chí."
        await nothing_sent(app, chi)
        assert (await db.scalar(select(Proposal))).state == ProposalState.NEW
    finally:
        await stop_bot(app)
