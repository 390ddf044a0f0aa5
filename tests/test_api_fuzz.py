"""Schemathesis over every OpenAPI document the server publishes: no input gives a 5xx.

Anonymous and with one token per role. Examples per operation are few and derandomized, so a run
is the same every time and stays within the test budget; a failure names the request to replay.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case

from tests.conftest import Users
from tests.helpers import auth

EXAMPLES = 5
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


@pytest.mark.parametrize("document", ["/ogc/api", "/land/api"])
def test_no_input_gives_a_server_error(live_url: str, users: Users, document: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_url}{document}")
    tokens = [None, users.operator, users.planner, users.admin]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    failures: list[str] = []
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy(), who=st.sampled_from(range(len(tokens))))
        def check(case: Case, who: int) -> None:
            for token in (tokens[who], None) if who else (None,):
                response = case.call(base_url=live_url, headers=auth(token), timeout=60)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {response.request.url} ({'token' if token else 'anon'})"
                        f" → {response.status_code}: {response.text[:200]}"
                    )

        check()
    assert not failures, "\n".join(failures[:20])
