"""A Telegram Bot API server on 127.0.0.1 that the real bot talks to, in the sandbox, the
tests and the benchmarks.

It keeps chats, messages and pending updates in memory, checks every call against the
official spec and Telegram's limits, and lets people act as users (see users.py). Whoever
follows it (the sandbox's page) subscribes to its events: messages sent, edited and deleted
in a chat, answers to button presses, and calls Telegram would refuse.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from sandbox import spec
from sandbox.html_check import HtmlError, telegram_length
from sandbox.html_check import parse as parse_html
from sandbox.spec import ApiError

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
INLINE_BUTTON_LIMIT = 100

GLOBAL_PER_SECOND = 30
PRIVATE_PER_SECOND = 1
GROUP_PER_MINUTE = 20

# Methods that deliver a message to a chat, and so count against the flood limits.
SENDING_METHODS = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendAudio",
    "sendVoice",
    "sendVideo",
    "sendAnimation",
    "sendSticker",
    "sendLocation",
    "sendContact",
    "sendPoll",
    "sendDice",
    "sendMediaGroup",
    "sendVenue",
    "sendVideoNote",
    "copyMessage",
    "forwardMessage",
}


# What the server keeps about a bot message beyond what Telegram returns.
PRIVATE_KEYS = frozenset({"html", "sent_markup", "deleted"})


@dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup
    title: str = ""
    is_forum: bool = False  # a supergroup with topics
    first_name: str = ""
    username: str | None = None
    blocked: bool = False
    members: set[int] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name
            if self.username:
                data["username"] = self.username
        else:
            data["title"] = self.title
            if self.is_forum:
                data["is_forum"] = True
        return data


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool
    error: str = ""
    at: float = 0.0


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def path(self) -> str:
        return f"files/{self.unique_id}"


class FloodLimits:
    """Telegram's sending limits, as sliding windows; answers how long to wait, or 0."""

    def __init__(self) -> None:
        self.global_sends: deque[float] = deque()
        self.chat_sends: dict[int, deque[float]] = defaultdict(deque)

    def check(self, chat: Chat, now: float) -> float:
        wait = _window_wait(self.global_sends, now, 1.0, GLOBAL_PER_SECOND)
        if chat.type == "private":
            wait = max(wait, _window_wait(self.chat_sends[chat.id], now, 1.0, PRIVATE_PER_SECOND))
        else:
            wait = max(wait, _window_wait(self.chat_sends[chat.id], now, 60.0, GROUP_PER_MINUTE))
        return wait

    def record(self, chat: Chat, now: float) -> None:
        self.global_sends.append(now)
        self.chat_sends[chat.id].append(now)


def _window_wait(sends: deque[float], now: float, window: float, limit: int) -> float:
    while sends and sends[0] <= now - window:
        sends.popleft()
    if len(sends) < limit:
        return 0.0
    return sends[0] + window - now


class BotApiServer:
    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_id: int = 7000001,
        bot_username: str = "chibo_test_bot",
        flood_limits: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        # The time messages are dated with (Unix seconds): the sandbox's movable clock.
        self.clock = clock
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "chibo",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.flood_limits_on = flood_limits
        self.flood = FloodLimits()
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.bot_messages: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.events: dict[int, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.calls: list[Call] = []
        self.error_counts: Counter[int] = Counter()
        # Errors to answer with, each for any chat (None) or for one chat.
        self.injected: dict[str, deque[tuple[ApiError | str, int | None]]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        # Waiters on one topic (a chat's messages, a button's answer) are woken by changes to
        # that topic alone: with hundreds of people waiting, waking all of them at every change
        # would make the server, not the bot, the thing measured.
        self._topic_waiters: dict[Hashable, list[asyncio.Future[None]]] = defaultdict(list)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.listeners: list[Callable[[Event], None]] = []
        # The long poll now waiting: a newer getUpdates ends it with 409, as Telegram does.
        self._poll_ids = itertools.count(1)
        self._current_poll = 0
        # Telegram's flood control: until then, every message gets 429.
        self.flood_until = 0.0
        # setWebhook's parameters while a webhook is set; updates are then posted to it.
        self.webhook: dict[str, Any] | None = None
        self.webhook_target: str | None = None
        # When each method was first called (a long poll is recorded when it returns).
        self.first_arrival: dict[str, float] = {}
        self.webhook_posts: list[tuple[int, int]] = []  # (HTTP status or 0, update_id)
        self._webhook_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ state for tests

    def private_chat(self, user: dict[str, Any]) -> Chat:
        chat = self.chats.get(user["id"])
        if chat is None:
            chat = Chat(
                user["id"], "private", first_name=user["first_name"], username=user.get("username")
            )
            self.chats[chat.id] = chat
        return chat

    def group_chat(
        self, chat_id: int, title: str, kind: str = "group", *, forum: bool = False
    ) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, kind, title=title, is_forum=forum)
            self.chats[chat_id] = chat
        return chat

    def inject_error(
        self, method: str, error: ApiError | str, times: int = 1, *, chat_id: int | None = None
    ) -> None:
        """Answer the next `times` calls of `method` with an error; or "timeout" to hang,
        "disconnect" to drop the connection unanswered, "bad-gateway" for the proxy's 502
        page that Telegram's front answers with when the server behind it is down. With
        `chat_id`, only calls to that chat meet it."""
        for _ in range(times):
            self.injected[method].append((error, chat_id))

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def store_file(
        self, content: bytes, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(f"FILE{number:06d}x", f"U{number:06d}", content, file_name, mime_type)
        self.files[stored.file_id] = stored
        return stored

    async def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def flood_wait(self, seconds: float) -> None:
        """Telegram's flood control for the next `seconds`: every message gets 429."""
        self.flood_until = time.monotonic() + seconds

    async def _post_to_webhook(self) -> None:
        """While a webhook is set, post the waiting updates to it in order, each until the
        bot answers 200 (Telegram retries too, with pauses)."""
        async with aiohttp.ClientSession() as session:
            while True:
                async with self._changed:
                    await self._changed.wait_for(lambda: self.webhook is not None and self._updates)
                    assert self.webhook is not None
                    update, hook = self._updates[0], dict(self.webhook)
                headers = {}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                try:
                    async with session.post(
                        hook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(10)
                    ) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                self.webhook_posts.append((status, update["update_id"]))
                if status == 200:
                    async with self._changed:
                        if self._updates and self._updates[0] is update:
                            self._updates.pop(0)
                else:
                    await asyncio.sleep(0.5)

    async def post_to_webhook(self, url: str, update: dict[str, Any], secret: str | None) -> int:
        """One post to a webhook as anyone could send it (a test of a wrong secret)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            return response.status

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def record_user_message(self, message: dict[str, Any]) -> None:
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        self._emit(Event("new", message["chat"]["id"], message))

    def now(self) -> int:
        return int(self.clock())

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message of a chat, the person's and the bot's, in the order they came."""
        found = [m for (chat, _), m in self.messages.items() if chat == chat_id]
        return sorted(found, key=lambda message: message["message_id"])

    def _emit(self, event: Event) -> None:
        for listener in self.listeners:
            listener(event)

    async def wait_for(self, predicate, timeout: float, *, topic: Hashable = None) -> Any:
        """Wait until predicate() returns something truthy, and return it. With a topic
        (chat_topic(), answer_topic()), only changes to that topic wake the waiter."""
        if topic is not None:
            return await self._wait_on_topic(predicate, timeout, topic)
        async with self._changed:
            result = predicate()
            if result:
                return result
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                return None
            return predicate()

    async def _wait_on_topic(self, predicate, timeout: float, topic: Hashable) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            woken: asyncio.Future[None] = loop.create_future()
            waiters = self._topic_waiters[topic]
            waiters.append(woken)
            try:
                async with asyncio.timeout(remaining):
                    await woken
            except TimeoutError:
                return predicate() or None
            finally:
                if woken in waiters:
                    waiters.remove(woken)
        return result

    def _notify(self, *topics: Hashable) -> None:
        """Wake the general waiters and those of these topics; call with the lock held."""
        self._changed.notify_all()
        for topic in topics:
            for woken in self._topic_waiters.pop(topic, ()):
                if not woken.done():
                    woken.set_result(None)

    # ------------------------------------------------------------------ HTTP

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.path == path:
                return web.Response(body=stored.content)
        raise web.HTTPNotFound()

    async def _handle_method(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        self.first_arrival.setdefault(method_name, time.monotonic())
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        try:
            method = spec.canonical_method(method_name)
            raw, from_form = await _read_params(request)
            params = spec.parse_params(method, raw, from_form)
        except ConnectionResetError:  # the bot stopped while sending: nobody to answer
            return web.Response(status=400)
        except ApiError as error:
            self._record(method_name, {}, error)
            return _error_response(error)
        injected = self._injected_for(method, params)
        if injected is not None:
            if injected == "timeout":
                await asyncio.sleep(3600)
            if injected == "disconnect":
                self._record(method, params, ApiError(0, "connection dropped"))
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=500)
            if injected == "bad-gateway":
                self._record(method, params, ApiError(502, "Bad Gateway"))
                return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
            assert isinstance(injected, ApiError)
            self._record(method, params, injected)
            return _error_response(injected)
        try:
            result = await self._dispatch(method, params)
        except ApiError as error:
            self._record(method, params, error)
            return _error_response(error)
        self._record(method, params, None)
        return web.json_response({"ok": True, "result": result})

    def _injected_for(self, method: str, params: dict[str, Any]) -> ApiError | str | None:
        """The first error waiting for this call, taken off the list."""
        waiting = self.injected.get(method)
        if not waiting:
            return None
        chat = _int_or_none(params.get("chat_id"))
        for entry in waiting:
            error, for_chat = entry
            if for_chat is None or for_chat == chat:
                waiting.remove(entry)
                return error
        return None

    def _record(self, method: str, params: dict[str, Any], error: ApiError | None) -> None:
        printable = {k: v for k, v in params.items() if not isinstance(v, bytes | tuple)}
        self.calls.append(
            Call(
                method,
                printable,
                error is None,
                error.description if error else "",
                time.monotonic(),
            )
        )
        if error is not None:
            self.error_counts[error.code] += 1
            chat_id = params.get("chat_id")
            if method != "getUpdates":
                self._emit(
                    Event(
                        "error",
                        _int_or_none(chat_id),
                        {"method": method, "error": error.description},
                    )
                )

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if method in SENDING_METHODS:
            chat = self._chat_for(params["chat_id"])
            self._check_flood(chat)
        if handler is None:
            return True
        return await handler(params)

    def _check_flood(self, chat: Chat) -> None:
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        now = time.monotonic()
        if now < self.flood_until:
            retry_after = max(1, math.ceil(self.flood_until - now))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        if not self.flood_limits_on:
            return
        wait = self.flood.check(chat, now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        self.flood.record(chat, now)

    def _chat_for(self, chat_id: Any) -> Chat:
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    # ------------------------------------------------------------------ methods

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        timeout = float(params.get("timeout", 0) or 0)
        async with self._changed:
            poll = self._current_poll = next(self._poll_ids)
            self._changed.notify_all()  # an older poll still waiting ends with 409
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(
                            lambda: bool(self._updates) or self._current_poll != poll
                        ),
                        timeout,
                    )
            if self._current_poll != poll:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only"
                    " one bot instance is running",
                )
            return self._updates[:limit]

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        url = params["url"]
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if not url:
            return await self._m_deleteWebhook(params)
        # Telegram posts to the public https URL; the test server posts to where it leads
        # (the reverse proxy's work), given by `webhook_target`.
        self.webhook = {**params, "url": self.webhook_target or url, "public_url": url}
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._post_to_webhook())
        async with self._changed:
            self._changed.notify_all()
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        return {
            "url": hook.get("public_url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
            **({"max_connections": hook["max_connections"]} if "max_connections" in hook else {}),
            **({"allowed_updates": hook["allowed_updates"]} if "allowed_updates" in hook else {}),
        }

    async def _m_getChat(self, params: dict[str, Any]) -> Any:
        chat = self._chat_for(params["chat_id"])
        return {
            **chat.as_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        commands = params["commands"]
        for command in commands:
            if not (1 <= len(command.get("command", "")) <= 32):
                raise ApiError(400, "Bad Request: command must be 1-32 characters")
            if not (1 <= len(command.get("description", "")) <= 256):
                raise ApiError(400, "Bad Request: command description must be 1-256 characters")
        self.commands[command_scope_key(scope, params.get("language_code", ""))] = commands
        return True

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        self.commands.pop(command_scope_key(scope, params.get("language_code", "")), None)
        return True

    def commands_for_chat(self, chat_id: int) -> list[dict[str, Any]]:
        """The command menu a person sees in their chat with the bot: their chat's scope if
        the bot set one, else the default."""
        for scope in ({"type": "chat", "chat_id": chat_id}, {"type": "default"}):
            found = self.commands.get(command_scope_key(scope, ""))
            if found is not None:
                return found
        return []

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat_for(params["chat_id"])
        text = params["text"]
        shown, entities = _check_text(text, params.get("parse_mode"), TEXT_LIMIT, "message text")
        markup = _check_markup(params.get("reply_markup"))
        body: dict[str, Any] = {"text": shown, "html": text}
        if entities:
            body["entities"] = entities
        return await self._deliver(chat, body, markup)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "photo")

    async def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "document")

    async def _m_sendVoice(self, params: dict[str, Any]) -> Any:
        return await self._send_file(params, "voice")

    async def _send_file(self, params: dict[str, Any], kind: str) -> Any:
        chat = self._chat_for(params["chat_id"])
        caption = params.get("caption")
        if caption:
            caption, caption_entities = _check_text(
                caption, params.get("parse_mode"), CAPTION_LIMIT, "caption", empty_ok=True
            )
        markup = _check_markup(params.get("reply_markup"))
        upload = params[kind]
        if isinstance(upload, tuple):
            file_name, content, mime = upload
            stored = self.store_file(content, file_name, mime)
        elif isinstance(upload, str) and upload in self.files:
            stored = self.files[upload]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if kind == "photo":
            if not stored.content.startswith(b"\x89PNG") and not stored.content.startswith(
                b"\xff\xd8"
            ):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            body: dict[str, Any] = {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.unique_id,
                        "width": 1080,
                        "height": 1920,
                        "file_size": len(stored.content),
                    }
                ]
            }
        elif kind == "voice":
            body = {
                "voice": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "duration": 1,
                    "mime_type": stored.mime_type or "audio/ogg",
                    "file_size": len(stored.content),
                }
            }
        else:
            body = {
                "document": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "file_name": stored.file_name or "file",
                    "mime_type": stored.mime_type or "application/octet-stream",
                    "file_size": len(stored.content),
                }
            }
        if caption:
            body["caption"] = caption
            body["html"] = params["caption"]
            if caption_entities:
                body["caption_entities"] = caption_entities
        return await self._deliver(chat, body, markup)

    async def _deliver(
        self, chat: Chat, body: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        message = {
            "message_id": self.next_message_id(chat.id),
            "from": self.bot_user,
            "chat": chat.as_json(),
            "date": self.now(),
            **{k: v for k, v in body.items() if k not in PRIVATE_KEYS},
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        stored = {**message, "html": body.get("html"), "sent_markup": markup}
        async with self._changed:
            self.messages[(chat.id, message["message_id"])] = stored
            self.bot_messages[chat.id].append(stored)
            self.events[chat.id].append(("new", stored))
            self._notify(chat_topic(chat.id))
        self._emit(Event("new", chat.id, stored))
        return message

    async def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        stored = self._bot_message(params)
        text = params["text"]
        shown, entities = _check_text(text, params.get("parse_mode"), TEXT_LIMIT, "message text")
        markup = _check_markup(params.get("reply_markup"))
        if stored.get("html") == text and stored.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the"
                " message",
            )
        stored.pop("entities", None)
        return await self._edit(
            stored, text=shown, html=text, markup=markup, entities=entities or None
        )

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        stored = self._bot_message(params)
        markup = _check_markup(params.get("reply_markup"))
        if stored.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        return await self._edit(stored, markup=markup)

    async def _edit(
        self, stored: dict[str, Any], markup: dict[str, Any] | None, **changes: Any
    ) -> dict[str, Any]:
        async with self._changed:
            stored.update({k: v for k, v in changes.items() if v is not None})
            if markup is None:
                stored.pop("reply_markup", None)
            else:
                stored["reply_markup"] = markup
            stored["edit_date"] = self.now()
            self.events[stored["chat"]["id"]].append(("edit", stored))
            self._notify(chat_topic(stored["chat"]["id"]))
        self._emit(Event("edit", stored["chat"]["id"], stored))
        return {k: v for k, v in stored.items() if k not in PRIVATE_KEYS}

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        stored = self._bot_message(params)
        async with self._changed:
            stored["deleted"] = True
            self.events[stored["chat"]["id"]].append(("delete", stored))
            self._notify(chat_topic(stored["chat"]["id"]))
        self._emit(Event("delete", stored["chat"]["id"], stored))
        return True

    def _bot_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not used by this bot")
        chat = self._chat_for(params.get("chat_id"))
        stored = self.messages.get((chat.id, int(params.get("message_id", 0))))
        if stored is None or stored.get("deleted"):
            raise ApiError(400, "Bad Request: message to edit not found")
        if stored["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return stored

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self.callback_answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = params.get("text") or ""
        if len(text) > CALLBACK_ANSWER_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        async with self._changed:
            if self.callback_answers[query_id]:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout"
                    " expired or query ID is invalid",
                )
            self.callback_answers[query_id] = {
                "text": text,
                "show_alert": bool(params.get("show_alert")),
            }
            self._notify(answer_topic(query_id))
        self._emit(Event("answer", None, {"query_id": query_id, **self.callback_answers[query_id]}))
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }

    def new_callback_query_id(self) -> str:
        query_id = f"CQ{next(self._callback_ids)}"
        self.callback_answers[query_id] = {}
        return query_id


@dataclass(frozen=True)
class Event:
    """Something a follower of the server is told: a message "new", "edit" or "delete" in a
    chat, an "answer" to a button press, or an "error" Telegram would answer a call with."""

    kind: str
    chat_id: int | None
    body: dict[str, Any]


def command_scope_key(scope: dict[str, Any], language_code: str) -> str:
    return json.dumps(scope, sort_keys=True) + "|" + language_code


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def chat_topic(chat_id: int) -> Hashable:
    """The topic of the bot's messages in a chat (sent, edited, deleted)."""
    return ("chat", chat_id)


def answer_topic(query_id: str) -> Hashable:
    """The topic of the bot's answer to one button press."""
    return ("answer", query_id)


def _check_text(
    text: str, parse_mode: str | None, limit: int, what: str, empty_ok: bool = False
) -> tuple[str, list[dict[str, object]]]:
    """The text as shown and its entities, after checking markup and length."""
    shown, entities = text, list[dict[str, object]]()
    if parse_mode is not None:
        if parse_mode.upper() != "HTML":
            raise ApiError(400, f"Bad Request: this server checks HTML only, got {parse_mode}")
        try:
            shown, entities = parse_html(text)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    length = telegram_length(shown.strip())
    if length == 0 and not empty_ok:
        raise ApiError(400, f"Bad Request: {what} is empty")
    if length > limit:
        raise ApiError(400, f"Bad Request: {what} is too long")
    return shown, entities


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        buttons = [button for row in rows for button in row]
        if len(buttons) > INLINE_BUTTON_LIMIT:
            raise ApiError(400, "Bad Request: too many inline keyboard buttons")
        for button in buttons:
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not (1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if data is None and not any(
                k in button for k in ("url", "switch_inline_query", "copy_text", "web_app")
            ):
                raise ApiError(400, "Bad Request: inline keyboard button has no action")
    elif "keyboard" in markup:
        for row in markup["keyboard"]:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise ApiError(400, "Bad Request: keyboard button text is empty")
    return markup


async def _read_params(request: web.Request) -> tuple[dict[str, Any], bool]:
    if request.method == "GET":
        return dict(request.query), True
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.read()
        return (json.loads(body) if body else {}), False
    if content_type.startswith("multipart/"):
        params: dict[str, Any] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = await part.read(decode=False)
                params[part.name] = (
                    part.filename,
                    bytes(content),
                    part.headers.get("Content-Type"),
                )
            else:
                params[part.name] = await part.text()
        # PTB sends the file under an attach:// name; put it back in its parameter.
        for name, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[name] = params.pop(value.removeprefix("attach://"))
        return params, True
    form = await request.post()
    return {key: value for key, value in form.items()}, True


BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)
