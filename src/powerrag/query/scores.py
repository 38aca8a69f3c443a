"""Score read use-cases: numbered and keyset lists, one score."""

from __future__ import annotations

from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import PageRequest, ScoreCursor, ScoreFilter
from powerrag.domain.rows import ScoreRow
from powerrag.domain.scores import is_v1
from powerrag.query.paging import KeysetPage, Paged
from powerrag.store.database import Store


def list_scores(
    store: Store, project_id: str, f: ScoreFilter, page: PageRequest
) -> Paged[ScoreRow]:
    """Scores newest first; `f.v1_only` keeps only the scores ScoreV1 can show."""
    with store.reading() as data:
        total = data.count_scores(project_id, f)
        rows = data.list_scores(project_id, f, page)
    return Paged(rows, page, total)


def list_scores_after(
    store: Store, project_id: str, f: ScoreFilter, cursor: ScoreCursor | None, limit: int
) -> KeysetPage[ScoreRow, ScoreCursor]:
    """Keyset pages in `timestamp DESC, id DESC` order."""
    with store.reading() as data:
        rows = data.list_scores_after(project_id, f, cursor, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = ScoreCursor(rows[-1].timestamp, rows[-1].id)
    return KeysetPage(rows, next_cursor)


def get_score(store: Store, project_id: str, score_id: str, *, v1_only: bool = False) -> ScoreRow:
    """One score; v1 (`v1_only`) knows only the scores its list shows."""
    with store.reading() as data:
        row = data.get_score(project_id, score_id)
    if row is None or (v1_only and not is_v1(row.trace_id, row.data_type)):
        raise NotFoundError(f"Score {score_id} not found within authorized project")
    return row
