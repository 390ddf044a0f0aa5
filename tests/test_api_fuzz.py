"""Schemathesis over every OpenAPI document the server publishes: no input gives a 5xx.

Anonymous and with one token per role; examples per operation are few and derandomized, so the
run is the same every time and stays within the test budget (the deep search is `bench/`'s job).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema as BaseOpenAPISchema

from tests.conftest import Users
from tests.helpers import auth

DOCUMENTS = ["/ogc/api", "/land/api"]
EXAMPLES = 6


def _load(live_url: str, path: str) -> BaseOpenAPISchema:
    schema = schemathesis.openapi.from_url(f"{live_url}{path}")
    schema.config.update(base_url=live_url)
    return schema


@pytest.fixture(scope="module")
def ogc_schema(live_url: str) -> BaseOpenAPISchema:
    return _load(live_url, "/ogc/api")


@pytest.fixture(scope="module")
def land_schema(live_url: str) -> BaseOpenAPISchema:
    return _load(live_url, "/land/api")


@pytest.fixture(scope="module")
def tokens(users: Users) -> list[str | None]:
    return [None, users.operator, users.planner, users.admin]


def _no_server_error(case: Case, tokens: list[str | None], live_url: str) -> None:
    for token in tokens:
        response = case.call(base_url=live_url, headers=auth(token), timeout=60)
        assert response.status_code < 500, (
            f"{case.method} {response.request.url} as {'anonymous' if token is None else 'a role'}"
            f" → {response.status_code}: {response.text[:300]}"
        )


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)

ogc = schemathesis.pytest.from_fixture("ogc_schema")
land = schemathesis.pytest.from_fixture("land_schema")


@ogc.parametrize()
@FUZZ
def test_ogc_api_has_no_server_errors(case: Case, tokens: list[str | None], live_url: str) -> None:
    _no_server_error(case, tokens, live_url)


@land.parametrize()
@FUZZ
def test_land_api_has_no_server_errors(case: Case, tokens: list[str | None], live_url: str) -> None:
    _no_server_error(case, tokens, live_url)
