"""Errors of the catalogue, imports and layer reads."""

from __future__ import annotations

from dataclasses import dataclass

from geo_ioc.core.errors import ApiError, Conflict


@dataclass(frozen=True)
class RowError:
    """Why one input row was refused (row numbers count from 1, as a spreadsheet does)."""

    row: int
    reason: str


class ImportRejected(ApiError):
    """The input had rows that could not be imported; nothing was written."""

    status = 422
    code = "import_rejected"
    default_message = "The file has rows that cannot be imported; nothing was changed."

    def __init__(self, errors: list[RowError], message: str | None = None) -> None:
        self.errors = errors
        shown = "; ".join(f"row {e.row}: {e.reason}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(message or f"{len(errors)} row(s) refused, nothing changed: {shown}{more}")


class InvalidInput(ApiError):
    """The file or its options are unusable as a whole."""

    code = "invalid_input"
    default_message = "The input cannot be read."


class LayerExists(Conflict):
    code = "layer_exists"
    default_message = "The layer exists already; choose --mode replace or append."
