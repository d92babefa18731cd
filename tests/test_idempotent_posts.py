"""Every POST of every service takes the request's bus, and so accepts an Idempotency-Key (servicekit.idempotency)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from servicekit.runtime import get_bus

SERVICES = ["intake", "assessment", "decision", "coordination", "appeals", "notification"]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


@pytest.mark.parametrize("service", SERVICES)
def test_every_post_route_records_its_idempotency_key_through_the_bus(service: str) -> None:
    spec = importlib.import_module(f"services.{service}.main").spec()
    posts = [
        route
        for router in spec.routers
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or set())
    ]

    without = [route.path for route in posts if get_bus not in set(_calls(route.dependant))]

    assert without == [], f"{service}: these POST routes would take no Idempotency-Key"
