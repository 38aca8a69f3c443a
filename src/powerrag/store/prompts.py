"""A project's prompt versions, their labels (one version per label) and a prompt's tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, delete, exists, insert, select, update
from sqlalchemy import func as sql

from powerrag.domain.prompts import LATEST, NewPrompt, PromptFilter, PromptMeta, PromptVersion
from powerrag.store.infra.schema import prompt_labels, prompt_tags, prompts

_p = prompts.c
_l = prompt_labels.c
_t = prompt_tags.c


def _labels(conn: Connection, project_id: str, names: Sequence[str]) -> dict[str, list[str]]:
    """Prompt id -> its labels, sorted."""
    query = select(_l.prompt_id, _l.label).where(_l.project_id == project_id, _l.name.in_(names))
    found: dict[str, list[str]] = {}
    for prompt_id, label in conn.execute(query.order_by(_l.label)):
        found.setdefault(prompt_id, []).append(label)
    return found


def tags_of(conn: Connection, project_id: str, names: Sequence[str]) -> dict[str, list[str]]:
    query = select(_t.name, _t.tag).where(_t.project_id == project_id, _t.name.in_(names))
    found: dict[str, list[str]] = {}
    for name, tag in conn.execute(query.order_by(_t.tag)):
        found.setdefault(name, []).append(tag)
    return found


def _versions(conn: Connection, project_id: str, rows: list[Any]) -> list[PromptVersion]:
    names = sorted({r.name for r in rows})
    labels = _labels(conn, project_id, names)
    tags = tags_of(conn, project_id, names)
    return [
        PromptVersion(
            id=r.id,
            project_id=r.project_id,
            name=r.name,
            version=r.version,
            type=r.type,
            prompt=orjson.loads(r.prompt),
            config=orjson.loads(r.config),
            labels=tuple(labels.get(r.id, ())),
            tags=tuple(tags.get(r.name, ())),
            commit_message=r.commit_message,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


def versions(conn: Connection, project_id: str, name: str) -> list[PromptVersion]:
    """Every version of a prompt, newest first."""
    query = select(prompts).where(_p.project_id == project_id, _p.name == name)
    return _versions(conn, project_id, list(conn.execute(query.order_by(_p.version.desc()))))


def find(
    conn: Connection, project_id: str, name: str, *, version: int | None, label: str | None
) -> PromptVersion | None:
    """The version numbered `version`, or else the one carrying `label`."""
    query = select(prompts).where(_p.project_id == project_id, _p.name == name)
    if version is not None:
        query = query.where(_p.version == version)
    else:
        query = query.join(prompt_labels, _l.prompt_id == _p.id).where(_l.label == label)
    found = _versions(conn, project_id, list(conn.execute(query)))
    return found[0] if found else None


def _move_labels(
    conn: Connection, project_id: str, name: str, labels: Sequence[str], prompt_id: str, now: int
) -> None:
    """Put `labels` on `prompt_id`, taking them from the versions that had them."""
    if not labels:
        return
    where = (_l.project_id == project_id, _l.name == name, _l.label.in_(labels))
    losers = [r[0] for r in conn.execute(select(_l.prompt_id).where(*where))]
    conn.execute(delete(prompt_labels).where(*where))
    rows = [
        {"project_id": project_id, "name": name, "label": x, "prompt_id": prompt_id} for x in labels
    ]
    conn.execute(insert(prompt_labels), rows)
    touched = {*losers, prompt_id}
    conn.execute(update(prompts).where(_p.id.in_(touched)).values(updated_at=now))


def _set_tags(conn: Connection, project_id: str, name: str, tags: Sequence[str]) -> None:
    conn.execute(delete(prompt_tags).where(_t.project_id == project_id, _t.name == name))
    if tags:
        rows = [{"project_id": project_id, "name": name, "tag": t} for t in tags]
        conn.execute(insert(prompt_tags), rows)


def add_version(
    conn: Connection, project_id: str, new: NewPrompt, *, prompt_id: str, by: str, now: int
) -> int:
    """Insert the next version of `new.name`, with its labels and `latest`; its number.

    A concurrent insert of the same number fails on uq_prompts_project_id_name_version.
    """
    top = select(sql.max(_p.version)).where(_p.project_id == project_id, _p.name == new.name)
    number = int(conn.execute(top).scalar_one() or 0) + 1
    conn.execute(
        insert(prompts).values(
            id=prompt_id,
            project_id=project_id,
            name=new.name,
            version=number,
            type=new.type,
            prompt=orjson.dumps(new.prompt).decode(),
            config=orjson.dumps(new.config).decode(),
            commit_message=new.commit_message,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
    )
    _move_labels(conn, project_id, new.name, [*new.labels, LATEST], prompt_id, now)
    if new.tags is not None:
        _set_tags(conn, project_id, new.name, new.tags)
    return number


def add_labels(
    conn: Connection, project_id: str, name: str, version: int, labels: Sequence[str], now: int
) -> bool:
    """Give version `version` these labels too (its others stay); False if it does not exist."""
    query = select(_p.id).where(_p.project_id == project_id, _p.name == name, _p.version == version)
    prompt_id = conn.execute(query).scalar_one_or_none()
    if prompt_id is None:
        return False
    _move_labels(conn, project_id, name, labels, prompt_id, now)
    return True


def remove(
    conn: Connection, project_id: str, name: str, *, version: int | None, label: str | None
) -> int:
    """Delete the versions chosen (all of the name when neither is given); how many.

    When `latest` goes with them, the highest remaining version takes it.
    """
    chosen = select(_p.id).where(_p.project_id == project_id, _p.name == name)
    if version is not None:
        chosen = chosen.where(_p.version == version)
    if label is not None:
        chosen = chosen.join(prompt_labels, _l.prompt_id == _p.id).where(_l.label == label)
    ids = [r[0] for r in conn.execute(chosen)]
    if not ids:
        return 0
    conn.execute(delete(prompt_labels).where(_l.prompt_id.in_(ids)))
    conn.execute(delete(prompts).where(_p.id.in_(ids)))
    rest = select(_p.id).where(_p.project_id == project_id, _p.name == name)
    top = conn.execute(rest.order_by(_p.version.desc()).limit(1)).scalar_one_or_none()
    if top is None:
        _set_tags(conn, project_id, name, ())
        return len(ids)
    has_latest = exists().where(_l.project_id == project_id, _l.name == name, _l.label == LATEST)
    if not conn.execute(select(has_latest)).scalar_one():
        conn.execute(
            insert(prompt_labels).values(
                project_id=project_id, name=name, label=LATEST, prompt_id=top
            )
        )
    return len(ids)


def _where(project_id: str, f: PromptFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [_p.project_id == project_id]
    if f.name is not None:
        clauses.append(_p.name == f.name)
    if f.version is not None:
        clauses.append(_p.version == f.version)
    if f.label is not None:
        clauses.append(exists().where(_l.prompt_id == _p.id, _l.label == f.label))
    if f.tag is not None:
        clauses.append(
            exists().where(_t.project_id == _p.project_id, _t.name == _p.name, _t.tag == f.tag)
        )
    if f.from_updated_at is not None:
        clauses.append(_p.updated_at >= f.from_updated_at)
    if f.to_updated_at is not None:
        clauses.append(_p.updated_at < f.to_updated_at)
    return clauses


def count_names(conn: Connection, project_id: str, f: PromptFilter) -> int:
    query = select(sql.count(sql.distinct(_p.name))).where(*_where(project_id, f))
    return int(conn.execute(query).scalar_one())


def list_meta(
    conn: Connection, project_id: str, f: PromptFilter, limit: int, offset: int
) -> list[PromptMeta]:
    """Prompts by name, each with the versions and labels that match `f`."""
    where = _where(project_id, f)
    page = select(_p.name).where(*where).group_by(_p.name).order_by(_p.name)
    names = [r[0] for r in conn.execute(page.limit(limit).offset(offset))]
    if not names:
        return []
    rows = conn.execute(
        select(prompts).where(*where, _p.name.in_(names)).order_by(_p.name, _p.version)
    )
    by_name: dict[str, list[PromptVersion]] = {}
    for v in _versions(conn, project_id, list(rows)):
        by_name.setdefault(v.name, []).append(v)
    return [_meta(by_name[n]) for n in names]


def _meta(found: list[PromptVersion]) -> PromptMeta:
    newest = found[-1]
    return PromptMeta(
        name=newest.name,
        type=newest.type,
        versions=tuple(v.version for v in found),
        labels=tuple(sorted({x for v in found for x in v.labels})),
        tags=newest.tags,
        last_updated_at=max(v.updated_at for v in found),
        last_config=newest.config,
    )


def version_ids(
    conn: Connection, project_id: str, wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The id of each (name, version) of the project's prompts that exists."""
    if not wanted:
        return {}
    names = sorted({name for name, _ in wanted})
    query = select(prompts.c.name, prompts.c.version, prompts.c.id).where(
        prompts.c.project_id == project_id, prompts.c.name.in_(names)
    )
    found = {(r[0], r[1]): r[2] for r in conn.execute(query)}
    return {key: found[key] for key in wanted if key in found}


def version_exists(conn: Connection, project_id: str, prompt_id: str) -> bool:
    """Whether the project holds the prompt version with this id (a comment's object)."""
    query = select(prompts.c.id).where(
        prompts.c.project_id == project_id, prompts.c.id == prompt_id
    )
    return conn.execute(query).first() is not None
