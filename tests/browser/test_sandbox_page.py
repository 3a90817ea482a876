"""A newcomer tries the whole practice in the sandbox's page, in headless Chromium: every
step as a person would take it, with a screenshot, and what the page shows checked."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from sqlalchemy import select

from db.models import Person, Report, Rsvp, RsvpAnswer
from sandbox.spec import ApiError
from tests.browser.conftest import Screen

ROOT = Path(__file__).resolve().parents[2]
REMINDER = "Nhắc lịch sinh hoạt chi bộ"
REQUEST = "báo cáo kết quả dự sinh hoạt"


async def count(screen: Screen, text: str) -> int:
    return await screen.page.locator(".msg.bot", has_text=text).count()


async def then_new(screen: Screen, before: int, text: str, timeout: float = 15000) -> None:
    """Wait for one more bot message containing `text` than there were `before`."""
    await screen.page.locator(".msg.bot", has_text=text).nth(before).wait_for(timeout=timeout)


async def answer(screen: Screen, act, text: str) -> None:
    before = await count(screen, text)
    await act
    await then_new(screen, before, text)


async def to_the_content_step(s: Screen, present: str = "18/22", excused: str = "3") -> None:
    """From the request to report, steps 1 to 4 answered with buttons and typing."""
    await answer(s, s.press("📝 Báo cáo ngay", on=REQUEST), "1/9.")
    await answer(s, s.press("Có, đúng lịch", on="1/9."), "2/9.")
    on_time = s.bubble("2/9.").get_by_role("button", name="Đúng lịch")
    await answer(s, on_time.first.click(), "3/9.")
    await answer(s, s.type(present), "miễn sinh hoạt")
    await answer(s, s.press("0", on="miễn sinh hoạt"), "Số đảng viên vắng có lý do")
    await answer(s, s.type(excused), "4/9.")
    await answer(s, s.press("☐ Kết nạp đảng viên", on="4/9."), "4/9.")
    await answer(s, s.press("✅ Xong", on="4/9."), "5/9.")


async def test_a_member_confirms_the_reminder_the_clock_brought(screen: Screen, sandbox) -> None:
    running, _ = sandbox
    await screen.act_as("member4")
    said = await screen.move_clock("reminder")
    assert "Đến giờ nhắc lịch buổi sinh hoạt của Chi bộ Khu dân cư" in said
    await screen.expect(REMINDER)
    reminder = screen.bubble(REMINDER)
    assert "Kính gửi đồng chí Bùi Quang Tâm" in await reminder.inner_text()
    await screen.shot("reminder")
    await answer(screen, screen.press("✅ Sẽ dự", on=REMINDER), "Đồng chí sẽ dự sinh hoạt")
    # The reminder loses its "will attend" button in place: the edit shows in the page.
    buttons = await screen.bubble(REMINDER).get_by_role("button").all_inner_texts()
    assert "✅ Sẽ dự" not in buttons and "❌ Không dự được" in buttons
    await screen.shot("confirmed")
    async with running.runtime.sessionmaker() as db:
        answers = await db.scalars(
            select(Rsvp.answer)
            .join(Person, Person.id == Rsvp.person_id)
            .where(Person.code == "UV0004", Rsvp.answer == RsvpAnswer.YES)
        )
        assert list(answers), "the page's press reached the bot's database"


async def test_a_member_declines_and_the_office_picks_a_stand_in(screen: Screen) -> None:
    await screen.act_as("member5")
    await screen.move_clock("reminder")
    await screen.expect(REMINDER)
    await answer(screen, screen.press("❌ Không dự được", on=REMINDER), "cho biết lý do")
    await answer(screen, screen.press("Đi công tác", on="cho biết lý do"), "vắng mặt")
    await screen.shot("declined")

    await screen.act_as("office")
    # the office's own notice names the member (the member's chat, still on screen for an
    # instant after the switch, says "không dự được" too)
    notice = "Đặng Minh An không dự được"
    await screen.expect(notice)
    office_notice = screen.bubble(notice)
    candidates = await office_notice.get_by_role("button").all_inner_texts()
    stand_in = next(name for name in candidates if name.strip() == "Bùi Quang Tâm")
    await screen.shot("office-notice")
    await answer(screen, screen.press(stand_in, on=notice), "dự thay")
    await screen.shot("stand-in-asked")

    await screen.act_as("member4")
    await screen.expect("Đề nghị dự thay sinh hoạt chi bộ")
    await answer(
        screen,
        screen.press("✅ Đồng ý dự thay", on="Đề nghị dự thay sinh hoạt chi bộ"),
        "hệ thống sẽ gửi tin nhắc lịch",
    )
    await screen.shot("stand-in-accepted")


async def test_after_the_meeting_a_member_reports_with_buttons(screen: Screen, sandbox) -> None:
    running, _ = sandbox
    await screen.act_as("member6")
    said = await screen.move_clock("meeting_end")
    assert "Đến lúc kết thúc buổi sinh hoạt của Chi bộ Khu dân cư 6" in said
    await screen.expect(REQUEST)
    await screen.shot("asked-to-report")
    s = screen
    await to_the_content_step(s)
    await answer(s, s.type("Chi bộ quán triệt Chỉ thị 50-CT/TW về sinh hoạt chi bộ."), "Đã nhận")
    await answer(s, s.press("✅ Xong", on="5/9."), "6/9.")
    await answer(s, s.type("Bà con mong sớm sửa đường ngõ 3"), "1. Bà con mong")
    await answer(s, s.press("✅ Xong", on="6/9."), "7/9.")
    await answer(s, s.type("Lắp đèn chiếu sáng ngõ 3"), "thuộc lĩnh vực nào")
    await answer(
        s, s.press("Hạ tầng giao thông, điện, nước", on="thuộc lĩnh vực nào"), "ở mức độ nào?"
    )
    await answer(s, s.press("Thường", on="ở mức độ nào?"), "1. Lắp đèn chiếu sáng ngõ 3")
    await answer(s, s.press("✅ Xong", on="7/9."), "8/9.")
    # The town's earlier proposals of this branch were answered: the report asks whether the
    # branch heard the answers.
    await answer(
        s, s.type("Truyền đạt Chỉ thị 50 của Bộ Chính trị."), "Kết quả trả lời kiến nghị kỳ trước"
    )
    await answer(
        s,
        s.press("Đã thông tin, chi bộ đồng tình", on="Kết quả trả lời kiến nghị kỳ trước"),
        "9/9.",
    )
    await answer(s, s.press("✅ Xong", on="9/9."), "xếp loại chất lượng")
    await answer(s, s.press("Tốt", on="xếp loại chất lượng"), "chưa tương xứng")
    await answer(s, s.press("Tốt", on="chưa tương xứng"), "Nhận xét thêm")
    await answer(s, s.press("Bỏ qua", on="Nhận xét thêm"), "Báo cáo dự sinh hoạt")
    review = await s.bubble("Báo cáo dự sinh hoạt").inner_text()
    assert "có mặt 18/22" in review and "Lắp đèn chiếu sáng ngõ 3" in review
    # Buttons are drawn as a phone draws them: one line, what does not fit cut with "…".
    drawn = await s.page.eval_on_selector(
        ".keyboard button",
        "b => [getComputedStyle(b).whiteSpace, getComputedStyle(b).textOverflow, b.title]",
    )
    assert drawn[:2] == ["nowrap", "ellipsis"] and drawn[2]
    await s.shot("review")
    await answer(s, s.press("📨 Gửi báo cáo", on="Báo cáo dự sinh hoạt"), "Đã nhận báo cáo số")
    await s.shot("sent")
    async with running.runtime.sessionmaker() as db:
        author = await db.scalar(select(Person.id).where(Person.code == "UV0006"))
        assert await db.scalar(select(Report.id).where(Report.author_id == author))


async def test_the_leader_receives_the_digest_with_its_chart_and_files(screen: Screen) -> None:
    page = screen.page
    await screen.act_as("group")
    before = await page.locator(".msg.bot img.photo").count()
    said = await screen.move_clock("digest")
    assert "Đến lúc gửi báo cáo tổng hợp tháng" in said
    # The digest's text, chart and two files, a second apart as the group's pace allows.
    await page.locator(".msg.bot .document").nth(1 + 2 * (before)).wait_for(timeout=30000)
    chart = page.locator(".msg.bot img.photo").nth(before)
    await chart.wait_for()
    assert await chart.evaluate("image => image.complete && image.naturalWidth") == 1080
    await chart.scroll_into_view_if_needed()
    await screen.shot("digest-in-group")
    names = await page.locator(".msg.bot .document .name").all_inner_texts()
    assert any(name.endswith(".xlsx") for name in names)
    assert any(name.endswith(".docx") for name in names)
    for suffix in (".xlsx", ".docx"):
        link = page.locator(".msg.bot .document", has_text=suffix).last
        async with page.expect_download() as waiting:
            await link.click()
        download = await waiting.value
        content = (await download.path()).read_bytes()
        assert download.suggested_filename.endswith(suffix)
        with zipfile.ZipFile(BytesIO(content)) as opened:  # both are Office Open XML zips
            assert opened.namelist()

    await screen.act_as("leader")
    await answer(screen, screen.type("/tonghop"), "TỔNG HỢP THÁNG 12/2026")
    await screen.shot("tonghop-in-private")


async def test_the_unlinked_member_shares_a_contact_and_is_linked(screen: Screen) -> None:
    page = screen.page
    await screen.act_as("unlinked")
    assert await page.locator('#people button[data-key="unlinked"] .tag').count() == 1
    await answer(screen, screen.type("/start"), "Chia sẻ số điện thoại")
    contact = page.locator("#reply-keyboard button", has_text="Chia sẻ số điện thoại")
    await screen.shot("asked-for-contact")
    await answer(screen, contact.click(), "Đã liên kết tài khoản Telegram")
    await page.locator('#people button[data-key="unlinked"] .tag').wait_for(state="detached")
    await screen.shot("linked")


async def test_the_command_menu_and_a_stranger(screen: Screen) -> None:
    page = screen.page
    await screen.act_as("office")
    await page.click("#menu-button")
    menu = await page.locator("#command-menu .cmd").all_inner_texts()
    assert "/donvi" in menu and "/tonghop" in menu  # the administrator's own menu
    await screen.shot("office-menu")
    await answer(screen, page.locator("#command-menu button", has_text="/donvi").click(), "Khu vực")

    await screen.act_as("stranger")
    await page.click("#menu-button")
    assert "/donvi" not in await page.locator("#command-menu .cmd").all_inner_texts()
    await page.click("#menu-button")
    await answer(screen, screen.type("/lich"), "liên kết")
    await screen.shot("stranger")


async def test_a_call_telegram_refuses_shows_in_red(screen: Screen, sandbox) -> None:
    running, _ = sandbox
    await screen.act_as("member4")
    # Only the member's answer: the outbox may be sending the town's catch-up meanwhile.
    running.server.inject_error(
        "sendMessage", ApiError(400, "Bad Request: can't parse entities"), chat_id=910004
    )
    await screen.type("/lich")
    error = screen.page.locator(".api-error")
    await error.wait_for()
    assert "can't parse entities" in await error.inner_text()
    color = await error.evaluate("element => getComputedStyle(element).color")
    assert color == "rgb(198, 40, 40)"
    await screen.shot("refused-call")


async def test_a_phone_sized_window_shows_the_list_then_the_chat(browser, sandbox) -> None:
    _, port = sandbox
    page = await browser.new_page(viewport={"width": 390, "height": 800}, is_mobile=True)
    await page.goto(f"http://127.0.0.1:{port}/")
    await page.click("#tour-close")
    assert await page.locator("#chat").is_hidden()
    await page.click('#people button[data-key="member4"]')
    await page.locator("#chat").wait_for()
    assert await page.locator("#sidebar").is_hidden()
    await page.fill("#text", "/lich")
    await page.press("#text", "Enter")
    await page.locator(".msg.bot").first.wait_for()
    await page.click("#back")
    await page.locator("#sidebar").wait_for()
    await page.close()


async def test_the_office_sends_the_roster_workbook_and_imports_it(screen: Screen) -> None:
    page = screen.page
    await screen.act_as("office")
    workbook = ROOT / "examples" / "roster-sample.xlsx"
    preview = "Khi nhập sẽ có các thay đổi"
    before = await count(screen, preview)
    await page.set_input_files("#file-input", str(workbook))
    # Checking a whole roster against the town's takes a few seconds on a busy machine.
    await then_new(screen, before, preview, timeout=40000)
    sent = page.locator(".msg.mine .document .name", has_text="roster-sample.xlsx")
    assert await sent.count() == 1  # the file the office sent, shown on their side
    await screen.shot("roster-preview")
    # The sample replaces the town, and the preview says so before anything is written.
    said = await screen.bubble(preview).inner_text()
    assert "sẽ bị đưa ra khỏi danh sách" in said and "sẽ mất vai trò" in said
    await answer(screen, screen.press("✅ Nhập danh sách", on=preview), "Đã nhập danh sách")
    assert "Đổi mã, cùng người" in await screen.bubble("Đã nhập danh sách").inner_text()
    await screen.shot("roster-imported")
    # Every persona is still who they were (found by phone under the sample's codes): the
    # office keeps its role, and a member still has a calendar of the sample's branches.
    await answer(screen, screen.type("/donvi"), "Khu vực")
    await screen.act_as("member4")
    await answer(screen, screen.type("/lich"), "Lịch dự sinh hoạt của đồng chí")
    assert "Chi bộ Khu phố" in await screen.bubble("Lịch dự sinh hoạt của đồng chí").inner_text()


async def test_a_photo_sent_from_the_page_reaches_the_report(screen: Screen) -> None:
    page = screen.page
    await screen.act_as("member6")
    await screen.move_clock("meeting_end")
    await screen.expect(REQUEST)
    await to_the_content_step(screen)
    minutes = ROOT / "docs" / "sandbox.png"
    before = await count(screen, "1 tệp")
    await page.set_input_files("#photo-input", str(minutes))
    await then_new(screen, before, "1 tệp")
    photo = page.locator(".msg.mine img.photo").last
    assert await photo.evaluate("image => image.complete && image.naturalWidth") > 0
    await screen.shot("photo-of-the-minutes")
