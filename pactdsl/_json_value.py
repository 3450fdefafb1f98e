"""Plain JSON values: the check that a value is JSON, and its one canonical text."""

from __future__ import annotations

import json
import math
from typing import Any

from pactdsl._rulepath import rule_path_child

__all__ = ["check_json_value", "json_dumps_canonical"]


def check_json_value(value: Any, where: str) -> None:
    """Raise `TypeError` naming the place when `value` is not plain JSON."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            msg = f"{where}={value!r} is not a JSON number; use a finite float"
            raise TypeError(msg)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_json_value(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                msg = f"{where} has the key {key!r} ({type(key).__name__}); JSON keys are strings"
                raise TypeError(msg)
            check_json_value(item, rule_path_child(where, key))
        return
    msg = (
        f"{where}={value!r} ({type(value).__name__}) is not JSON-serialisable; "
        "use dicts, lists, str, int, float, bool or None"
    )
    raise TypeError(msg)


def json_dumps_canonical(value: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
