"""People in tests: they type, share contacts, send files and press buttons, then read
what the bot answered, through the test Bot API server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.server import (
    PRIVATE_KEYS,
    BotApiServer,
    Chat,
    answer_topic,
    chat_topic,
)

DEFAULT_TIMEOUT = 10.0


@dataclass
class BotMessage:
    """A message the bot sent, as the server stored it (edits update it in place)."""

    raw: dict[str, Any]

    @property
    def id(self) -> int:
        return self.raw["message_id"]

    @property
    def text(self) -> str:
        """The text as the person sees it (markup removed)."""
        return self.raw.get("text") or self.raw.get("caption") or ""

    @property
    def html(self) -> str | None:
        """The HTML the bot sent."""
        return self.raw.get("html")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.raw.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def keyboard(self) -> list[dict[str, Any]]:
        """The reply keyboard (not inline) sent with this message, if any."""
        markup = self.raw.get("sent_markup") or {}
        return [
            button if isinstance(button, dict) else {"text": button}
            for row in markup.get("keyboard", [])
            for button in row
        ]

    @property
    def document(self) -> dict[str, Any] | None:
        return self.raw.get("document")

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.raw.get("photo")

    def __repr__(self) -> str:
        return f"BotMessage(#{self.id}, {self.text[:200]!r}, buttons={self.button_texts})"


class TgUser:
    def __init__(
        self,
        server: BotApiServer,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> None:
        self.server = server
        self.id = user_id
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if last_name:
            self.user["last_name"] = last_name
        if username:
            self.user["username"] = username
        self.chat = server.private_chat(self.user)
        self._read: dict[int, int] = {}

    # ------------------------------------------------------------------ acting

    async def send(self, text: str, chat: Chat | None = None) -> dict[str, Any]:
        """Type a message (a command if it starts with /)."""
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        return await self._post_message(body, chat)

    async def send_contact(
        self, phone: str, *, user_id: int | None = -1, first_name: str | None = None
    ) -> dict[str, Any]:
        """Share a contact; by default the user's own (user_id equal to theirs)."""
        contact: dict[str, Any] = {
            "phone_number": phone,
            "first_name": first_name or self.user["first_name"],
        }
        owner = self.id if user_id == -1 else user_id
        if owner is not None:
            contact["user_id"] = owner
        return await self._post_message({"contact": contact})

    async def send_photo(
        self, content: bytes = b"\xff\xd8\xff\xe0fakejpeg", caption: str | None = None
    ) -> dict[str, Any]:
        stored = self.server.store_file(content, None, "image/jpeg")
        body: dict[str, Any] = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": 800,
                    "height": 600,
                    "file_size": len(content),
                }
            ]
        }
        if caption:
            body["caption"] = caption
        return await self._post_message(body)

    async def send_document(
        self,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self.server.store_file(content, file_name, mime_type)
        body: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            }
        }
        if caption:
            body["caption"] = caption
        return await self._post_message(body)

    async def send_voice(self, content: bytes = b"OggS-fake", duration: int = 5) -> dict[str, Any]:
        stored = self.server.store_file(content, None, "audio/ogg")
        return await self._post_message(
            {
                "voice": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "duration": duration,
                    "mime_type": "audio/ogg",
                    "file_size": len(content),
                }
            }
        )

    async def send_sticker(self) -> dict[str, Any]:
        stored = self.server.store_file(b"RIFFwebp", None, "image/webp")
        return await self._post_message(
            {
                "sticker": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            }
        )

    async def _post_message(self, body: dict[str, Any], chat: Chat | None = None) -> dict[str, Any]:
        chat = chat or self.chat
        message = {
            "message_id": self.server.next_message_id(chat.id),
            "from": self.user,
            "chat": chat.as_json(),
            "date": self.server.now(),
            **body,
        }
        self.server.record_user_message(message)
        await self.server.push_update({"message": message})
        return message

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """Edit a message this person sent earlier (Telegram's "Edit")."""
        edited = {**message, "text": text, "edit_date": self.server.now()}
        self.server.record_user_message(edited)
        await self.server.push_update({"edited_message": edited})
        return edited

    async def set_bot_membership(self, group: Chat, status: str) -> None:
        """Add the bot to a group ("member") or remove it ("left"), as this user."""
        old = "left" if status != "left" else "member"
        change = {
            "chat": group.as_json(),
            "from": self.user,
            "date": self.server.now(),
            "old_chat_member": {"user": self.server.bot_user, "status": old},
            "new_chat_member": {"user": self.server.bot_user, "status": status},
        }
        await self.server.push_update({"my_chat_member": change})

    async def migrate_group(self, group: Chat, new_id: int) -> Chat:
        """Turn a group into a supergroup: Telegram's two service messages, old then new."""
        supergroup = self.server.group_chat(new_id, group.title, "supergroup")
        await self._post_message({"migrate_to_chat_id": new_id}, group)
        await self._post_message({"migrate_from_chat_id": group.id}, supergroup)
        return supergroup

    async def press(
        self,
        text: str | None = None,
        *,
        data: str | None = None,
        message: BotMessage | None = None,
        chat: Chat | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """Press an inline button (by its text, or raw callback data for forged presses) on
        `message`, or on the newest bot message in the chat that has such a button.
        Returns the bot's answerCallbackQuery (text and show_alert)."""
        chat = chat or self.chat
        target = message.raw if message is not None else self._find_button_message(chat, text)
        if data is None:
            buttons = [b for b in BotMessage(target).buttons if b["text"] == text]
            assert buttons, f"no button {text!r} on {BotMessage(target)!r}"
            data = buttons[0]["callback_data"]
        query_id = await self.push_press(target, data)
        answer = await self.server.wait_for(
            lambda: self.server.callback_answers[query_id], timeout, topic=answer_topic(query_id)
        )
        assert answer is not None, f"the bot did not answer the button press {data!r}"
        return answer

    async def push_press(self, target: dict[str, Any], data: str) -> str:
        """Press a button with this callback data on a stored message, without waiting for
        the bot's answer; returns the press's query id."""
        query_id = self.server.new_callback_query_id()
        public = {k: v for k, v in target.items() if k not in PRIVATE_KEYS}
        await self.server.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user,
                    "chat_instance": f"ci{target['chat']['id']}",
                    "message": public,
                    "data": data,
                }
            }
        )
        return query_id

    def _find_button_message(self, chat: Chat, text: str | None) -> dict[str, Any]:
        for stored in reversed(self.server.bot_messages[chat.id]):
            if stored.get("deleted"):
                continue
            if any(b["text"] == text for b in BotMessage(stored).buttons):
                return stored
        raise AssertionError(f"no bot message in chat {chat.id} has a button {text!r}")

    # ------------------------------------------------------------------ reading

    async def expect_message(
        self,
        contains: str | None = None,
        *,
        chat: Chat | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> BotMessage:
        """The bot's next unread message in this chat; fails if none comes or if it does not
        contain `contains`."""
        chat = chat or self.chat
        cursor = self._read.get(chat.id, 0)

        def arrived() -> dict[str, Any] | None:
            messages = self.server.bot_messages[chat.id]
            return messages[cursor] if len(messages) > cursor else None

        raw = await self.server.wait_for(arrived, timeout, topic=chat_topic(chat.id))
        assert raw is not None, f"no message from the bot in chat {chat.id} within {timeout}s"
        self._read[chat.id] = cursor + 1
        message = BotMessage(raw)
        if contains is not None:
            assert contains in message.text, f"expected {contains!r} in {message!r}"
        return message

    async def expect_edit(
        self, message: BotMessage, contains: str, timeout: float = DEFAULT_TIMEOUT
    ) -> BotMessage:
        """Wait until the bot has edited `message` to contain `contains`."""
        edited = await self.server.wait_for(
            lambda: contains in message.text, timeout, topic=chat_topic(message.raw["chat"]["id"])
        )
        assert edited, f"expected {message!r} to be edited to contain {contains!r}"
        return message

    async def expect_no_message(self, *, chat: Chat | None = None, within: float = 0.5) -> None:
        chat = chat or self.chat
        cursor = self._read.get(chat.id, 0)
        raw = await self.server.wait_for(
            lambda: len(self.server.bot_messages[chat.id]) > cursor,
            within,
            topic=chat_topic(chat.id),
        )
        assert not raw, (
            f"unexpected message {BotMessage(self.server.bot_messages[chat.id][cursor])!r}"
        )

    def unread(self, chat: Chat | None = None) -> list[BotMessage]:
        """The bot's messages in this chat not yet taken by expect_message, at this instant."""
        chat = chat or self.chat
        cursor = self._read.get(chat.id, 0)
        return [BotMessage(raw) for raw in self.server.bot_messages[chat.id][cursor:]]

    def all_messages(self, chat: Chat | None = None) -> list[BotMessage]:
        chat = chat or self.chat
        return [BotMessage(raw) for raw in self.server.bot_messages[chat.id]]
