"""What a member sends during a report is taken as they meant it: a file (the minutes as a
PDF) at the content step is part of the report, and an edit of an earlier message is never
taken as the answer to the step they are at now."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Draft
from tests.conftest import link
from tests.stories.test_reports import asked, held_as_planned

PDF = b"%PDF-1.4 minutes of the meeting"


async def to_the_content_step(bot, clock, tg, db):
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await held_as_planned(an, "18/22")
    return an


async def from_contribution_to_review(an) -> list:
    """From step 8's question: the contribution, no criterion, "Tốt", no comment; returns the
    review's parts, the last one with the buttons."""
    await an.send("Truyền đạt Chỉ thị 50.")
    await an.expect_message(contains="9/9.")
    await an.press("✅ Xong")
    await an.expect_message(contains="xếp loại chất lượng")
    await an.press("Tốt")
    await an.expect_message(contains="chưa tương xứng với mức “Tốt”")  # asked once more
    await an.press("Tốt")
    await an.expect_message(contains="Nhận xét thêm")
    await an.press("Bỏ qua")
    parts = [await an.expect_message(contains="Báo cáo dự sinh hoạt")]
    while not parts[-1].buttons:
        parts.append(await an.expect_message())
    return parts


async def test_a_pdf_at_the_content_step_is_part_of_the_report(roster, bot, clock, tg, db):
    an = await to_the_content_step(bot, clock, tg, db)
    await an.send_document("bien-ban.pdf", PDF, "application/pdf")
    taken = await an.expect_message(contains="Đã nhận: 0 ký tự, 1 tệp.")
    assert "quyền hạn" not in taken.text
    draft = await db.scalar(select(Draft).where(Draft.active))
    assert [item["kind"] for item in draft.data["attachments"]] == ["document"]


async def test_an_edited_message_is_not_an_answer(roster, bot, clock, tg, db):
    an = await to_the_content_step(bot, clock, tg, db)
    summary = await an.send("Chi bộ quán triệt Chỉ thị 50-CT/TW.")
    await an.expect_message(contains="Đã nhận: 35 ký tự")
    await an.press("✅ Xong")
    await an.expect_message(contains="6/9.")
    await an.edit(summary, "Chi bộ quán triệt Chỉ thị 50-CT/TW và Hướng dẫn 42.")
    note = await an.expect_message(contains="không được tính là câu trả lời")
    assert note.buttons == []
    await an.expect_no_message(within=0.3)
    draft = await db.scalar(select(Draft).where(Draft.active))
    assert draft.step == "concerns" and not draft.data.get("concerns")
    await an.send("Bà con mong sớm sửa đường ngõ 5")
    concern = await an.expect_message(contains="1. Bà con mong sớm sửa đường ngõ 5")
    assert "Hướng dẫn 42" not in concern.text


async def test_a_long_review_comes_whole_in_several_messages(roster, bot, clock, tg, db):
    """Twenty concerns (the most a list takes) of 600 characters, '&' and '<' in them: the
    review is split between lines, every concern is there in full, the Send button is on the
    last part; a leader's /xembaocao shows them all too."""
    an = await to_the_content_step(bot, clock, tg, db)
    await an.send("Chi bộ quán triệt Chỉ thị 50-CT/TW.")
    await an.expect_message(contains="Đã nhận")
    await an.press("✅ Xong")
    await an.expect_message(contains="6/9.")
    concerns = [f"Ý kiến số {n:02d} <về> đường & điện: " + "chữ " * 140 for n in range(1, 21)]
    for concern in concerns:
        await an.send(concern)
        await an.expect_message(contains=f"Ý kiến số {concern[10:12]}")
    await an.press("✅ Xong")
    await an.expect_message(contains="7/9.")
    await an.press("Không có")
    await an.expect_message(contains="8/9.")
    parts = await from_contribution_to_review(an)
    assert len(parts) >= 3
    shown = "\n".join(part.text for part in parts)
    for concern in concerns:
        assert concern.strip() in shown
    assert "📨 Gửi báo cáo" in parts[-1].button_texts
    assert all(not part.buttons for part in parts[:-1])
    await an.press("📨 Gửi báo cáo", message=parts[-1])
    done = await an.expect_message(contains="✅ Đã nhận báo cáo số")
    number = done.text.split("số ")[1].split(".")[0]

    leader = await link(tg, db, "CB02", 800002)
    await leader.send(f"/xembaocao {number}")
    view = [await leader.expect_message(contains=f"Báo cáo số {number}")]
    while True:
        try:
            view.append(await leader.expect_message(timeout=2))
        except AssertionError:
            break
    seen = "\n".join(part.text for part in view)
    for concern in concerns:
        assert concern.strip() in seen


async def test_a_reader_of_the_report_gets_its_photos_voice_and_files(roster, bot, clock, tg, db):
    an = await to_the_content_step(bot, clock, tg, db)
    await an.send("Chi bộ quán triệt Chỉ thị 50-CT/TW. " + "Nội dung dài. " * 80)
    await an.expect_message(contains="Đã nhận")
    await an.send_photo(caption="Ảnh buổi sinh hoạt & bà con")
    await an.expect_message(contains="1 tệp")
    await an.send_voice()
    await an.expect_message(contains="2 tệp")
    await an.send_document("bien-ban.pdf", PDF, "application/pdf")
    await an.expect_message(contains="3 tệp")
    await an.press("✅ Xong")
    await an.expect_message(contains="6/9.")
    for answer in ("Không có", "Không có"):
        await an.press(answer)
        await an.expect_message()
    review = (await from_contribution_to_review(an))[-1]
    await an.press("📨 Gửi báo cáo", message=review)
    done = await an.expect_message(contains="✅ Đã nhận báo cáo số")
    number = done.text.split("số ")[1].split(".")[0]

    leader = await link(tg, db, "CB02", 800002)
    await leader.send(f"/xembaocao {number}")
    view = await leader.expect_message(contains=f"Báo cáo số {number}")
    assert "Nội dung dài. " * 80 in view.text  # whole, not cut
    photo = await leader.expect_message()
    voice = await leader.expect_message()
    document = await leader.expect_message()
    assert photo.raw["photo"] and photo.text == "Ảnh buổi sinh hoạt & bà con"
    assert voice.raw["voice"]
    assert document.raw["document"]["file_name"] == "bien-ban.pdf"
    assert tg.files[document.raw["document"]["file_id"]].content == PDF
