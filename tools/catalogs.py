"""Keep the translation catalogs in step with the code.

    python tools/catalogs.py update   extract texts from bot/, merge into vi and en catalogs
    python tools/catalogs.py check    list texts missing a translation (exit 1 if any)

The English catalog starts each new text as its own translation; the Vietnamese one starts
it empty, for a translator to fill in.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import __version__  # noqa: E402
from bot.i18n import DOMAIN, SUPPORTED_LOCALES, catalog_path  # noqa: E402

KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> Catalog:
    template = Catalog(domain=DOMAIN)
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), keywords=KEYWORDS, comment_tags=()
    ):
        template.add(message)
    return template


def load(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as po_file:
        return read_po(po_file, locale=locale, domain=DOMAIN)


def update() -> None:
    template = extracted()
    for locale in SUPPORTED_LOCALES:
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        # The header says whose catalog it is, not Babel's placeholders.
        catalog.project, catalog.version = "chibo", __version__
        catalog.msgid_bugs_address = ""
        catalog.last_translator = catalog.language_team = "chibo"
        catalog.revision_date = catalog.creation_date
        if locale == "en":
            for message in catalog:
                if message.id and not any(
                    message.string if message.pluralizable else [message.string]
                ):
                    message.string = message.id
        with catalog_path(locale).open("wb") as po_file:
            write_po(po_file, catalog, omit_header=False, no_location=True, width=100)
    print("catalogs updated; fill in the empty Vietnamese texts, then run check")


def missing() -> list[str]:
    problems = []
    ids = {message.id for message in extracted() if message.id}
    for locale in SUPPORTED_LOCALES:
        catalog = load(locale)
        for message_id in sorted(ids, key=str):
            message = catalog.get(message_id)
            strings = message.string if message is not None else ""
            if isinstance(strings, str):
                strings = (strings,)
            if message is None or not all(strings) or message.fuzzy:
                problems.append(f"{locale}: {message_id!r}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    elif sys.argv[1:] == ["check"]:
        problems = missing()
        print("\n".join(problems) or "every text is translated")
        sys.exit(1 if problems else 0)
    else:
        print(__doc__)
        sys.exit(2)
