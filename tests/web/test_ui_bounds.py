"""UI paging values past the integer range are a 400 that names the bound, not a 500 (L8)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from tests.support.project import PROJECT_ID

HUGE = str(2**64)
TURNS = urls.session_turns(PROJECT_ID, "session-123")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"/project/{PROJECT_ID}/sessions?page={HUGE}", "page"),
        (f"/project/{PROJECT_ID}/traces?page={HUGE}", "page"),
        (f"{TURNS}&offset={HUGE}", "offset"),
        (f"/project/{PROJECT_ID}/sessions?page=0", "page"),
        (f"{TURNS}&offset=-1", "offset"),
    ],
)
def test_out_of_range_paging_is_a_clear_400(web: TestClient, path: str, name: str) -> None:
    answer = web.get(path + "&format=json")
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith(f"{name} must be between")
