"""The sandbox's page and the small API it uses: act as a person, follow the chats live
(server-sent events), move the clock. Loopback only; plain files, no build step."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from sandbox import world
from sandbox.main import Sandbox
from sandbox.server import Event
from sandbox.users import TgUser

log = logging.getLogger("chibo.sandbox")

STATIC = Path(__file__).with_name("static")
SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)
# What a person may type or upload in the page: Telegram's own limits.
TEXT_LIMIT = 4096
UPLOAD_LIMIT = 20 * 1024 * 1024
HEARTBEAT_SECONDS = 15
CLOCK_ACTIONS = ("hour", "day", "reminder", "meeting_end", "digest")


def make_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_get("/api/chats/{chat}/messages", messages)
    app.router.add_get("/api/chats/{chat}/commands", commands)
    app.router.add_post("/api/chats/{chat}/send", send_text)
    app.router.add_post("/api/chats/{chat}/press", press)
    app.router.add_post("/api/chats/{chat}/contact", share_contact)
    app.router.add_post("/api/chats/{chat}/upload", upload)
    app.router.add_get("/api/files/{file_id}", download)
    app.router.add_post("/api/clock", move_clock)

    def follow(event: Event) -> None:
        body = event_json(sandbox, event)
        for queue in sandbox.followers:
            queue.put_nowait(body)

    sandbox.server.listeners.append(follow)
    return app


# ---------------------------------------------------------------------- reading


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})


async def state(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    await sandbox.started.wait()
    await sandbox.refresh_people()
    people = [
        {
            "key": key,
            "name": view.name,
            "role": view.persona.role,
            "linked": view.linked,
            "branches": view.branches,
            "chat_id": view.persona.telegram_id,
        }
        for key, view in sandbox.views.items()
    ]
    group = sandbox.group
    assert group is not None
    return web.json_response(
        {
            "bot": sandbox.server.bot_user,
            "people": people,
            "group": {"chat_id": group.id, "title": group.title, "speaker": world.GROUP_SPEAKER},
            "clock": clock_json(sandbox),
        }
    )


def clock_json(sandbox: Sandbox) -> dict[str, Any]:
    return {"now": sandbox.clock.now().timestamp(), "zone": str(sandbox.zone)}


async def messages(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    chat_id = _chat_id(request)
    history = sandbox.server.chat_history(chat_id)
    errors = [event_json(sandbox, event) for event in _errors_of(sandbox, chat_id)]
    return web.json_response(
        {"messages": [message_json(sandbox, raw) for raw in history], "errors": errors}
    )


def _errors_of(sandbox: Sandbox, chat_id: int) -> list[Event]:
    found = []
    for call in sandbox.server.calls:
        if not call.ok and str(call.params.get("chat_id")) == str(chat_id):
            found.append(Event("error", chat_id, {"method": call.method, "error": call.error}))
    return found


async def commands(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    return web.json_response(sandbox.server.commands_for_chat(_chat_id(request)))


async def download(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX_KEY]
    stored = sandbox.server.files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound(text="Không tìm thấy tệp.")
    name = stored.file_name or f"{stored.unique_id}{_extension(stored.mime_type)}"
    mime = stored.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {"Content-Type": mime}
    if request.query.get("download"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return web.Response(body=stored.content, headers=headers)


def _extension(mime: str | None) -> str:
    return (mimetypes.guess_extension(mime) if mime else None) or ""


async def events(request: web.Request) -> web.StreamResponse:
    """The page's live feed: every change to any chat, as server-sent events."""
    sandbox = request.app[SANDBOX_KEY]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sandbox.followers.add(queue)
    try:
        await response.write(b": connected\n\n")
        while True:
            try:
                body = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": still here\n\n")
                continue
            if body.get("type") == "bye":
                break
            data = json.dumps(body, ensure_ascii=False)
            await response.write(f"data: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        sandbox.followers.discard(queue)
    return response


# ---------------------------------------------------------------------- acting


async def send_text(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    user, chat_id = _acting(request)
    body = await _json(request)
    text = str(body.get("text", "")).strip()
    if not text:
        raise _bad("Tin nhắn trống.")
    if len(text) > TEXT_LIMIT:
        raise _bad(f"Tin nhắn dài {len(text)} ký tự; Telegram nhận tối đa {TEXT_LIMIT}.")
    await user.send(text, chat=_chat(sandbox, chat_id))
    return web.json_response({"ok": True})


async def press(request: web.Request) -> web.Response:
    """Press the button at (row, column) of a message, as Telegram's client would: the
    callback data is the button's, never the page's."""
    sandbox = request.app[SANDBOX_KEY]
    user, chat_id = _acting(request)
    body = await _json(request)
    try:
        message_id, row, column = int(body["message_id"]), int(body["row"]), int(body["column"])
    except (KeyError, TypeError, ValueError):
        raise _bad("Nút không hợp lệ.") from None
    stored = sandbox.server.messages.get((chat_id, message_id))
    if stored is None or stored.get("deleted"):
        raise _bad("Tin nhắn này không còn.")
    keyboard = (stored.get("reply_markup") or {}).get("inline_keyboard", [])
    try:
        button = keyboard[row][column]
    except IndexError:
        raise _bad("Tin nhắn này không còn nút đó.") from None
    if "callback_data" not in button:
        raise _bad("Nút này không gửi gì cho bot.")
    query_id = await user.push_press(stored, button["callback_data"])
    return web.json_response({"query_id": query_id})


async def share_contact(request: web.Request) -> web.Response:
    """The reply keyboard's "share my phone number": this person's own contact."""
    sandbox = request.app[SANDBOX_KEY]
    user, _chat_id = _acting(request)
    key = request.query.get("as", "")
    view = sandbox.views.get(key)
    phone = view.phone if view is not None and view.phone else f"+8490{user.id:07d}"
    await user.send_contact(phone.lstrip("+"))
    return web.json_response({"ok": True})


async def upload(request: web.Request) -> web.Response:
    """A photo (JPEG or PNG) or any other file, sent to the bot as Telegram would."""
    user, chat_id = _acting(request)
    if chat_id != user.id:
        raise _bad("Trong nhóm, chế độ thử chỉ gửi được tin nhắn chữ.")
    reader = await request.multipart()
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.filename is None:
        raise _bad("Chưa chọn tệp.")
    content = bytes(await part.read(decode=False))
    if not content:
        raise _bad("Tệp trống.")
    name = part.filename or "tep"
    mime = part.headers.get("Content-Type") or mimetypes.guess_type(name)[0]
    if request.query.get("photo") and (
        content.startswith(b"\xff\xd8") or content.startswith(b"\x89PNG")
    ):
        await user.send_photo(content)
    else:
        await user.send_document(name, content, mime or "application/octet-stream")
    return web.json_response({"ok": True})


async def move_clock(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX_KEY]
    body = await _json(request)
    action = body.get("action")
    if action not in CLOCK_ACTIONS:
        raise _bad("Không rõ cần chuyển đồng hồ thế nào.")
    persona = body.get("as") if body.get("as") in sandbox.views else None
    said = await sandbox.move_clock(action, persona)
    clock = clock_json(sandbox)
    for queue in sandbox.followers:
        queue.put_nowait({"type": "clock", **clock})
    return web.json_response({"said": said, "clock": clock})


def _acting(request: web.Request) -> tuple[TgUser, int]:
    """Who acts (?as=) and in which chat: their own chat with the bot, or the group if they
    are its speaker."""
    sandbox = request.app[SANDBOX_KEY]
    key = request.query.get("as", "")
    user = sandbox.users.get(key)
    if user is None:
        raise _bad("Chưa chọn người để đóng vai.")
    chat_id = _chat_id(request)
    allowed = {user.id}
    if key == world.GROUP_SPEAKER and sandbox.group is not None:
        allowed.add(sandbox.group.id)
    if chat_id not in allowed:
        raise _bad("Người này không ở trong cuộc trò chuyện đó.")
    return user, chat_id


def _chat(sandbox: Sandbox, chat_id: int):
    return sandbox.server.chats[chat_id]


def _chat_id(request: web.Request) -> int:
    try:
        return int(request.match_info["chat"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _json(request: web.Request) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        body = await request.json()
        if isinstance(body, dict):
            return body
    raise _bad("Yêu cầu không hợp lệ.")


def _bad(text: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"error": text}, ensure_ascii=False), content_type="application/json"
    )


# ---------------------------------------------------------------------- what the page shows


def event_json(sandbox: Sandbox, event: Event) -> dict[str, Any]:
    if event.kind in ("new", "edit", "delete"):
        return {"type": "message", "message": message_json(sandbox, event.body)}
    if event.kind == "answer":
        return {"type": "answer", **event.body}
    return {"type": "error", "chat_id": event.chat_id, **event.body}


def message_json(sandbox: Sandbox, raw: dict[str, Any]) -> dict[str, Any]:
    """A message as the page draws it. The bot's HTML passed the server's Telegram-HTML
    check; the page still rebuilds it from allowed tags only."""
    sender = raw.get("from") or {}
    from_bot = sender.get("id") == sandbox.server.bot_user["id"]
    shown: dict[str, Any] = {
        "id": raw["message_id"],
        "chat_id": raw["chat"]["id"],
        "date": raw.get("date"),
        "from_bot": from_bot,
        "sender": " ".join(filter(None, [sender.get("last_name"), sender.get("first_name")])),
        "edited": "edit_date" in raw,
        "deleted": bool(raw.get("deleted")),
    }
    if from_bot:
        shown["html"] = raw.get("html")
        shown["buttons"] = [
            # The callback data rides along for tests and benches that press a button by what
            # it does rather than by its words; the page presses by row and column.
            [{"text": b["text"], "url": b.get("url"), "data": b.get("callback_data")} for b in row]
            for row in (raw.get("reply_markup") or {}).get("inline_keyboard", [])
        ]
        sent = raw.get("sent_markup") or {}
        if "keyboard" in sent:
            shown["keyboard"] = [
                [
                    {
                        "text": b if isinstance(b, str) else b.get("text", ""),
                        "contact": isinstance(b, dict) and bool(b.get("request_contact")),
                    }
                    for b in row
                ]
                for row in sent["keyboard"]
            ]
        elif sent.get("remove_keyboard"):
            shown["keyboard"] = []
    else:
        shown["text"] = raw.get("text") or raw.get("caption") or ""
        if "contact" in raw:
            shown["contact"] = raw["contact"].get("phone_number")
        if "voice" in raw:
            shown["voice"] = True
        if "sticker" in raw:
            shown["sticker"] = True
    if raw.get("photo"):
        shown["photo"] = f"/api/files/{raw['photo'][-1]['file_id']}"
    if raw.get("document"):
        document = raw["document"]
        shown["document"] = {
            "name": document.get("file_name") or "tệp",
            "size": document.get("file_size") or 0,
            "url": f"/api/files/{document['file_id']}?download=1",
        }
    return shown
