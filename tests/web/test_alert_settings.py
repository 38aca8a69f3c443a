"""The alert form of Settings → Evaluation: the webhook's body format and its signing secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.project import PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, post_form, sign_in

pytestmark = pytest.mark.one_engine

EVALUATION = f"/project/{PROJECT_ID}/settings/evaluation"
FORM = {
    "name": "to slack",
    "metric": "session_cost",
    "threshold": "2",
    "webhook_url": "https://hooks.slack.example/services/T0/B0/x",
    "secret": "a signing secret 1234",
}


@pytest.fixture
def ui(store: Store, settings: Settings) -> Iterator[TestClient]:
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        sign_in(client, (EMAIL, PASSWORD))
        yield client


def test_an_alert_is_created_with_its_body_format(ui: TestClient) -> None:
    answer = post_form(ui, f"{EVALUATION}/alerts", {**FORM, "body_format": "slack"})
    assert answer.status_code == 303, answer.text
    (item,) = ui.get(EVALUATION, params={"format": "json"}).json()["alerts"]
    assert (item["alert"]["name"], item["alert"]["body_format"]) == ("to slack", "slack")
    assert '<span class="body-format">Slack message</span>' in ui.get(EVALUATION).text
    bad = post_form(ui, f"{EVALUATION}/alerts", {**FORM, "name": "b", "body_format": "xml"})
    assert bad.status_code == 400
    assert "bodyFormat must be one of json, slack, got &#39;xml&#39;" in bad.text


def test_the_signing_secret_is_shown_only_masked(ui: TestClient) -> None:
    assert post_form(ui, f"{EVALUATION}/alerts", FORM).status_code == 303
    page = ui.get(EVALUATION)
    twin = ui.get(EVALUATION, params={"format": "json"})
    assert FORM["secret"] not in page.text and FORM["secret"] not in twin.text
    (item,) = twin.json()["alerts"]
    assert (item["alert"]["has_secret"], item["alert"]["display_secret"]) == (True, "...1234")
    assert '<code class="display-secret">...1234</code>' in page.text
