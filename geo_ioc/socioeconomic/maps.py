"""Indicator maps: every indicator a choropleth layer of today's units (filled in below)."""

from __future__ import annotations


def refresh_all() -> int:
    """Create or refresh every indicator's map layer; the number of layers."""
    return 0
