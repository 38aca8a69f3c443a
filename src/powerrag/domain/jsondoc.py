"""JSON values as they cross the wire, where a dict is the honest shape."""

from __future__ import annotations

from typing import Any, TypeAlias

# A JSON object parsed from a request body or stored JSON text, or rendered as an API
# answer or a page's JSON twin. Its keys are the wire's (camelCase at the API edge) and
# its values any JSON; rows between the store and the presenters are typed instead
# (`domain/rows.py`).
JSONObject: TypeAlias = dict[str, Any]
