"""The broker every service builds: a producer that waits for all in-sync replicas and never duplicates."""

from __future__ import annotations

from servicekit.messaging import build_broker


def test_the_producer_waits_for_all_replicas_and_is_idempotent_set_explicitly() -> None:
    broker = build_broker("127.0.0.1:19092", client_id="intake")
    # Private to FastStream, but the one place these producer settings are kept before connecting.
    settings = broker._connection_kwargs

    assert settings["acks"] == "all"
    assert settings["enable_idempotence"] is True
    assert settings["client_id"] == "intake"


def test_building_a_broker_connects_to_nothing() -> None:
    broker = build_broker("127.0.0.1:1", client_id="intake")  # nothing listens there: building must not care
    assert broker._connection is None
