"""Small pact files for the broker tests: one GET interaction per file, named by its parties."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["write_pact_file"]


def write_pact_file(
    folder: Path, consumer: str, provider: str, path: str = "/items", *, spec: str = "2.0.0"
) -> Path:
    """Write a pact of `consumer` with `provider` whose one interaction GETs `path`; its file."""
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "description": f"get {path}",
                "request": {"method": "GET", "path": path},
                "response": {"status": 200, "body": {"ok": True}},
            }
        ],
        "metadata": {"pactSpecification": {"version": spec}},
    }
    target = folder / f"{consumer}-{provider}-{path.strip('/')}.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    return target
