"""Settings read from CHIBO_* environment variables and an optional .env file."""

from __future__ import annotations

import logging
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.deadlines import Deadlines
from bot.domain.reminder_slots import Slot, parse_slots
from bot.formats.letterhead import Letterhead, issuer_from
from bot.i18n import SUPPORTED_LOCALES
from db.urls import DatabaseUrlError, async_database_url

ENV_PREFIX = "CHIBO_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    bot_token: str | None = Field(
        default=None, description="Token from @BotFather; required to run the bot."
    )
    database_url: str = Field(
        default="sqlite:///chibo.db",
        description="sqlite:///path.db or postgresql://user:pass@host/db.",
    )
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"
    quiet_hours: str = "21:30-06:30"
    invite_ttl_days: int = Field(default=7, ge=1, le=365)
    # Days after sending during which the author may amend a report.
    amend_days: int = Field(default=7, ge=1, le=90)
    reminders: str = "3d@08:00,1d@08:00,2h"
    # Telegram's limit of about 30 messages a second, kept by answers as by the outbox, with
    # python-telegram-bot's rate limiter as a safety net behind; only worth turning off
    # against a local Bot API server that has no such limit (benchmarks): answers then keep
    # only their chat's pace.
    rate_limiter: bool = True
    # Seconds between two messages to one chat, answers and the outbox's alike: Telegram
    # allows about one a second. Lower only against a server that allows it (the tests').
    chat_pace: float = Field(default=1.05, gt=0, le=10)
    # When the month's digest goes to the leadership group: day of the month @ local time.
    digest_at: str = "1@08:00"
    # Attendances a year expected of each committee member (0: the organisation set none).
    attendance_quota: int = Field(default=0, ge=0, le=365)
    # The digest's report document, laid out as HD 36-HD/VPTW asks: the place before its date,
    # the body above the committee, the committee that issues it (empty: made from the
    # organisation's name, "Đảng bộ phường X" → "ĐẢNG ỦY PHƯỜNG X"), the symbol after its
    # number, and the signing block.
    place: str = Field(default="", max_length=60)
    # Days a handling body is given to answer a proposal: urgent, then normal.
    proposal_days: str = "7,30"
    # Who triages new proposals (assigns, merges, closes them; hears of urgent ones at once and
    # gets the morning's summary): the leaders, the office, or both.
    proposal_triage: str = "leaders,office"
    superior_body: str = Field(default="", max_length=80)
    issuing_body: str = Field(default="", max_length=80)
    document_symbol: str = Field(default="ĐU", min_length=1, max_length=12)
    signing_for: str = Field(default="T/M ĐẢNG ỦY", min_length=1, max_length=60)
    signer_title: str = Field(default="BÍ THƯ", min_length=1, max_length=60)
    signer_name: str = Field(default="", max_length=80)
    # Running it (docs/deploy.md). A public https URL switches from long polling to a webhook,
    # served on `listen` behind a reverse proxy.
    webhook_url: str = ""
    listen: str = "127.0.0.1:8443"
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # /healthz and /metrics, e.g. 127.0.0.1:8081; empty: not served.
    health_listen: str = ""
    # The chat (or user) that hears of unhandled errors: the office's technical contact.
    error_chat_id: int | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        head, _, tail = value.partition(":")
        if not head.isdigit() or len(tail) < 1:
            raise ValueError("expected the form 123456789:ABC... given by @BotFather")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            async_database_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("telegram_base_url", "telegram_base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith("https://"):
            raise ValueError("must be a public https:// URL (Telegram sends webhooks over https)")
        return value

    @field_validator("listen", "health_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        value = value.strip()
        if value:
            host_and_port(value)
        return value

    @field_validator("error_chat_id", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.lstrip("-").isdigit():
                raise ValueError("must be a Telegram chat or user id (digits, - for a group)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from None
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            ids = []
            for part in parts:
                if not part:
                    continue
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a Telegram user id (digits only)")
                ids.append(int(part))
            return frozenset(ids)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        _parse_quiet_hours(value)
        return value.strip()

    @field_validator("digest_at")
    @classmethod
    def _digest_at(cls, value: str) -> str:
        _parse_digest_at(value)
        return value.strip()

    @field_validator("proposal_days")
    @classmethod
    def _proposal_days(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 2 or not all(p.isdigit() and 1 <= int(p) <= 365 for p in parts):
            raise ValueError("two numbers of days, urgent then normal, e.g. 7,30")
        return ",".join(parts)

    @field_validator("proposal_triage")
    @classmethod
    def _proposal_triage(cls, value: str) -> str:
        parts = {part.strip().lower() for part in value.split(",") if part.strip()}
        if not parts or not parts <= {"leaders", "office"}:
            raise ValueError("leaders, office, or leaders,office")
        return ",".join(sorted(parts))

    @property
    def triage_by(self) -> frozenset[str]:
        return frozenset(self.proposal_triage.split(","))

    @property
    def proposal_deadlines(self) -> Deadlines:
        urgent, normal = (int(part) for part in self.proposal_days.split(","))
        return Deadlines(urgent=urgent, normal=normal)

    @field_validator("superior_body", "issuing_body", "signing_for", "signer_title")
    @classmethod
    def _upper_case_line(cls, value: str) -> str:
        # Written in capitals in the document whatever was typed.
        return " ".join(value.split()).upper()

    @field_validator("document_symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        value = value.strip().upper()
        if not value or not all(c.isalnum() or c in "-/" for c in value):
            raise ValueError("letters only, as after -BC/ (e.g. ĐU, HU, TU)")
        return value

    @field_validator("signing_for")
    @classmethod
    def _signing_for(cls, value: str) -> str:
        if not value.startswith(("T/M ", "K/T ", "TM ", "KT ")):
            raise ValueError("must start with T/M (on behalf of), e.g. T/M ĐẢNG ỦY")
        return value

    def letterhead(self, org_name: str) -> Letterhead:
        """The report document's issuing and signing blocks."""
        return Letterhead(
            superior=self.superior_body,
            issuer=self.issuing_body or issuer_from(org_name),
            symbol=self.document_symbol,
            place=self.place.strip(),
            signing_for=self.signing_for,
            signer_title=self.signer_title,
            signer_name=" ".join(self.signer_name.split()),
        )

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: str) -> str:
        parse_slots(value)
        return value

    @property
    def reminder_slots(self) -> list[Slot]:
        return parse_slots(self.reminders)

    @property
    def digest_day_and_time(self) -> tuple[int, time]:
        return _parse_digest_at(self.digest_at)

    @property
    def quiet_hours_span(self) -> tuple[time, time]:
        return _parse_quiet_hours(self.quiet_hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)


def _parse_quiet_hours(value: str) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ValueError("write it as HH:MM-HH:MM, e.g. 21:30-06:30") from None
    return start, end


def _parse_digest_at(value: str) -> tuple[int, time]:
    day, _, at = value.strip().partition("@")
    try:
        number, moment = int(day), time.fromisoformat(at.strip())
    except ValueError:
        raise ValueError("write it as DAY@HH:MM, e.g. 1@08:00") from None
    if not 1 <= number <= 28:
        raise ValueError("the day must be from 1 to 28, so that every month has it")
    return number, moment


def host_and_port(value: str) -> tuple[str, int]:
    """'127.0.0.1:8443' as ('127.0.0.1', 8443); ValueError if it is not of that form."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port, e.g. 127.0.0.1:8081, not {value!r}")
    return host.strip("[]"), int(port)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        reason = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{ENV_PREFIX}{field.upper()}: {reason}") from None


def require_token(settings: Settings) -> str:
    if settings.bot_token is None:
        raise SettingsError(
            f"{ENV_PREFIX}BOT_TOKEN: missing; get a token from @BotFather and set it"
            " in the environment or in .env"
        )
    return settings.bot_token
