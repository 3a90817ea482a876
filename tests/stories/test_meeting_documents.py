"""The meeting's documents: the office sends a file and says, with buttons, which meetings it
is for; the first reminder after it carries it, once per person and file, across a restart;
the member confirms receiving it and asks for it again with /tailieu; the office sees who has
not confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.callbacks import DocSendData, DocsReceivedData
from db.models import DocumentReceipt, Meeting, MeetingDocument, OutboxMessage, StoredFile, Unit
from tests.conftest import ZONE, link, nothing_sent, run_jobs, start_bot, stop_bot

PDF = b"%PDF-1.4\n% Nghi quyet\n" + b"x" * 3000
JPEG = b"\xff\xd8\xff\xe0" + b"so do" * 100


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


async def test_documents_go_with_the_reminder_once_and_are_acknowledged(
    roster, settings, tg, db, clock, admin
) -> None:
    clock.set(at("2026-12-01 10:00"))
    bot = await start_bot(settings, clock)
    an = await link(tg, db, "CB01", 800001)  # KP01, meeting on 05/12
    chi = await link(tg, db, "CB02", 800002)  # KP02, meeting on 10/12

    # A resolution for every branch under KV1, the unit's code typed after a wrong one.
    await admin.send_document(
        "nghi-quyet-05.pdf", PDF, "application/pdf", caption="Nghị quyết số 05-NQ/ĐU"
    )
    asked = await admin.expect_message(contains="Đã nhận tệp “nghi-quyet-05.pdf” (3 KB)")
    december = asked.buttons[0]["callback_data"]
    await admin.press("Tháng 12/2026")
    await admin.expect_message(contains="Tài liệu dùng cho sinh hoạt của chi bộ nào?")
    await admin.press("Một đơn vị hoặc chi bộ (gõ mã)")
    await admin.expect_message(contains="gõ mã đơn vị hoặc mã chi bộ")
    await admin.send("KV9")
    await admin.expect_message(contains="Không có đơn vị hoặc chi bộ nào có mã “KV9”")
    await admin.send("kv1")
    check = await admin.expect_message(contains="kiểm tra trước khi lưu")
    assert "Tài liệu: Nghị quyết số 05-NQ/ĐU" in check.text
    assert "Dùng cho: sinh hoạt tháng 12/2026, Khu vực 1 (các khu phố nội thị)" in check.text
    assert check.button_texts == ["✅ Lưu", "✖ Hủy"]
    await admin.press("✅ Lưu")
    await admin.expect_message(contains="✅ Đã lưu tài liệu “Nghị quyết số 05-NQ/ĐU”")
    # The month buttons of a finished upload are stale.
    answer = await admin.press(data=december, message=asked)
    assert "không còn hiệu lực" in answer["text"]

    # A photo for KP01 alone, sent without a caption: the title is asked, a long one refused.
    await admin.send_photo(JPEG)
    await admin.expect_message(contains="Đã nhận tệp")
    await admin.press("Tháng 12/2026")
    await admin.expect_message(contains="chi bộ nào?")
    await admin.press("Một đơn vị hoặc chi bộ (gõ mã)")
    await admin.expect_message(contains="gõ mã")
    await admin.send("KP01")
    await admin.expect_message(contains="gõ tên ngắn của tài liệu")
    await admin.send_sticker()
    await admin.expect_message(contains="gõ nội dung bằng chữ")
    await admin.send("T" * 250)
    await admin.expect_message(contains="Tên tài liệu có 250 ký tự, vượt quá 200 ký tự.")
    await admin.send("Sơ đồ tuyến đường văn minh Khu phố 1")
    await admin.expect_message(contains="Dùng cho: sinh hoạt tháng 12/2026, Chi bộ Khu phố 1")
    await admin.press("✅ Lưu")
    await admin.expect_message(contains="Đã lưu tài liệu")

    # A third, cancelled: nothing of it is kept.
    await admin.send_document("nhap.docx", b"PK\x03\x04draft", "application/msword")
    await admin.expect_message(contains="Đã nhận tệp")
    await admin.press("✖ Hủy")
    await admin.expect_message(contains="Đã hủy; tệp không được lưu.")
    assert await db.scalar(select(func.count()).select_from(MeetingDocument)) == 2
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 2

    # A restart between the upload and the reminder loses nothing.
    await stop_bot(bot)
    bot = await start_bot(settings, clock)

    clock.set(at("2026-12-02 08:00"))  # the 3-day reminder of KP01's meeting on 05/12
    await run_jobs(bot)
    reminder = await an.expect_message(contains="Nhắc lịch sinh hoạt chi bộ")
    assert "Tài liệu phổ biến tại buổi sinh hoạt" in reminder.text
    assert "• Nghị quyết số 05-NQ/ĐU" in reminder.text
    assert "• Sơ đồ tuyến đường văn minh Khu phố 1" in reminder.text
    assert reminder.button_texts[-1] == "📎 Đã nhận tài liệu"
    resolution = await an.expect_message(contains="Nghị quyết số 05-NQ/ĐU")
    assert resolution.document["file_name"] == "nghi-quyet-05.pdf"
    assert tg.files[resolution.document["file_id"]].content == PDF
    photo = await an.expect_message(contains="Sơ đồ tuyến đường")
    assert photo.photo
    await nothing_sent(bot, chi)  # KP02's reminders come on 07/12

    # The office sees who has not confirmed receiving them.
    await admin.send("/tailieu")
    overview = await admin.expect_message(contains="Tài liệu Văn phòng đã gửi kèm lịch")
    assert "Đã gửi cho 1 đồng chí; 1 đồng chí chưa xác nhận đã nhận." in overview.text
    assert "Chưa xác nhận: Nguyễn Văn An." in overview.text

    receipt = reminder.buttons[-1]["callback_data"]
    answer = await an.press("📎 Đã nhận tài liệu", message=reminder)
    assert answer["text"] == "Đã ghi nhận đồng chí đã nhận tài liệu. Xin cảm ơn đồng chí."
    await tg.wait_for(lambda: "📎 Đã nhận tài liệu" not in reminder.button_texts, 5)
    # The receipt is done with: its button goes, the answer's buttons stay.
    assert reminder.button_texts == ["✅ Sẽ dự", "❌ Không dự được", "📅 Báo đổi lịch"]
    answer = await an.press(data=receipt, message=reminder)  # a double tap
    assert "đã xác nhận" in answer["text"]
    assert await db.scalar(select(func.count()).select_from(DocumentReceipt)) == 2

    # The next reminder does not send the documents again, nor ask for the receipt again.
    clock.set(at("2026-12-04 08:00"))
    await run_jobs(bot)
    second = await an.expect_message(contains="Nhắc lịch sinh hoạt chi bộ")
    assert "📎 Đã nhận tài liệu" not in second.button_texts
    await nothing_sent(bot, an)
    sent = await db.all(select(OutboxMessage.key).where(OutboxMessage.key.like("doc:%")))
    assert len(sent) == 2

    # /tailieu lists them and sends one again.
    await an.send("/tailieu")
    listing = await an.expect_message(contains="Tài liệu cho các buổi sinh hoạt sắp tới")
    assert "1. Nghị quyết số 05-NQ/ĐU ✔" in listing.text
    assert "📄 Gửi lại tài liệu 1" in listing.button_texts
    await an.press("📄 Gửi lại tài liệu 1")
    again = await an.expect_message(contains="Nghị quyết số 05-NQ/ĐU")
    assert again.document is not None

    # KP02's member has the resolution (KV1) but not KP01's photo, whatever the button says.
    photo_id = await db.scalar(
        select(MeetingDocument.id).where(MeetingDocument.title.startswith("Sơ đồ"))
    )
    kp01_meeting = await db.scalar(
        select(Meeting.id)
        .join(Unit, Unit.id == Meeting.unit_id)
        .where(Unit.code == "KP01")
        .order_by(Meeting.starts_at)
    )
    await chi.send("/tailieu")
    theirs = await chi.expect_message(contains="Nghị quyết số 05-NQ/ĐU")
    assert "Sơ đồ" not in theirs.text
    answer = await chi.press(data=DocSendData(photo_id).pack(), message=theirs)
    assert answer["text"] == "Tài liệu này không còn dành cho đồng chí."
    answer = await chi.press(data=DocsReceivedData(kp01_meeting).pack(), message=theirs)
    assert answer["text"] == "Buổi sinh hoạt này không thuộc lịch của đồng chí."
    await nothing_sent(bot, chi)

    await admin.send("/tailieu")
    overview = await admin.expect_message(contains="Tài liệu Văn phòng đã gửi kèm lịch")
    assert "Chưa xác nhận" not in overview.text
    await stop_bot(bot)


async def test_a_member_cannot_add_documents_and_a_file_waits_for_the_open_step(
    roster, bot, tg, db, clock, admin
) -> None:
    clock.set(at("2026-12-01 10:00"))
    an = await link(tg, db, "CB01", 800001)
    await an.send_document("tai-lieu.pdf", PDF, "application/pdf")
    await an.expect_message(contains="không thuộc quyền")
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 0

    await admin.send_document("a.pdf", PDF, "application/pdf", caption="Tài liệu A")
    await admin.expect_message(contains="Đã nhận tệp")
    await admin.send_document("b.pdf", PDF, "application/pdf")
    await admin.expect_message(contains="trước khi gửi tệp khác")
    await admin.send("xin chào")
    await admin.expect_message(contains="trả lời bằng các nút ở trên")
    await admin.press("Tháng 01/2027")
    await admin.expect_message(contains="chi bộ nào?")
    await admin.press("Tất cả các chi bộ")
    check = await admin.expect_message(contains="kiểm tra trước khi lưu")
    assert "Dùng cho: sinh hoạt tháng 01/2027, tất cả các chi bộ" in check.text
    january = await db.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(
            Meeting.starts_at >= at("2027-01-01 00:00"), Meeting.starts_at < at("2027-02-01 00:00")
        )
    )
    assert january > 20 and f"({january} buổi trong lịch)" in check.text


async def test_the_office_withdraws_a_document_before_it_goes(
    roster, bot, tg, db, clock, admin
) -> None:
    clock.set(at("2026-12-01 10:00"))
    an = await link(tg, db, "CB01", 800001)
    await admin.send_document("sai.pdf", PDF, "application/pdf", caption="Gửi nhầm")
    await admin.expect_message(contains="Đã nhận tệp")
    await admin.press("Tháng 12/2026")
    await admin.expect_message(contains="chi bộ nào?")
    await admin.press("Tất cả các chi bộ")
    await admin.expect_message(contains="kiểm tra trước khi lưu")
    await admin.press("✅ Lưu")
    await admin.expect_message(contains="Đã lưu tài liệu “Gửi nhầm”")

    await admin.send("/tailieu")
    listing = await admin.expect_message(contains="1. 📎 Gửi nhầm")
    assert listing.button_texts == ["🗑 Gỡ tài liệu 1"]
    answer = await admin.press("🗑 Gỡ tài liệu 1", message=listing)
    assert answer["text"].startswith("Đã gỡ tài liệu “Gửi nhầm”")
    again = await admin.press("🗑 Gỡ tài liệu 1", message=listing)
    assert again["text"] == "Tài liệu này đã được gỡ trước đó."

    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    reminder = await an.expect_message(contains="Nhắc lịch sinh hoạt chi bộ")
    assert "Tài liệu" not in reminder.text and "📎 Đã nhận tài liệu" not in reminder.button_texts
    await nothing_sent(bot, an)
