"""The one parser of untrusted input: whole numbers, text and JSON bodies, each with limits.

Every handler (HTTP views, the live stream, the MQTT consumer) reads ids, counts, codes and JSON
through these, so the failures a fuzzer finds once are refused everywhere:
- `str.isdigit()` accepts `"²"` and `"٣"`, which `int()` then refuses or reads: ASCII digits only;
- numbers beyond PostgreSQL's bigint (or Python's 4,300-digit `int()` limit) are refused up front;
- NUL bytes cannot be stored in PostgreSQL text;
- `json.loads` recurses per nesting level (RecursionError), reads UTF-16/32 as well as UTF-8 and
  turns a 5,000-digit number into an exception: depth, size, encoding and digits are checked first.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from geo_ioc.core.errors import ApiError, InvalidParameter

BIGINT_MAX = 2**63 - 1
MAX_INT_DIGITS = 19  # bigint's width; longer numbers are refused before int() reads them
MAX_TEXT = 1000
JSON_MAX_BYTES = 2_500_000
JSON_MAX_DEPTH = 32

_DIGITS = re.compile(rf"[0-9]{{1,{MAX_INT_DIGITS}}}")
# Strings (with their escapes) are dropped before brackets are counted.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class InvalidBody(ApiError):
    """A body that is not JSON, or too big, too deep, not UTF-8, or holds NUL characters."""

    code = "invalid_body"
    default_message = "The request body is not valid JSON."


def parse_int(
    raw: str | None,
    name: str,
    *,
    low: int = 0,
    high: int = BIGINT_MAX,
    error: type[ApiError] = InvalidParameter,
) -> int:
    """A whole number of ASCII digits within [low, high]; `error` (JSON 4xx) otherwise."""
    text = (raw or "").strip()
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise error(f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(text)


def int_or_none(raw: str | None, *, low: int = 1, high: int = BIGINT_MAX) -> int | None:
    """An id from a path or a header when it is one, else None (the caller answers 404)."""
    text = (raw or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_text(
    raw: str | None,
    name: str,
    *,
    max_length: int = MAX_TEXT,
    error: type[ApiError] = InvalidParameter,
) -> str:
    """Text without NUL bytes and at most `max_length` characters (empty when absent)."""
    text = raw or ""
    if "\x00" in text:
        raise error(f"{name} must not contain NUL characters.", field=name)
    if len(text) > max_length:
        raise error(f"{name} is longer than {max_length} characters.", field=name)
    return text


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON text, without recursion."""
    brackets = _BRACKET.findall(_JSON_STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if b in "[{" else -1 for b in brackets))


def _big_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("a number has too many digits")
    return int(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_strings(value: Any) -> None:
    """Refuse NUL anywhere in keys or strings (depth is bounded, so recursion is safe)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def loads(
    data: bytes | bytearray | str,
    *,
    max_bytes: int = JSON_MAX_BYTES,
    max_depth: int = JSON_MAX_DEPTH,
) -> Any:
    """JSON from UTF-8 bytes within size, depth and digit limits; ValueError says what is wrong.

    The one decoder of untrusted JSON: it raises nothing but ValueError, whatever the input.
    """
    if len(data) > max_bytes:
        raise ValueError(f"JSON is larger than {max_bytes} bytes")
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("JSON must be UTF-8") from None
    if json_depth(text) > max_depth:
        raise ValueError(f"JSON is nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_int=_big_int, parse_constant=_no_constant)
    except RecursionError:  # unbalanced brackets in strange places: still never a crash
        raise ValueError(f"JSON is nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    _check_strings(value)
    return value


def json_body(
    data: bytes | bytearray | str,
    *,
    max_bytes: int = JSON_MAX_BYTES,
    max_depth: int = JSON_MAX_DEPTH,
    default: Any = None,
    error: type[ApiError] = InvalidBody,
) -> Any:
    """A request body as JSON (`default` when empty); `error` (a JSON 400) when it is not."""
    if not data:
        return default
    try:
        return loads(data, max_bytes=max_bytes, max_depth=max_depth)
    except ValueError as exc:
        raise error(f"The request body is not acceptable JSON: {exc}.") from None
