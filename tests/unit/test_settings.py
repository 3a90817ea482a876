"""Settings: what people write is understood; what is wrong is named in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from db.urls import DatabaseUrlError, async_database_url


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///chibo.db", "sqlite+aiosqlite:///chibo.db"),
        ("sqlite+pysqlite:////var/lib/chibo.db", "sqlite+aiosqlite:////var/lib/chibo.db"),
        (
            "postgresql://chibo:mật@db.local/chibo",
            "postgresql+psycopg://chibo:m%E1%BA%ADt@db.local/chibo",
        ),
        ("postgres://u@h:5433/d", "postgresql+psycopg://u@h:5433/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_urls_as_people_write_them(written: str, used: str) -> None:
    assert async_database_url(written) == used


@pytest.mark.parametrize("written", ["mysql://u@h/d", "không phải url", ""])
def test_unusable_database_urls(written: str) -> None:
    with pytest.raises(DatabaseUrlError):
        async_database_url(written)


def test_defaults() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///chibo.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.locale == "vi"
    assert settings.admin_ids == frozenset()
    assert settings.telegram_base_url == "https://api.telegram.org/bot"


def test_the_report_documents_blocks_come_from_the_settings() -> None:
    settings = load_settings(
        _env_file=None,
        superior_body="Đảng bộ tỉnh Quảng Trị",
        document_symbol="hu",
        signing_for="t/m ban thường vụ",
        proposal_days="5, 20",
    )
    head = settings.letterhead("Đảng bộ phường Thành Cổ")
    assert (head.superior, head.issuer, head.symbol) == (
        "ĐẢNG BỘ TỈNH QUẢNG TRỊ",
        "ĐẢNG ỦY PHƯỜNG THÀNH CỔ",
        "HU",
    )
    assert (head.signing_for, head.signer_title, head.signer_name) == (
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "",
    )
    assert (settings.proposal_deadlines.urgent, settings.proposal_deadlines.normal) == (5, 20)


def test_admin_ids_are_a_comma_separated_list() -> None:
    settings = load_settings(_env_file=None, admin_ids="111, 222,333")
    assert settings.admin_ids == {111, 222, 333}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admin_ids": "111,abc"}, "CHIBO_ADMIN_IDS: 'abc' is not a Telegram user id"),
        ({"timezone": "Asia/Hanoi_City"}, "CHIBO_TIMEZONE: unknown time zone"),
        ({"locale": "fr"}, "CHIBO_LOCALE: must be one of vi, en"),
        ({"database_url": "mysql://x@y/z"}, "CHIBO_DATABASE_URL: unsupported database"),
        ({"bot_token": "not-a-token"}, "CHIBO_BOT_TOKEN: expected the form"),
        ({"log_level": "LOUD"}, "CHIBO_LOG_LEVEL: must be"),
        ({"telegram_base_url": "ftp://x"}, "CHIBO_TELEGRAM_BASE_URL: must start with"),
        ({"proposal_days": "7"}, "CHIBO_PROPOSAL_DAYS: two numbers of days"),
        ({"proposal_triage": "leaders,secretaries"}, "CHIBO_PROPOSAL_TRIAGE: leaders, office"),
        ({"signing_for": "Bí thư"}, "CHIBO_SIGNING_FOR: must start with T/M"),
        ({"document_symbol": "Đ U!"}, "CHIBO_DOCUMENT_SYMBOL: letters only"),
    ],
)
def test_a_bad_setting_is_named(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, **overrides)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def _chibo(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_chibo_check_reports_a_bad_setting_in_one_line_with_status_2(tmp_path: Path) -> None:
    result = _chibo(["check"], {"CHIBO_TIMEZONE": "Sao Hỏa/Căn cứ"}, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "chibo: CHIBO_TIMEZONE: unknown time zone 'Sao Hỏa/Căn cứ' (e.g. Asia/Ho_Chi_Minh)"
    ]


def test_chibo_run_without_a_token_says_so_with_status_2(tmp_path: Path) -> None:
    result = _chibo(["run"], {}, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("chibo: CHIBO_BOT_TOKEN: missing")


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CHIBO_LOCALE=xx\n", encoding="utf-8")
    result = _chibo(["check"], {}, tmp_path)
    assert result.returncode == 2
    assert "CHIBO_LOCALE" in result.stderr


def test_chibo_check_on_a_fresh_database(tmp_path: Path, database_url: str) -> None:
    result = _chibo(["check"], {"CHIBO_DATABASE_URL": database_url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database: ok, schema revision" in result.stdout
    assert "up to date" in result.stdout
    assert "telegram: no CHIBO_BOT_TOKEN set" in result.stdout


def test_chibo_check_reads_an_env_file_with_spaces_in_values(
    tmp_path: Path, database_url: str
) -> None:
    """The check line of docs/deploy.md, on a file whose values hold spaces."""
    env_file = tmp_path / "chibo.env"
    env_file.write_text(
        f"CHIBO_DATABASE_URL={database_url}\n"
        "CHIBO_PLACE=Quảng Trị\n"
        "CHIBO_ISSUING_BODY=Đảng ủy phường Quảng Trị\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _chibo(["--env-file", str(env_file), "check"], {}, elsewhere)
    assert result.returncode == 0, result.stderr
    assert "database: ok" in result.stdout
    missing = _chibo(["--env-file", str(tmp_path / "none.env"), "check"], {}, elsewhere)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_chibo_version(tmp_path: Path) -> None:
    from bot import __version__

    result = _chibo(["--version"], {}, tmp_path)
    assert result.stdout.strip() == f"chibo {__version__}"
