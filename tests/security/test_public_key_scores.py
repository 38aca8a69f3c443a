"""The public key only ever adds scores (issue 19 L2).

A public key ships in browser bundles and a score id can be read off a public page, so a
public-key caller resending a team member's score id must leave that score as it was.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.project import PUBLIC_KEY

BEARER = {"authorization": f"Bearer {PUBLIC_KEY}"}
ANNOTATION = {
    "id": "team-score",
    "traceId": "t-1",
    "name": "quality",
    "value": 0.9,
    "dataType": "NUMERIC",
    "comment": "checked by the team",
}


def _score(client: TestClient, score_id: str) -> dict[str, object]:
    answer = client.get(f"/api/public/v2/scores/{score_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_public_key_cannot_overwrite_a_stored_score(client: TestClient) -> None:
    assert client.post("/api/public/scores", json=ANNOTATION).status_code == 200
    forged = {**ANNOTATION, "value": 0.0, "comment": "overwritten"}

    single = client.post("/api/public/scores", json=forged, headers=BEARER)
    array = client.post("/api/public/scores", json=[forged], headers=BEARER)
    event = {
        "id": "ev-forged",
        "type": "score-create",
        "timestamp": "2026-11-20T10:00:00.000Z",
        "body": forged,
    }
    batch = client.post("/api/public/ingestion", json={"batch": [event]}, headers=BEARER)

    assert (single.status_code, array.status_code, batch.status_code) == (200, 202, 207)
    stored = _score(client, "team-score")
    assert (stored["value"], stored["comment"]) == (0.9, "checked by the team")


def test_a_public_key_still_adds_scores_and_resends_are_harmless(client: TestClient) -> None:
    feedback = {"id": "thumbs-1", "traceId": "t-1", "name": "thumbs", "value": 1}

    for _ in range(2):
        sent = client.post("/api/public/scores", json=feedback, headers=BEARER)
        assert sent.status_code == 200, sent.text

    assert _score(client, "thumbs-1")["value"] == 1
    listed = client.get("/api/public/v2/scores", params={"name": "thumbs"}).json()["data"]
    assert [s["id"] for s in listed] == ["thumbs-1"]
