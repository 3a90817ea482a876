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


# The entity each tag makes in the message Telegram returns (its `entities`).
ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


def plain_text(markup: str) -> str:
    """The text Telegram would show, after checking the markup; raises HtmlError if invalid."""
    return parse(markup)[0]


def parse(markup: str) -> tuple[str, list[dict[str, object]]]:
    """The text Telegram would show and its entities (offsets and lengths in UTF-16 code
    units, as the Bot API gives them), after checking the markup; raises HtmlError."""
    out: list[str] = []
    length = 0  # of what is in `out`, in UTF-16 code units
    open_tags: list[str] = []
    opened: list[tuple[int, dict[str, object]]] = []  # each open tag's start and entity
    entities: list[dict[str, object]] = []
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
            if match.group("close"):
                start, entity = opened.pop()
                if entity["type"] and length > start:
                    entities.append({**entity, "offset": start, "length": length - start})
            else:
                entity = _entity(match)
                opened.append((length, entity))
            position = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(markup, position)
            if match is None:
                raise HtmlError(
                    f"Character '&' must be escaped at byte offset {_byte_offset(markup, position)}"
                )
            piece = _decode_entity(match.group(1), markup, position)
            position = match.end()
        else:
            piece = char
            position += 1
        out.append(piece)
        length += telegram_length(piece)
    if open_tags:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    entities.sort(key=lambda entity: (entity["offset"], -int(str(entity["length"]))))
    return "".join(out), entities


def _entity(match: re.Match[str]) -> dict[str, object]:
    name = match.group("name").lower()
    entity: dict[str, object] = {"type": ENTITY_TYPES.get(name, "")}
    if name == "a":
        href = dict(_ATTR.findall(match.group("attrs"))).get("href", "")
        entity["url"] = href.strip("\"'")
    return entity


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
