"""Text normalisation shared by the searches: lower case, no diacritics (đ is d)."""

from __future__ import annotations

import re
import unicodedata

_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-cased text without diacritics, as PostgreSQL's unaccent(lower(…)) gives it."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a query (letters and digits; punctuation separates)."""
    return _WORDS.findall(text)
