"""A project's check and alert rules, written through the API (PowerRAG's own endpoints).

Fields arrive as the API's JSON object; each is checked here and a bad one is an
InvalidRequestError naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection

from powerrag import secretbox
from powerrag.domain.alerts import AlertRule, validate_alert, validate_rule_name
from powerrag.domain.checks import CheckRule, validate_check
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.store import accounts, rules
from powerrag.store.database import Store

# API field -> column, per kind.
CHECK_FIELDS = {
    "name": "name",
    "check": "check_kind",
    "target": "target",
    "threshold": "threshold",
    "pattern": "pattern",
    "enabled": "enabled",
}
ALERT_FIELDS = {
    "name": "name",
    "metric": "metric",
    "threshold": "threshold",
    "scoreName": "score_name",
    "webhookUrl": "webhook_url",
    "secret": "secret",
    "enabled": "enabled",
    "bodyFormat": "body_format",
}
_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "check": (str,),
    "target": (str,),
    "threshold": (int, float),
    "pattern": (str,),
    "enabled": (bool,),
    "metric": (str,),
    "scoreName": (str,),
    "webhookUrl": (str,),
    "secret": (str,),
    "bodyFormat": (str,),
}
_REQUIRED = {"check": ("name", "check"), "alert": ("name", "metric", "threshold", "webhookUrl")}
_NULLABLE = {"check": ("threshold", "pattern"), "alert": ("scoreName", "secret")}


def _columns(kind: str, body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a JSON object")
    names = CHECK_FIELDS if kind == "check" else ALERT_FIELDS
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise InvalidRequestError(f"unknown field {unknown[0]!r}; fields are {', '.join(names)}")
    for field in _REQUIRED[kind] if creating else ():
        if body.get(field) is None:
            raise InvalidRequestError(f"{field} is required")
    values: dict[str, Any] = {}
    for field, value in body.items():
        allowed = _TYPES[field]
        wrong = not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)
        if value is None and field in _NULLABLE[kind]:
            values[names[field]] = None
        elif wrong:
            raise InvalidRequestError(f"{field} must be {_kind_name(allowed)}, got {value!r}")
        else:
            values[names[field]] = float(value) if field == "threshold" else value
    return values


def _kind_name(types: tuple[type, ...]) -> str:
    return {str: "a string", bool: "true or false"}.get(types[0], "a number")


def _checked(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    if kind == "check":
        validate_rule_name(row["name"])
        row["threshold"], row["pattern"] = validate_check(
            row["check_kind"], row["target"], row["threshold"], row["pattern"]
        )
    else:
        validate_alert(
            row["name"],
            row["metric"],
            row["threshold"],
            row["score_name"],
            row["webhook_url"],
            row["body_format"],
        )
    return row


def create(store: Store, kind: str, project_id: str, body: Any, now: int) -> Any:
    values = _columns(kind, body, creating=True)
    defaults: dict[str, Any] = {"enabled": True}
    if kind == "check":
        defaults |= {"target": "session", "threshold": None, "pattern": None}
    else:
        defaults |= {"score_name": None, "secret": None, "body_format": "json"}
    row = _checked(kind, {**defaults, **values})
    row |= {"id": uuid.uuid4().hex, "project_id": project_id, "created_at": now, "updated_at": now}
    with store.transaction() as conn:
        row = _sealed(conn, row) if kind == "alert" else row
        if kind == "check" and rules.name_taken(conn, project_id, row["name"], None):
            raise InvalidRequestError(f"a check named {row['name']!r} exists")
        rules.add_rule(conn, kind, row)
        return rules.get_rule(conn, kind, project_id, row["id"])


def change(store: Store, kind: str, project_id: str, rule_id: str, body: Any, now: int) -> Any:
    values = _columns(kind, body, creating=False)
    with store.transaction() as conn:
        current: CheckRule | AlertRule | None = rules.get_rule(conn, kind, project_id, rule_id)
        if current is None:
            raise NotFoundError(f"{kind} {rule_id!r} not found")
        row = _checked(kind, {**_as_columns(current), **values})
        if kind == "check" and rules.name_taken(conn, project_id, row["name"], rule_id):
            raise InvalidRequestError(f"a check named {row['name']!r} exists")
        values = _sealed(conn, values) if kind == "alert" else values
        rules.change_rule(conn, kind, project_id, rule_id, {**values, "updated_at": now})
        return rules.get_rule(conn, kind, project_id, rule_id)


def _sealed(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """An alert's signing secret, stored encrypted as LLM connection keys are (secretbox)
    and shown only masked; an empty one is none."""
    if "secret" not in values:
        return values
    plain = values["secret"]
    if not plain:
        return values | {"secret": None, "display_secret": None}
    master = accounts.instance_secret(conn, secretbox.SECRET_NAME)
    return values | {
        "secret": secretbox.seal(master, plain.encode()),
        "display_secret": secretbox.masked(plain),
    }


def _as_columns(rule: CheckRule | AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in rule.__slots__}


def remove(store: Store, kind: str, project_id: str, rule_id: str) -> None:
    with store.transaction() as conn:
        if not rules.delete_rule(conn, kind, project_id, rule_id):
            raise NotFoundError(f"{kind} {rule_id!r} not found")
