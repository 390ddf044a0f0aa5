"""Bound parameters for composed SQL: every value from a request goes through here."""

from __future__ import annotations

from typing import Any

from psycopg import sql


class Bindings:
    """Collects values and hands out named placeholders (`%(p0)s`), optionally with a cast."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any, cast: str | None = None) -> sql.Composable:
        """A placeholder bound to `value`; `cast` is a type name from our own code, never input."""
        name = f"p{len(self.values)}"
        self.values[name] = value
        placeholder: sql.Composable = sql.Placeholder(name)
        if cast:
            placeholder = sql.SQL("{}::{}").format(placeholder, sql.SQL(cast))
        return placeholder
