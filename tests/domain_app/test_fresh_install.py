"""A fresh install, migrated without the demo: every app's layers and endpoints are there."""

from __future__ import annotations

import os

from tests.domain_app.conftest import SETTINGS, Fresh, fresh_sql, run_cli
from tests.helpers import auth

APP_LAYERS = {
    "parcels",
    "planning_zones",
    "parcel_conflicts",
    "env_stations",
    "cameras",
    "camera_coverage",
    "anpr_events",
    "incidents",
    "alerts",
    "reports",
    "reports_overdue_areas",
    "kiosks",
    "admin_units_2025",
    "admin_units_history",
}
EMPTY = {"type": "FeatureCollection", "features": []}


def test_migrate_registers_every_apps_layers_and_no_demo_layer(fresh: Fresh) -> None:
    slugs = {row[0] for row in fresh_sql(fresh, "SELECT slug FROM layers_layer")}
    assert slugs == APP_LAYERS


def _migrate(fresh: Fresh) -> None:
    env = {"DATABASE_URL": fresh.url, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": SETTINGS}
    run_cli({**os.environ, **env}, "migrate", "--verbosity", "0")


def test_migrate_again_is_idempotent_and_keeps_the_datas_provenance(fresh: Fresh) -> None:
    query = "SELECT slug, id, title_en, attribution FROM layers_layer ORDER BY slug"
    before = fresh_sql(fresh, query)
    # An admin's edit of the app's definition, and what a data loader recorded.
    fresh_sql(
        fresh,
        "UPDATE layers_layer SET title_en = 'Edited', attribution = 'Loaded from X'"
        " WHERE slug = 'kiosks'",
    )
    _migrate(fresh)
    after = {row[0]: row for row in fresh_sql(fresh, query)}
    assert after["kiosks"][2] == "Information kiosks"  # the app's definition wins
    assert after["kiosks"][3] == "Loaded from X"  # the data's provenance is kept
    fresh_sql(fresh, "UPDATE layers_layer SET attribution = '' WHERE slug = 'kiosks'")
    assert fresh_sql(fresh, query) == before


def test_sensors_stations_is_an_empty_collection_not_404(fresh: Fresh) -> None:
    response = fresh.http.get("/sensors/stations")
    assert response.status_code == 200, response.text
    assert response.json() == EMPTY


def test_incidents_and_alerts_are_empty_collections(fresh: Fresh) -> None:
    for path in ("/incidents", "/alerts"):
        response = fresh.http.get(path, headers=auth(fresh.operator))
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        assert body["type"] == "FeatureCollection" and body["features"] == [], path


def test_search_answers_without_the_demo(fresh: Fresh) -> None:
    response = fresh.http.get("/search", params={"q": "Yersin"}, headers=auth(fresh.operator))
    assert response.status_code == 200, response.text
    assert response.json()["results"] == []


def test_indicators_answer_without_the_demo(fresh: Fresh) -> None:
    body = fresh.http.get("/indicators", headers=auth(fresh.operator)).json()
    assert body["incidents"]["open"] == 0
    assert body["alerts"]["active"] == 0
    assert body["air"]["stations"] == 0 and body["air"]["worst"] is None
    assert body["cameras"]["total"] == 0
