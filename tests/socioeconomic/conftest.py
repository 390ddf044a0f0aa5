"""The demo's units and indicators, loaded once into the session's database and committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

# The demo's 36 months end with the last complete month before today, as an install's would.
TODAY = dt.date.today()


@pytest.fixture(scope="session")
def se_demo(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> dict[str, int]:
    """Units, crosswalk, registry, 36 months of values and targets (about 10 s)."""
    from geo_ioc.socioeconomic import demo_indicators, demo_units

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        counts = demo_units.load(Path(settings.GEO_IOC_DATA_DIR), seed=7)
        counts |= demo_indicators.load(TODAY)
    return counts


@pytest.fixture(scope="module")
def se_maps(
    se_demo: dict[str, int], django_db_blocker: pytest.FixtureRequest
) -> Iterator[list[str]]:
    """Maps of a flow (quantiles), a skewed count (natural breaks) and a disaggregated count.

    Removed afterwards, so that the tests of other apps see the catalogue they expect.
    """
    from django.db import connection

    from geo_ioc.socioeconomic import maps
    from geo_ioc.socioeconomic.models import Indicator
    from layers.models import Layer

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        slugs = [
            str(maps.refresh(Indicator.objects.get(code=c)))
            for c in ("retail_sales", "fdi_registered", "jobs_created")
        ]
    yield slugs
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # Every indicator map, also those an upload of another test made.
        Layer.objects.filter(slug__startswith="ind_").delete()
        with connection.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {maps.SCHEMA} CASCADE")
