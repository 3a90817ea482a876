"""The `chibo` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import __version__
from bot.clock import SystemClock
from bot.operations.process import configure_logging, new_event_loop
from bot.settings import Settings, SettingsError, load_settings, require_token
from db.session import create_engine, create_sessionmaker

log = logging.getLogger("chibo")

EXIT_FAILURE = 1
EXIT_BAD_SETTINGS = 2


class CommandFailed(Exception):
    """A command could not do its work; the message is one line for the operator."""


def cmd_run(settings: Settings, _args: argparse.Namespace) -> None:
    from bot.app import build_application
    from bot.operations.election import AlreadyRunning
    from bot.operations.serve import CannotListen, serve

    require_token(settings)
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        try:
            runner.run(serve(settings, lambda: _upgrade(settings), build_application))
        except InvalidToken as exc:
            raise SettingsError(f"CHIBO_BOT_TOKEN: Telegram refused the token ({exc})") from exc
        except (AlreadyRunning, CannotListen) as exc:
            raise CommandFailed(str(exc)) from exc


def cmd_status(settings: Settings, _args: argparse.Namespace) -> None:
    from bot.operations import status

    async def read() -> dict:
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as connection:
                return await status.summary(connection)
        except (SQLAlchemyError, OSError) as exc:
            raise CommandFailed(f"database: cannot read the status: {_first_line(exc)}") from exc
        finally:
            await engine.dispose()

    report = asyncio.run(read())
    print("\n".join(status.lines(report)))
    if not report["active"]:
        raise SystemExit(EXIT_FAILURE)


async def _upgrade(settings: Settings) -> None:
    from db import schema

    try:
        if await schema.is_current(settings.database_url):
            return  # Alembic stays unloaded
        from db import migrate

        await migrate.upgrade(settings.database_url)
    except (SQLAlchemyError, OSError) as exc:
        raise CommandFailed(f"database {settings.database_url}: {_first_line(exc)}") from exc


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> None:
    from db import migrate

    asyncio.run(_upgrade(settings))
    revision = asyncio.run(migrate.current_revision_for(settings.database_url))
    print(f"database schema at revision {revision}")


def cmd_db_downgrade(settings: Settings, args: argparse.Namespace) -> None:
    from db import migrate

    asyncio.run(migrate.downgrade(settings.database_url, args.revision))
    revision = asyncio.run(migrate.current_revision_for(settings.database_url))
    print(f"database schema at revision {revision or 'base (empty)'}")


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    from db.backup import BackupError, backup

    try:
        print(backup(settings.database_url, Path(args.file)))
    except BackupError as exc:
        raise CommandFailed(str(exc)) from exc


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    from db.backup import BackupError, restore

    try:
        print(restore(settings.database_url, Path(args.file)))
    except BackupError as exc:
        raise CommandFailed(str(exc)) from exc


def cmd_check(settings: Settings, _args: argparse.Namespace) -> None:
    print("settings: ok")
    asyncio.run(_check(settings))


async def _check(settings: Settings) -> None:
    from db import migrate

    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        revision = await migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise CommandFailed(f"database: cannot connect: {_first_line(exc)}") from exc
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    if revision == head:
        state = "up to date"
    elif revision is None:
        state = f"empty; run `chibo db upgrade` (head is {head})"
    else:
        state = f"behind head {head}; run `chibo db upgrade`"
    print(f"database: ok, schema revision {revision or 'none'} ({state})")
    if settings.bot_token is None:
        print("telegram: no CHIBO_BOT_TOKEN set, not checked")
        return
    bot = Bot(settings.bot_token, base_url=settings.telegram_base_url)
    try:
        async with bot:
            me = await bot.get_me()
    except TelegramError as exc:
        raise CommandFailed(f"telegram: getMe failed: {_first_line(exc)}") from exc
    print(f"telegram: ok, bot @{me.username}")


async def _in_session(settings: Settings, work):
    """Run work(session) on a migrated database as one unit of work: committed once it
    returns, then everything closed."""
    await _upgrade(settings)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def _with_sessions(settings: Settings, work):
    """Run work(sessionmaker) on a migrated database, for work that opens sessions of its own."""
    await _upgrade(settings)
    engine = create_engine(settings.database_url)
    try:
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def cmd_roster_import(settings: Settings, args: argparse.Namespace) -> None:
    from bot.formats.roster_workbook import WorkbookError, read_paths
    from bot.outbox.deliver import queue_notices
    from bot.render.roster import import_report, plain_report
    from bot.services.audit import Who
    from bot.services.roster import RosterService

    try:
        rows, read_problems = read_paths(Path(name) for name in args.files)
    except (WorkbookError, OSError) as exc:
        raise CommandFailed(_translated(settings, exc)) from exc

    async def work(session):
        clock = SystemClock()
        service = RosterService(session, clock, settings.zone)
        result = await service.import_rows(
            rows,
            read_problems,
            Who.command_line(),
            dry_run=args.dry_run,
            source=", ".join(args.files),
        )
        await queue_notices(session, settings, clock.now(), result.notices)
        return result

    result = asyncio.run(_in_session(settings, work))
    print(plain_report(import_report(result, settings.locale, dry_run=args.dry_run)), end="")
    if result.problems or result.refusal is not None:
        raise SystemExit(EXIT_FAILURE)


def cmd_roster_export(settings: Settings, args: argparse.Namespace) -> None:
    from bot.services.roster import RosterService

    async def work(session):
        return await RosterService(session, SystemClock()).export()

    content = asyncio.run(_in_session(settings, work))
    Path(args.file).write_bytes(content)
    print(args.file)


def cmd_invite(settings: Settings, args: argparse.Namespace) -> None:
    from bot.services.audit import Who
    from bot.services.linking import LinkingService

    token = require_token(settings)

    async def work(session):
        return await LinkingService(session, SystemClock()).create_invite(
            args.person_code, Who.command_line(), settings.invite_ttl_days
        )

    async def bot_username() -> str:
        try:
            async with Bot(token, base_url=settings.telegram_base_url) as bot:
                return bot.username
        except TelegramError as exc:
            raise CommandFailed(f"telegram: getMe failed: {_first_line(exc)}") from exc

    username = asyncio.run(bot_username())
    invitation = asyncio.run(_in_session(settings, work))
    if invitation is None:
        raise CommandFailed(f"no active person has the code {args.person_code!r}")
    print(f"https://t.me/{username}?start={invitation.token}")
    print(
        f"for {invitation.person.full_name} ({invitation.person.code}); single use,"
        f" valid for {invitation.ttl_days} days"
    )


def cmd_admin(settings: Settings, args: argparse.Namespace) -> None:
    from bot.services.people import AdminChange, set_administrator

    grant = args.admin_command == "grant"

    async def work(session):
        return await set_administrator(session, SystemClock(), args.person, grant)

    change, person = asyncio.run(_in_session(settings, work))
    if change == AdminChange.UNKNOWN:
        raise CommandFailed(f"no active person has the code or phone number {args.person!r}")
    assert person is not None
    who = f"{person.full_name} ({person.code})"
    if change == AdminChange.LAST:
        raise CommandFailed(f"{who} is the only administrator; grant the role to another first")
    print(
        {
            AdminChange.GRANTED: f"{who} is now an administrator",
            AdminChange.REVOKED: f"{who} is no longer an administrator",
            AdminChange.UNCHANGED: f"{who}: nothing to change",
        }[change]
    )


def cmd_demo_data(settings: Settings, args: argparse.Namespace) -> None:
    from bot.services.demo import SCALES, DemoData, DemoDataError, analyze

    async def work(session):
        counts = await DemoData(session, SystemClock(), settings.zone).fill(SCALES[args.scale])
        await session.commit()
        await analyze(session)
        await session.commit()
        return counts

    try:
        counts = asyncio.run(_in_session(settings, work))
    except DemoDataError as exc:
        raise CommandFailed(str(exc)) from exc
    print(
        f"{args.scale}: {counts.units} units, {counts.people} people, {counts.meetings} meetings,"
        f" {counts.reports} reports, {counts.proposals} proposals"
    )


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> None:
    from sandbox.run import run

    try:
        run(settings, port=args.port, scale=args.scale, database=Path(args.database))
    except OSError as exc:
        raise CommandFailed(f"sandbox: port {args.port}: {exc.strerror or exc}") from exc


def cmd_digest(settings: Settings, args: argparse.Namespace) -> None:
    from bot.domain.digest import Edition, Month
    from bot.render import plain
    from bot.render.digest import digest_messages
    from bot.services.digest import DigestService
    from bot.services.digest.posting import make_edition

    today = SystemClock().now().astimezone(settings.zone).date()
    month = Month.parse(args.month) if args.month else Month.of(today).shift(-1)
    if month is None:
        raise CommandFailed(f"--month {args.month!r}: write it as MM/YYYY, e.g. 11/2026")

    async def work(sessions):
        roots = await DigestService(sessions, settings.zone).organisations()
        if args.unit:
            roots = [root for root in roots if root.code == args.unit]
        if not roots:
            raise CommandFailed(
                f"no organisation with the code {args.unit!r}"
                if args.unit
                else "the roster has no units yet: run `chibo roster import` first"
            )
        edition = Edition(args.edition)
        return [
            await make_edition(
                sessions,
                root,
                month,
                edition,
                lang=settings.locale,
                now=SystemClock().now(),
                zone=settings.zone,
                quota=settings.attendance_quota or None,
                letterhead_for=settings.letterhead,
            )
            for root in roots
        ]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for made in asyncio.run(_with_sessions(settings, work)):
        files, names = made.files, made.files.names
        messages = digest_messages(made.figures, settings.locale)
        written = {
            names["text"]: "\n\n".join(plain(text) for text in messages).encode(),
            names["chart"]: files.chart,
            names["sheet"]: files.sheet,
            names["document"]: files.document,
        }
        for name, content in written.items():
            (out / name).write_bytes(content)
            print(out / name)


def _translated(settings: Settings, exc: BaseException) -> str:
    from bot.i18n import translations

    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}"
    return translations(settings.locale).gettext(str(exc.args[0]))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


Command = Callable[[Settings, argparse.Namespace], None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chibo",
        description="Committee members at branch meetings: reminders, reports and digests.",
    )
    parser.add_argument("--version", action="version", version=f"chibo {__version__}")
    parser.add_argument(
        "--env-file",
        metavar="FILE",
        help="read the settings from this file (KEY=value lines; values may hold spaces)"
        " instead of ./.env; the environment still wins",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook with CHIBO_WEBHOOK_URL); on PostgreSQL,"
        " a second instance stands by and takes over; the active one applies migrations",
    )
    run.set_defaults(handler=cmd_run)

    status = commands.add_parser(
        "status", help="which instance is active, the outbox's backlog, the jobs' last runs"
    )
    status.set_defaults(handler=cmd_status)

    check = commands.add_parser("check", help="check settings, database and Telegram token")
    check.set_defaults(handler=cmd_check)

    roster = commands.add_parser("roster", help="the roster workbook (units, people, assignments)")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    roster_import = roster_commands.add_parser(
        "import", help="check and import an .xlsx workbook or .csv sheets"
    )
    roster_import.add_argument("files", nargs="+", metavar="FILE")
    roster_import.add_argument(
        "--dry-run", action="store_true", help="check and show the changes, change nothing"
    )
    roster_import.set_defaults(handler=cmd_roster_import)
    roster_export = roster_commands.add_parser("export", help="write the roster as .xlsx")
    roster_export.add_argument("file", metavar="FILE")
    roster_export.set_defaults(handler=cmd_roster_export)

    admin = commands.add_parser(
        "admin", help="give or take the administrator's role (an office locked out gets back in)"
    )
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    for action, what in (("grant", "give"), ("revoke", "take")):
        change = admin_commands.add_parser(
            action, help=f"{what} the role of a person, by code or phone number"
        )
        change.add_argument("person", metavar="CODE_OR_PHONE")
        change.set_defaults(handler=cmd_admin)

    invite = commands.add_parser(
        "invite", help="make a single-use link that links a person's Telegram account"
    )
    invite.add_argument("person_code", metavar="PERSON_CODE")
    invite.set_defaults(handler=cmd_invite)

    demo = commands.add_parser(
        "demo-data", help="fill an empty database with invented data to try chibo on"
    )
    demo.add_argument("--scale", choices=["town", "province"], default="town")
    demo.set_defaults(handler=cmd_demo_data)

    digest = commands.add_parser(
        "digest", help="write a month's digest (text, chart, spreadsheet, report) to a folder"
    )
    digest.add_argument("--month", help="MM/YYYY (default: last month)")
    digest.add_argument("--out", required=True, metavar="DIR", help="the folder to write to")
    digest.add_argument(
        "--edition",
        choices=["office", "group"],
        default="office",
        help="office: names and quota included (default); group: as posted to the group",
    )
    digest.add_argument("--unit", metavar="CODE", help="the organisation, if there are several")
    digest.set_defaults(handler=cmd_digest)

    sandbox = commands.add_parser(
        "sandbox",
        help="try chibo in the browser, without Telegram: a town's data, every role, a clock"
        " you can move",
    )
    sandbox.add_argument("--port", type=int, default=8080, help="the page's port (default 8080)")
    sandbox.add_argument("--scale", choices=["town", "province"], default="town")
    sandbox.add_argument(
        "--database",
        default="sandbox.db",
        metavar="FILE",
        help="the sandbox's own SQLite file (default sandbox.db); never CHIBO_DATABASE_URL",
    )
    sandbox.set_defaults(handler=cmd_sandbox)

    backup = commands.add_parser(
        "backup", help="write a consistent copy of the database to a new file"
    )
    backup.add_argument("file", help="the file to write (it must not exist)")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser("restore", help="put a backup back, into an empty database only")
    restore.add_argument("file", help="a file written by chibo backup")
    restore.set_defaults(handler=cmd_restore)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply all migrations")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    downgrade = db_commands.add_parser("downgrade", help="revert migrations")
    downgrade.add_argument("revision", help="target revision, e.g. base or -1")
    downgrade.set_defaults(handler=cmd_db_downgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.env_file is not None and not Path(args.env_file).is_file():
            raise SettingsError(f"--env-file: no such file {args.env_file}")
        settings = load_settings(**({"_env_file": args.env_file} if args.env_file else {}))
    except SettingsError as exc:
        print(f"chibo: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    configure_logging(settings.log_level)
    handler: Command = args.handler
    try:
        handler(settings, args)
    except SettingsError as exc:
        print(f"chibo: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    except CommandFailed as exc:
        print(f"chibo: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
