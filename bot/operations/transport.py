"""How the bot's Bot API calls travel: python-telegram-bot's request interface on aiohttp.

python-telegram-bot speaks HTTP through httpx by default. On this kind of small server an
httpx request costs about 2.5 ms of CPU and an aiohttp one about 0.7 ms (measured against the test
Bot API server), and every step of a conversation makes two or three calls, so the transport
is most of what a step costs. BaseRequest is the library's documented way to plug in another
HTTP client; this one keeps HTTPXRequest's timeouts and its TimedOut and NetworkError for the
same failures. Parameters travel as a JSON body, which the Bot API takes for every method
(multipart when a file is uploaded): percent-encoding a form of Vietnamese text and keyboards
byte by byte cost more than the rest of the request.
"""

from __future__ import annotations

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import metrics


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session, created when the bot is initialised (aiohttp
    wants a running event loop) and closed at shutdown."""

    __slots__ = ("_defaults", "_media_write_timeout", "_pool_size", "_session")

    def __init__(
        self,
        connection_pool_size: int,
        *,
        read_timeout: float | None,
        write_timeout: float | None,
        connect_timeout: float | None,
        pool_timeout: float | None,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._defaults = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data.multipart_data if request_data else None
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, uploads)
        data, headers = _body(request_data, uploads)
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                status, body = response.status, await response.read()
                if status != 200 and response.content_type != "application/json":
                    # A proxy's HTML page (Telegram's front answers 502 so while the servers
                    # behind it restart): said as the Bot API would, not as a JSON error the
                    # library logs with a traceback.
                    body = json.dumps(
                        {"ok": False, "error_code": status, "description": response.reason}
                    ).encode()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut(
                "Pool timeout: no connection became free in time. Request was *not* sent to"
                " Telegram."
            ) from exc
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
        if status == 200:
            metrics.Telegram.succeeded()  # /healthz: when Telegram last answered
        return status, body

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        uploads: dict | None,
    ) -> aiohttp.ClientTimeout:
        def chosen(value: ODVInput[float], name: str) -> float | None:
            if isinstance(value, DefaultValue):
                if name == "write" and uploads:
                    return self._media_write_timeout
                return self._defaults[name]
            return value

        read_s, write_s = chosen(read, "read"), chosen(write, "write")
        connect_s, pool_s = chosen(connect, "connect"), chosen(pool, "pool")
        # aiohttp has no write timeout of its own: the whole request is bounded by the sum of
        # the phases instead, so a stalled upload still ends.
        phases = [phase for phase in (read_s, write_s, connect_s, pool_s) if phase is not None]
        total = sum(phases) if len(phases) == 4 else None
        return aiohttp.ClientTimeout(
            total=total,
            connect=None if pool_s is None or connect_s is None else pool_s + connect_s,
            sock_connect=connect_s,
            sock_read=read_s,
        )


def _body(
    request_data: RequestData | None, uploads: dict | None
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The parameters as JSON; as multipart form fields, the way python-telegram-bot encodes
    them, when files go along."""
    if request_data is None or not request_data.parameters:
        return None, None
    if not uploads:
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        return body, JSON_HEADERS
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
    for name, (file_name, content, mime_type) in uploads.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form, None


JSON_HEADERS = {"Content-Type": "application/json"}
