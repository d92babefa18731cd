"""Every operation of every service's OpenAPI, fed generated requests (valid and invalid) on the live platform:
no request may make a service answer with a server error. A token per municipality, so that both the shape of
the input and the configuration of the municipality are exercised.

The example count keeps the whole run within the CI time; raise FORVALT_FUZZ_EXAMPLES to search harder.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.platform import Platform

pytestmark = pytest.mark.infra

SERVICES = ["intake", "assessment", "decision", "notification"]
# Municipalities no other end-to-end test writes to, so the generated cases disturb none of their counts:
# Ålesund (a large office) and Holtålen (a children's coordinating unit, monthly meetings).
MUNICIPALITIES = {"1508": "home_care", "5026": "home_care"}
EXAMPLES = int(os.environ.get("FORVALT_FUZZ_EXAMPLES", "12"))


@pytest.fixture(params=[(s, m) for s in SERVICES for m in MUNICIPALITIES], ids=lambda p: f"{p[0]}-{p[1]}")
def api(request: pytest.FixtureRequest, running: Platform) -> tuple[Any, dict[str, str]]:
    service, municipality = request.param
    url = running.services[service].url
    # Health answers 503 while a dependency is down, which is what it is for: not part of the search.
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json").exclude(path_regex="^/health")
    token = running.verifier.issue(
        municipality=municipality,
        roles=["caseworker", "leader", "service", "unit"],
        unit=MUNICIPALITIES[municipality],
    )
    return schema, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(api: tuple[Any, dict[str, str]]) -> Any:
    return api[0]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_generated_request_makes_a_service_answer_with_a_server_error(
    case: Any, api: tuple[Any, dict[str, str]]
) -> None:
    case.call_and_validate(headers=api[1], checks=[not_a_server_error], timeout=30)
