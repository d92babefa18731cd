"""Writes the JSON Schema of every event type into contracts/schemas/ (run: python -m contracts.export)."""

import json
import sys
from pathlib import Path
from typing import Any

from contracts.envelope import CloudEvent, event_types

SCHEMA_DIR = Path(__file__).parent / "schemas"


def schema_documents() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema of the full CloudEvent carrying that event type."""
    docs: dict[str, dict[str, Any]] = {}
    for type_name, model in sorted(event_types().items()):
        schema = CloudEvent[model].model_json_schema()  # type: ignore[valid-type]
        schema["$id"] = f"https://forvalt.no/schemas/{type_name}.json"
        schema["title"] = type_name
        schema["x-topic"] = str(model.topic)
        docs[f"{type_name}.json"] = schema
    return docs


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, doc in schema_documents().items():
        (SCHEMA_DIR / name).write_text(render(doc))
        print(f"wrote contracts/schemas/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
