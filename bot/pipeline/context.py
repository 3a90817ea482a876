"""The callback context handlers receive: the actor, their language, the session, the clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime, current_update_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.clock import Clock
    from bot.pipeline.menus import Menus
    from bot.services.policy import Actor
    from bot.settings import Settings

RUNTIME_KEY = "chibo.runtime"


class ChiboContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        """Who sent the update: resolved in group -1 (bot/access.py) before any handler runs,
        for every update but the facts about chats (the bot added to a group, a migration)."""
        if self._actor is None:
            raise RuntimeError("no actor: this update is about a chat, not from a person")
        return self._actor

    @actor.setter
    def actor(self, actor: Actor) -> None:
        self._actor = actor

    @property
    def has_actor(self) -> bool:
        return self._actor is not None

    @property
    def runtime(self) -> Runtime:
        return self.application.bot_data[RUNTIME_KEY]

    @property
    def menus(self) -> Menus:
        menus = self.runtime.menus
        assert menus is not None, "the application sets the menus when it is built"
        return menus

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def db(self) -> AsyncSession:
        return current_update_session()

    @property
    def lang(self) -> str:
        return self._actor.lang if self._actor is not None else self.settings.locale


# Handlers take this short name.
Ctx = ChiboContext
