"""Telegram's HTML parse mode, checked as strictly as the Bot API documents it."""

from __future__ import annotations

import re

ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG = re.compile(
    r"<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class HtmlError(ValueError):
    """The text would be refused with "Bad Request: can't parse entities: ..."."""


def plain_text(markup: str) -> str:
    """The text Telegram would show, after checking the markup; raises HtmlError if invalid."""
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(markup):
        char = markup[position]
        if char == "<":
            match = _TAG.match(markup, position)
            if match is None:
                raise HtmlError(
                    f"Unsupported start tag at byte offset {_byte_offset(markup, position)}"
                )
            _check_tag(match, open_tags, markup)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(markup, position)
            if match is None:
                raise HtmlError(
                    f"Character '&' must be escaped at byte offset {_byte_offset(markup, position)}"
                )
            out.append(_decode_entity(match.group(1), markup, position))
            position = match.end()
        else:
            out.append(char)
            position += 1
    if open_tags:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


def _check_tag(match: re.Match[str], open_tags: list[str], markup: str) -> None:
    name = match.group("name").lower()
    offset = _byte_offset(markup, match.start())
    if name not in ALLOWED_TAGS:
        kind = "end" if match.group("close") else "start"
        raise HtmlError(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
    if match.group("close"):
        if not open_tags or open_tags[-1] != name:
            raise HtmlError(f'Unmatched end tag at byte offset {offset}, expected "</{name}>"')
        open_tags.pop()
        return
    attrs = dict(_ATTR.findall(match.group("attrs")))
    for attr in attrs:
        if attr.lower() not in ALLOWED_TAGS[name]:
            raise HtmlError(
                f'Unsupported attribute "{attr}" in tag "{name}" at byte offset {offset}'
            )
    if name == "a" and "href" not in attrs:
        raise HtmlError(f'Tag "a" must have attribute href at byte offset {offset}')
    if name == "span" and attrs.get("class", "").strip("\"'") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    open_tags.append(name)


def _decode_entity(body: str, markup: str, position: int) -> str:
    if body.startswith("#x"):
        return chr(int(body[2:], 16))
    if body.startswith("#"):
        return chr(int(body[1:]))
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body]
    raise HtmlError(
        f'Unsupported HTML entity "&{body};" at byte offset {_byte_offset(markup, position)}'
    )


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def telegram_length(text: str) -> int:
    """Telegram counts text length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
