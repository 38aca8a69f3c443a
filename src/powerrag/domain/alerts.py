"""Alert rules: which figure crosses which threshold, and the signed webhook they send."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from powerrag.domain.errors import InvalidRequestError

METRICS = (
    "session_cost",
    "session_turns",
    "session_errors",
    "session_duration_seconds",
    "user_cost_24h",
    "score_below",
    "loop",
)
SIGNATURE_HEADER = "X-PowerRAG-Signature"
MAX_NAME = 200
# The webhook's body: PowerRAG's JSON object, or Slack's incoming-webhook message
# (`{"text": …}`, https://api.slack.com/messaging/webhooks), signed the same way.
BODY_FORMATS = ("json", "slack")


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: str
    project_id: str
    name: str
    metric: str
    threshold: float
    score_name: str | None
    webhook_url: str
    secret: str | None
    enabled: bool
    created_at: int
    updated_at: int
    body_format: str = "json"
    # The secret's masked form (secretbox.masked); `secret` itself is a Fernet token.
    display_secret: str | None = None


@dataclass(frozen=True, slots=True)
class Crossing:
    """One session (or user's 24 hours) past an alert's threshold: `key` fires once."""

    key: str
    session_id: str | None
    user_id: str | None
    value: float


def validate_rule_name(name: str) -> None:
    """The name of an alert or a check rule: not blank, at most MAX_NAME characters."""
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidRequestError(f"name must have 1 to {MAX_NAME} characters")


def validate_alert(
    name: str,
    metric: str,
    threshold: float,
    score_name: str | None,
    webhook_url: str,
    body_format: str = "json",
) -> None:
    """InvalidRequestError naming the first thing wrong with an alert's fields."""
    validate_rule_name(name)
    if body_format not in BODY_FORMATS:
        raise InvalidRequestError(
            f"bodyFormat must be one of {', '.join(BODY_FORMATS)}, got {body_format!r}"
        )
    if metric not in METRICS:
        raise InvalidRequestError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if threshold < 0:
        raise InvalidRequestError(f"threshold must not be negative, got {threshold!r}")
    if metric == "score_below" and not score_name:
        raise InvalidRequestError("a score_below alert needs scoreName")
    if metric != "score_below" and score_name:
        raise InvalidRequestError("scoreName is only for score_below alerts")
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequestError(f"webhookUrl must be an http(s) URL, got {webhook_url!r}")


def signature(secret: str | None, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the body under the alert's secret (empty if none)."""
    digest = hmac.new((secret or "").encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _slack_escaped(text: str) -> str:
    """Slack reads `<…>` as links and mentions (`<!channel>`): ids are escaped as it asks,
    https://api.slack.com/reference/surfaces/formatting#escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(body: Mapping[str, Any]) -> str:
    """One line saying what crossed what, from the JSON body of a firing."""
    alert = body["alert"]
    if body.get("sessionId") is not None:
        who = f"session {_slack_escaped(str(body['sessionId']))}"
    else:
        who = f"user {_slack_escaped(str(body.get('userId')))}"
    metric = alert["metric"]
    if alert.get("scoreName"):
        metric = f"{metric} ({_slack_escaped(str(alert['scoreName']))})"
    return (
        f"PowerRAG alert \u201c{_slack_escaped(str(alert['name']))}\u201d: {who} of project "
        f"{_slack_escaped(str(body['projectId']))} has {metric} {body['value']:g} "
        f"(threshold {alert['threshold']:g}) at {body['firedAt']}"
    )
