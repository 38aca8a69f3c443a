"""JSON values as they cross the wire, where a dict is the honest shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

# A JSON object parsed from a request body or stored JSON text, or rendered as an API
# answer or a page's JSON twin. Its keys are the wire's (camelCase at the API edge) and
# its values any JSON; rows between the store and the presenters are typed instead
# (`domain/rows.py`).
JSONObject: TypeAlias = dict[str, Any]


def leaf_texts(value: Any, *, numbers: bool = False) -> Iterator[str]:
    """The string values of a JSON value in document order (keys are structure, not
    content); with `numbers`, its numbers too, as text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif numbers and isinstance(item, int | float) and not isinstance(item, bool):
            yield str(item)
