"""`make run`: the real bot when a token is configured, the sandbox when none is.

`chibo run` itself refuses to start without a token, so a production service can never fall
into the sandbox by mistake; only this entry point, used by `make run`, chooses.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot import cli
from bot.settings import SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"chibo: {exc}", file=sys.stderr)
        return cli.EXIT_BAD_SETTINGS
    if settings.bot_token is not None:
        return cli.main(["run"])
    port = args[args.index("--port") + 1] if "--port" in args[:-1] else "8080"
    print(f"Chưa có CHIBO_BOT_TOKEN: chạy chế độ thử tại http://127.0.0.1:{port}", flush=True)
    return cli.main(["sandbox", *args])


if __name__ == "__main__":
    sys.exit(main())
