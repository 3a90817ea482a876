"""The member on a phone, in the sandbox's page at 390×844: every message shows where things
stand, an old tap never changes a record silently, answers can be changed and undone, and
the report keeps and checks what was typed. Clicks and typing only, as a member would."""

from __future__ import annotations

from tests.browser.conftest import Screen
from tests.browser.test_sandbox_page import REMINDER, REQUEST, answer, to_the_content_step

REASONS = "cho biết lý do"
RECORDED = "Đã ghi nhận đồng chí vắng mặt"


async def declined(s: Screen, why: str) -> None:
    """The reminder's "cannot attend", then a reason pressed."""
    await answer(s, s.press("❌ Không dự được", on=REMINDER), REASONS)
    await answer(s, s.press(why, on=REASONS), RECORDED)


async def first_button(s: Screen, on: str, starting: str) -> str:
    labels = await s.bubble(on).get_by_role("button").all_inner_texts()
    return next(label for label in labels if label.startswith(starting))


async def test_a_typed_reason_then_the_old_ill_button(phone: Screen) -> None:
    s = phone
    await s.act_as("member5")
    await s.move_clock("reminder")
    await s.expect(REMINDER)
    await answer(s, s.press("❌ Không dự được", on=REMINDER), REASONS)
    await answer(s, s.press("Lý do khác", on=REASONS), "ghi lý do trong một tin nhắn")
    await answer(s, s.type("Trùng lịch họp HĐND phường"), RECORDED)
    await s.shot("typed-reason")
    # The old "Ốm" on the question above: the record changes, and says so.
    await answer(s, s.press("Ốm", on=REASONS), "Đã đổi lý do vắng mặt")
    changed = await s.bubble("Đã đổi lý do vắng mặt").inner_text()
    assert "từ “Trùng lịch họp HĐND phường” thành “Ốm”" in changed
    assert await s.bubble(REASONS).get_by_role("button").count() == 0
    await s.shot("reason-changed")
    await s.act_as("office")
    await s.expect("đã đổi lý do không dự được")
    told = await s.bubble("đã đổi lý do không dự được").inner_text()
    assert "Lý do mới: Ốm" in told and "Trùng lịch họp HĐND phường" in told
    await s.shot("office-told")


async def test_an_answer_changed_from_the_calendar_tells_the_office(phone: Screen) -> None:
    s = phone
    await s.act_as("member4")
    await s.move_clock("reminder")  # daytime: the office is told at once, not after quiet hours
    await s.expect(REMINDER)
    await answer(s, s.type("/lich"), "Lịch dự sinh hoạt của đồng chí")
    meeting = await first_button(s, "Lịch dự sinh hoạt của đồng chí", "✏")
    await answer(
        s, s.press(meeting, on="Lịch dự sinh hoạt của đồng chí"), "Câu trả lời của đồng chí"
    )
    await answer(s, s.press("❌ Không dự được", on="Câu trả lời của đồng chí"), REASONS)
    await answer(s, s.press("Đi công tác", on=REASONS), RECORDED)
    await answer(s, s.type("/lich"), "Lịch dự sinh hoạt của đồng chí")
    assert "không dự được (Đi công tác)" in await s.bubble("Lịch dự sinh hoạt").inner_text()
    await answer(s, s.press(meeting, on="Lịch dự sinh hoạt của đồng chí"), "không dự được")
    await s.shot("answer-shown")
    await answer(s, s.press("✅ Sẽ dự", on="Câu trả lời của đồng chí"), "Đồng chí sẽ dự")
    await s.shot("attending-after-all")
    await s.act_as("office")
    await s.expect("đã báo sẽ dự")
    await s.shot("office-told")


async def test_a_suggested_stand_in_is_confirmed_by_the_office(phone: Screen) -> None:
    s = phone
    await s.act_as("member5")
    await s.move_clock("reminder")
    await s.expect(REMINDER)
    await declined(s, "Ốm")
    assert "đề xuất một đồng chí" in await s.bubble(RECORDED).inner_text()
    colleague = (await s.bubble(RECORDED).get_by_role("button").all_inner_texts())[0]
    await answer(s, s.press(colleague, on=RECORDED), "Đã chuyển đề xuất")
    assert await s.bubble(RECORDED).get_by_role("button").count() == 0
    await s.shot("suggested")
    await s.act_as("office")
    await s.expect("đề xuất người dự thay")
    await answer(s, s.press(colleague, on="đề xuất người dự thay"), "Đã đề nghị đồng chí")
    await s.shot("office-invited")


async def test_a_period_away_by_buttons_listed_and_cancelled(phone: Screen, sandbox) -> None:
    running, _ = sandbox
    s = phone
    [(meeting, _), *_] = await running.coming_meetings("member6", running.clock.now())
    meeting_day = meeting.starts_at.astimezone(running.settings.zone).date()
    await s.act_as("member6")
    await answer(s, s.type("/vang"), "đăng ký thời gian vắng")
    await answer(
        s, s.press("➕ Đăng ký thời gian vắng", on="đăng ký thời gian vắng"), "vắng từ ngày nào"
    )
    today = await first_button(s, "vắng từ ngày nào", "")
    await s.shot("first-day")
    await answer(s, s.press(today, on="vắng từ ngày nào"), "đến hết ngày nào")
    await answer(s, s.type(f"{meeting_day:%d/%m}"), "Lý do vắng để báo Văn phòng")
    await answer(s, s.type("Trùng lịch họp HĐND phường"), "xác nhận đăng ký")
    await s.shot("confirm")
    await answer(s, s.press("✅ Đăng ký", on="xác nhận đăng ký"), "Đã ghi nhận thời gian vắng")
    await answer(s, s.type("/vang"), "Thời gian vắng đồng chí đã đăng ký")
    listed = s.bubble("Thời gian vắng đồng chí đã đăng ký")
    assert "Trùng lịch họp HĐND phường" in await listed.inner_text()
    await s.shot("listed")

    await s.act_as("office")
    await s.expect("Trùng lịch họp HĐND phường")
    await s.shot("office-notice")

    await s.act_as("member6")
    cancel = await first_button(s, "Thời gian vắng đồng chí đã đăng ký", "✖ Hủy")
    await answer(
        s, s.press(cancel, on="Thời gian vắng đồng chí đã đăng ký"), "Đã hủy thời gian vắng"
    )
    await s.shot("cancelled")
    await s.act_as("office")
    await s.expect("đã hủy đăng ký vắng")


async def test_a_request_put_off_until_the_morning_comes_again(phone: Screen) -> None:
    s = phone
    await s.act_as("member6")
    await s.move_clock("meeting_end")
    await s.expect(REQUEST)
    await s.press("🔔 Nhắc sáng mai", on=REQUEST)
    # Telegram's pop-up says when, and the request itself says it once the pop-up is closed.
    alert = s.page.locator("#alert-text")
    await alert.wait_for()
    assert "Hệ thống sẽ nhắc lại đồng chí lúc 7 giờ 30" in await alert.inner_text()
    await s.shot("put-off-pop-up")
    await s.page.click("#alert-ok")
    await s.bubble(REQUEST).filter(has_text="Hệ thống sẽ nhắc lại lúc").wait_for()
    await s.shot("put-off")
    before = await s.page.locator(".msg.bot", has_text=REQUEST).count()
    await s.move_clock("day")
    await s.page.locator(".msg.bot", has_text=REQUEST).nth(before).wait_for(timeout=20000)
    await s.shot("asked-again")


async def test_the_report_keeps_and_checks_what_was_typed(phone: Screen) -> None:
    """ "Không có" after a typed proposal asks first; one proposal edited then deleted; the
    attendance criterion computed from the figures; the branch's opinion kept."""
    s = phone
    await s.act_as("member6")
    await s.move_clock("meeting_end")
    await s.expect(REQUEST)
    await to_the_content_step(s, present="31/33", excused="2")  # 94%, none without leave
    await answer(s, s.type("Chi bộ quán triệt Chỉ thị 50-CT/TW."), "Đã nhận")
    await answer(s, s.press("✅ Xong", on="5/9."), "6/9.")
    await answer(s, s.press("Không có", on="6/9."), "7/9.")
    await answer(s, s.type("Lắp đèn chiếu sáng ngõ 3"), "thuộc lĩnh vực nào")
    await answer(
        s, s.press("Hạ tầng giao thông, điện, nước", on="thuộc lĩnh vực nào"), "mức độ nào?"
    )
    await answer(s, s.press("Thường", on="mức độ nào?"), "1. Lắp đèn chiếu sáng ngõ 3")
    # "Không có" after a proposal was typed: asked, nothing lost.
    await answer(s, s.press("Không có", on="7/9."), "Đồng chí đã chọn “Không có”")
    await s.shot("none-after-a-proposal")
    await answer(s, s.press("↩ Giữ lại", on="Đồng chí đã chọn “Không có”"), "7/9.")
    assert "1. Lắp đèn chiếu sáng ngõ 3" in await s.bubble("7/9.").inner_text()
    # One proposal edited, then deleted.
    await answer(s, s.press("✏ Sửa hoặc xóa một mục", on="7/9."), "chọn số thứ tự")
    await answer(s, s.press("1", on="chọn số thứ tự"), "Mục 1")
    await answer(s, s.type("Lắp đèn chiếu sáng ngõ 3 và ngõ 5"), "7/9.")
    assert "1. Lắp đèn chiếu sáng ngõ 3 và ngõ 5" in await s.bubble("7/9.").inner_text()
    await answer(s, s.press("✏ Sửa hoặc xóa một mục", on="7/9."), "chọn số thứ tự")
    await answer(s, s.press("1", on="chọn số thứ tự"), "Mục 1")
    await answer(s, s.press("🗑 Xóa mục này", on="Mục 1"), "7/9.")
    assert "Lắp đèn" not in await s.bubble("7/9.").inner_text()
    await s.shot("deleted")
    await answer(s, s.press("✅ Xong", on="7/9."), "8/9.")
    await answer(
        s, s.type("Truyền đạt Chỉ thị 50 của Bộ Chính trị."), "Kết quả trả lời kiến nghị kỳ trước"
    )
    # What the branch said is asked for, and kept.
    await answer(
        s,
        s.press("Đã thông tin, chi bộ còn ý kiến", on="Kết quả trả lời kiến nghị kỳ trước"),
        "ghi ý kiến của chi bộ",
    )
    await answer(s, s.type("Chi bộ đề nghị lắp thêm đèn ở ngõ 7."), "9/9.")
    # 31 of 33 present, 2 excused, none exempted: 94% and nobody absent without leave, so
    # the attendance criterion is ticked from the figures, with why, and is no button.
    criteria = await s.bubble("9/9.").inner_text()
    assert "☑ Trên 85% đảng viên dự" in criteria and "có mặt 94%" in criteria
    labels = " ".join(await s.bubble("9/9.").get_by_role("button").all_inner_texts())
    assert "85%" not in labels
    await s.shot("criteria")
    await answer(s, s.press("✅ Xong", on="9/9."), "xếp loại chất lượng")
    await answer(s, s.press("Khá", on="xếp loại chất lượng"), "Nhận xét thêm")
    await answer(s, s.press("Bỏ qua", on="Nhận xét thêm"), "Báo cáo dự sinh hoạt")
    review = await s.bubble("Báo cáo dự sinh hoạt").inner_text()
    assert "có mặt 31/33 (94%)" in review
    assert "Ý kiến của chi bộ: Chi bộ đề nghị lắp thêm đèn ở ngõ 7." in review
    await s.shot("review")
    await answer(s, s.press("📨 Gửi báo cáo", on="Báo cáo dự sinh hoạt"), "Đã nhận báo cáo số")


async def test_a_member_chooses_english(phone: Screen) -> None:
    s = phone
    await s.act_as("member4")
    await answer(s, s.type("/ngonngu"), "chọn ngôn ngữ")
    await s.press("English", on="chọn ngôn ngữ")
    await s.expect("Your messages will now come in English.")
    await s.shot("english-chosen")
    await answer(s, s.type("/lich"), "Your meetings")
    await s.shot("calendar-in-english")
