"""The test server refuses what Telegram refuses, so a bot bug of that kind fails a test."""

from __future__ import annotations

import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden, RetryAfter

from sandbox.server import BotApiServer
from sandbox.users import TgUser


@pytest.fixture
async def api(tg: BotApiServer):
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as bot:
        yield bot


@pytest.fixture
def user(tg: BotApiServer) -> TgUser:
    return TgUser(tg, 4242, "An")


async def test_text_of_4096_characters_passes_and_4097_is_refused(api: Bot, user: TgUser) -> None:
    await api.send_message(user.id, "á" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await api.send_message(user.id, "á" * 4097)


async def test_text_length_counts_what_is_shown_not_the_markup(api: Bot, user: TgUser) -> None:
    await api.send_message(user.id, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await api.send_message(user.id, "&lt;" * 4097, parse_mode=ParseMode.HTML)


async def test_empty_text_is_refused(api: Bot, user: TgUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await api.send_message(user.id, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_callback_data_over_64_bytes_is_refused(api: Bot, user: TgUser) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="x" * 64)]])
    await api.send_message(user.id, "chọn", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="đ" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await api.send_message(user.id, "chọn", reply_markup=too_long)


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("a < b", "Unsupported start tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>bold", "Can't find end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("Tom & Jerry", "must be escaped"),
        ("&nbsp;", "Unsupported HTML entity"),
        ('<a title="x">link</a>', "Unsupported attribute"),
    ],
)
async def test_invalid_html_is_refused(api: Bot, user: TgUser, markup: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as refused:
        await api.send_message(user.id, markup, parse_mode=ParseMode.HTML)
    assert reason.lower() in str(refused.value).lower()


async def test_valid_html_is_shown_as_plain_text(api: Bot, user: TgUser) -> None:
    html = '<b>Chi bộ</b> &lt;3&gt; &amp; <a href="https://t.me/x">liên kết</a> &#272;'
    await api.send_message(user.id, html, parse_mode=ParseMode.HTML)
    message = await user.expect_message()
    assert message.text == "Chi bộ <3> & liên kết Đ"


async def test_the_markup_comes_back_as_entities(api: Bot, user: TgUser) -> None:
    """As Telegram does: offsets in UTF-16 code units (an emoji counts two), so the library's
    text_html gives back what was sent."""
    html = '🔔 <b>Nhắc lịch</b>\n<i>Đồng chí <b>An</b></i> <a href="https://t.me/x">liên kết</a>'
    sent = await api.send_message(user.id, html, parse_mode=ParseMode.HTML)
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 3, 9),
        ("italic", 13, 11),
        ("bold", 22, 2),
        ("text_link", 25, 8),
    ]
    assert sent.text_html == html
    edited = await api.edit_message_text(
        "<b>Đã sửa</b>", user.id, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message) and edited.text_html == "<b>Đã sửa</b>"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_unknown_method_and_missing_parameter(api: Bot, tg: BotApiServer) -> None:
    with pytest.raises(EndPointNotFound):
        await api.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    with pytest.raises(BadRequest, match="'text' is required"):
        await api.do_api_request("sendMessage", api_kwargs={"chat_id": 1})
    assert tg.calls[-2].error == "Not Found"


async def test_unknown_chat_and_blocked_user(api: Bot, tg: BotApiServer, user: TgUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await api.send_message(123123, "ai đó")
    tg.chats[user.id].blocked = True
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await api.send_message(user.id, "xin chào")


async def test_flood_limits_answer_429_with_retry_after(api: Bot, tg: BotApiServer) -> None:
    tg.flood_limits_on = True
    first = TgUser(tg, 1, "Một")
    await api.send_message(first.id, "một")
    with pytest.raises(RetryAfter):
        await api.send_message(first.id, "hai")  # a second message to one chat within 1 s
    assert tg.calls[-1].error == "Too Many Requests: retry after 1"
    # Other chats are still served, up to 30 a second in all.
    others = [TgUser(tg, 100 + n, f"Người {n}") for n in range(29)]
    for other in others:
        await api.send_message(other.id, "tin")
    with pytest.raises(RetryAfter):
        await api.send_message(TgUser(tg, 999, "Ba mươi mốt").id, "tin")
    assert tg.error_counts[429] == 2


async def test_group_allows_20_messages_a_minute(api: Bot, tg: BotApiServer) -> None:
    tg.flood_limits_on = True
    group = tg.group_chat(-100, "Thường trực")
    tg.flood.global_sends.clear()
    started = time.monotonic()
    for _ in range(20):
        tg.flood.global_sends.clear()  # keep the overall limit out of this test
        await api.send_message(group.id, "tin")
    with pytest.raises(RetryAfter):
        await api.send_message(group.id, "tin")
    assert time.monotonic() - started < 60


async def test_edit_to_the_same_content_is_refused_like_telegram(api: Bot, user: TgUser) -> None:
    sent = await api.send_message(user.id, "một")
    await api.edit_message_text("hai", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await api.edit_message_text("hai", chat_id=user.id, message_id=sent.message_id)


async def test_documents_round_trip(api: Bot, tg: BotApiServer, user: TgUser) -> None:
    await user.send_document("danh-sach.xlsx", b"PK\x03\x04 workbook bytes")
    update = (await api.get_updates())[-1]
    file = await api.get_file(update.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"PK\x03\x04 workbook bytes"
    await api.send_document(
        user.id,
        b"report",
        filename="bao-cao.docx",
        caption="<b>Báo cáo</b>",
        parse_mode=ParseMode.HTML,
    )
    sent = await user.expect_message()
    assert sent.text == "Báo cáo"
    assert tg.files[sent.document["file_id"]].content == b"report"
