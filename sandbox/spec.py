"""The Bot API's methods and their parameters, from the official spec (api.json).

api.json is a copy of the machine-readable Bot API 10.1 specification
(github.com/PaulSonOfLars/telegram-bot-api-spec, MIT licence, commit 160fd995, sha256 0950def6...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("api.json")


class ApiError(Exception):
    """An error the real server would answer with: an HTTP-like code and its description."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool


@cache
def methods() -> dict[str, dict[str, Field]]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return {
        name.lower(): {
            field["name"]: Field(field["name"], tuple(field["types"]), field["required"])
            for field in method.get("fields", [])
        }
        for name, method in spec["methods"].items()
    }


@cache
def canonical_names() -> dict[str, str]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return {name.lower(): name for name in spec["methods"]}


def canonical_method(name: str) -> str:
    """The method's spelling in the spec; Telegram matches method names case-insensitively."""
    try:
        return canonical_names()[name.lower()]
    except KeyError:
        raise ApiError(404, "Not Found") from None


def parse_params(method: str, raw: dict[str, Any], from_form: bool) -> dict[str, Any]:
    """Check the parameters against the spec and decode them to Python values.

    Form-encoded values arrive as strings: strings as they are, everything else JSON-encoded.
    """
    fields = methods()[method.lower()]
    params: dict[str, Any] = {}
    for name, value in raw.items():
        field = fields.get(name)
        if field is None:
            continue  # Telegram ignores parameters a method does not take
        params[name] = _decode(field, value, from_form, method)
    for field in fields.values():
        if field.required and (field.name not in params or params[field.name] in ("", None)):
            raise ApiError(400, f"Bad Request: parameter {field.name!r} is required")
    return params


def _decode(field: Field, value: Any, from_form: bool, method: str) -> Any:
    types = field.types
    if "InputFile" in types and not isinstance(value, str | int | float | bool | dict | list):
        return value  # an uploaded file
    if from_form and isinstance(value, str):
        if types == ("String",) or types == ("InputFile", "String"):
            return value
        if set(types) == {"Integer", "String"}:
            return int(value) if value.lstrip("-").isdigit() else value
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            if "String" in types:
                return value
            raise ApiError(400, f"Bad Request: can't parse {field.name!r} for {method}") from None
    if not _type_matches(types, value):
        raise ApiError(
            400, f"Bad Request: wrong type of parameter {field.name!r} ({'/'.join(types)})"
        )
    return value


def _type_matches(types: tuple[str, ...], value: Any) -> bool:
    for kind in types:
        if kind == "Integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if kind == "Float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if kind == "Boolean" and isinstance(value, bool):
            return True
        if kind == "String" and isinstance(value, str):
            return True
        if kind.startswith("Array of") and isinstance(value, list):
            return True
        is_object_type = kind not in {"Integer", "Float", "Boolean", "String"}
        if is_object_type and isinstance(value, dict):
            return True
    return False
