"""Tests of the queue commit their writes, so that worker processes see them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Database access outside a test transaction: what a test defers, a worker sees."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield
