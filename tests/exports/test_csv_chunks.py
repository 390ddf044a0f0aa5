"""A CSV export longer than one chunk: the same file as written in one go, header once."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from layers.exports import services
from layers.exports.writer import write_layer

pytestmark = pytest.mark.django_db


def test_csv_of_many_chunks_equals_one_go(tmp_path: Path) -> None:
    request = services.parse_request("roads", {"format": "csv"})
    (plan,) = services.plan_export(AnonymousUser(), request)  # type: ignore[arg-type]
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    total = write_layer(plan, request.format, request.crs, one, chunk=1_000_000)
    assert total > 2_000  # several chunks of 500 below
    assert write_layer(plan, request.format, request.crs, many, chunk=500) == total
    data = many.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data == one.read_bytes()
    assert not list(tmp_path.glob("*.part*"))
