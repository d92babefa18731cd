"""Every operation of every service's OpenAPI, fed generated requests (valid and invalid) on the live platform:
no request may make a service answer with a server error. A token per municipality, so that both the shape of
the input and the configuration of the municipality are exercised.

Schemathesis generates the requests from each service's own OpenAPI document; the example count keeps the whole
run within the CI time (raise FORVALT_FUZZ_EXAMPLES to search harder). Each server error found is reported as
the curl command that reproduces it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.platform import Platform

pytestmark = pytest.mark.infra

SERVICES = ["intake", "assessment", "decision", "notification"]
# Municipalities no other end-to-end test writes to, so the generated cases disturb none of their counts:
# Ålesund (a large office) and Holtålen (a children's coordinating unit, monthly meetings).
MUNICIPALITIES = {"1508": "home_care", "5026": "home_care"}
EXAMPLES = int(os.environ.get("FORVALT_FUZZ_EXAMPLES", "20"))


def _server_errors(schema: Any, headers: dict[str, str], base_url: str) -> list[str]:
    """Run every operation with generated valid and invalid requests; the curl command of each 5xx answer."""
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(base_url=base_url, headers=headers, timeout=30)
                if response.status_code >= 500:
                    found.append(f"{response.status_code}: {case.as_curl_command(base_url=base_url)}")

            run()
    return found


@pytest.mark.parametrize("municipality", sorted(MUNICIPALITIES))
@pytest.mark.parametrize("service", SERVICES)
def test_no_generated_request_makes_a_service_answer_with_a_server_error(
    running: Platform, service: str, municipality: str
) -> None:
    url = running.services[service].url
    # Health answers 503 while a dependency is down, which is what it is for: not part of the search.
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json").exclude(path_regex="^/health")
    token = running.verifier.issue(
        municipality=municipality,
        roles=["caseworker", "leader", "service", "unit"],
        unit=MUNICIPALITIES[municipality],
    )

    found = _server_errors(schema, {"Authorization": f"Bearer {token}"}, url)

    assert found == [], "server errors:\n" + "\n".join(found[:20])
