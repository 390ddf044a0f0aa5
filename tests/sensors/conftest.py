"""Clean-up of what the live server and the MQTT consumer commit (test transactions roll back)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from django.db.models import Model
from psycopg import sql

from geo_ioc.core.models import Event
from geo_ioc.sensors.models import Reading, Station
from tests.helpers import own_connection

Forget = Callable[[str, datetime], None]


def _table(model: type[Model]) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


@pytest.fixture
def forget() -> Iterator[Forget]:
    """Register (station, time) readings that another process commits; deleted after the test.

    The station events those writes published are deleted too; the stations' own state is
    untouched because the tests write hours older than the demo's history.
    """
    marked: list[tuple[str, datetime]] = []
    with own_connection() as conn:
        row = conn.execute(
            sql.SQL("SELECT coalesce(max(seq), 0) FROM {}").format(_table(Event))
        ).fetchone()
        start = int(row[0]) if row else 0
    yield lambda code, time: marked.append((code, time))
    with own_connection() as conn:
        for code, time in marked:
            conn.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE time = %s"
                    " AND station_id = (SELECT id FROM {} WHERE code = %s)"
                ).format(_table(Reading), _table(Station)),
                [time, code],
            )
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE layer = 'env_stations' AND seq > %s").format(
                _table(Event)
            ),
            [start],
        )
