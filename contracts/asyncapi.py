"""Writes the AsyncAPI 3.0 document of each service's topic into contracts/asyncapi/ (python -m contracts.asyncapi).

Topics belong to exactly one service (`<service>.events.v1`), so a service's document lists the channel it
publishes and every message on it; each message's payload refers to the exported JSON Schema of its type.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from contracts.envelope import CONTENT_TYPE, event_types
from contracts.export import schema_documents

ASYNCAPI_DIR = Path(__file__).parent / "asyncapi"

OWNERS = {
    "intake.events.v1": "intake",
    "assessment.events.v1": "assessment",
    "decision.events.v1": "decision",
    "coordination.events.v1": "coordination",
    "appeals.events.v1": "appeals",
    "notification.events.v1": "notification",
    "deadlines.v1": "deadlines",
    "integration.letter-deliveries.v1": "integration-letter-deliveries",
    "integration.appeal-outcomes.v1": "integration-appeal-outcomes",
}


def _message_name(type_name: str) -> str:
    return type_name.removeprefix("no.forvalt.").replace(".", "_").replace("-", "_")


def documents() -> dict[str, dict[str, Any]]:
    schemas = schema_documents()
    missing = [t for t in event_types() if f"{t}.json" not in schemas]
    if missing:
        raise RuntimeError(f"no exported schema for {missing}")
    by_topic: dict[str, list[str]] = defaultdict(list)
    for type_name, model in sorted(event_types().items()):
        by_topic[str(model.topic)].append(type_name)
    docs: dict[str, dict[str, Any]] = {}
    for topic, types in sorted(by_topic.items()):
        owner = OWNERS.get(topic, topic)
        messages = {
            _message_name(t): {
                "name": t,
                "title": t,
                "summary": (event_types()[t].__doc__ or "").strip().splitlines()[0] if event_types()[t].__doc__ else t,
                "contentType": CONTENT_TYPE,
                "headers": {
                    "type": "object",
                    "properties": {"traceparent": {"type": "string", "description": "W3C trace context"}},
                },
                "bindings": {"kafka": {"key": {"type": "string", "description": "the case id"}}},
                # The exported schema file, referenced rather than inlined so its own $defs resolve.
                "payload": {"$ref": f"../schemas/{t}.json"},
            }
            for t in types
        }
        docs[f"{owner}.yaml"] = {
            "asyncapi": "3.0.0",
            "info": {
                "title": f"Forvalt {owner} events",
                "version": "1.0.0",
                "description": f"Events on {topic}: CloudEvents 1.0 structured mode, keyed by case id.",
            },
            "channels": {
                _message_name(topic): {
                    "address": topic,
                    "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
                }
            },
            "operations": {
                f"publish_{_message_name(topic)}": {
                    "action": "send",
                    "channel": {"$ref": f"#/channels/{_message_name(topic)}"},
                }
            },
            "components": {"messages": messages},
        }
    return docs


def render(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=True, width=120)


def main() -> int:
    ASYNCAPI_DIR.mkdir(exist_ok=True)
    for name, doc in documents().items():
        (ASYNCAPI_DIR / name).write_text(render(doc))
        print(f"wrote contracts/asyncapi/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
