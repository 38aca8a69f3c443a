"""Projects, API keys and users: the rows that say who may do what."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from powerrag.domain.timeutil import now_us
from powerrag.store.infra.dialect import lock_keys, upsert
from powerrag.store.infra.schema import api_keys, instance_secrets, projects


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    created_at: int
    retention_days: int | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    project_id: str
    public_key: str
    display_secret_key: str
    note: str | None
    created_at: int
    last_used_at: int | None
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str | None
    password_hash: str
    is_admin: bool


def hash_secret(secret: str) -> str:
    """SHA-256 of a secret key: secrets are random, so no salt or slow hash is needed."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_pair() -> tuple[str, str]:
    return f"pk-lf-{uuid.uuid4()}", f"sk-lf-{uuid.uuid4()}"


def create_project(conn: Connection, name: str, project_id: str | None = None) -> Project:
    project = Project(
        id=project_id or f"proj-{uuid.uuid4().hex[:20]}", name=name, created_at=now_us()
    )
    conn.execute(
        insert(projects).values(
            id=project.id, name=project.name, created_at=project.created_at, metadata=None
        )
    )
    return project


def ensure_project(conn: Connection, project_id: str, name: str) -> Project:
    """Create the project, or rename it; used by LANGFUSE_INIT_* on every start."""
    existing = get_project(conn, project_id)
    if existing is None:
        return create_project(conn, name, project_id)
    if existing.name != name:
        conn.execute(update(projects).where(projects.c.id == project_id).values(name=name))
    return Project(existing.id, name, existing.created_at, existing.retention_days)


def get_project(conn: Connection, project_id: str) -> Project | None:
    row = conn.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
    if row is None:
        return None
    return Project(row["id"], row["name"], row["created_at"], row["retention_days"])


def list_projects(conn: Connection) -> list[Project]:
    rows = conn.execute(select(projects).order_by(projects.c.created_at)).mappings()
    return [Project(r["id"], r["name"], r["created_at"], r["retention_days"]) for r in rows]


def rename_project(conn: Connection, project_id: str, name: str) -> bool:
    result = conn.execute(update(projects).where(projects.c.id == project_id).values(name=name))
    return bool(result.rowcount)


def set_retention_days(conn: Connection, project_id: str, days: int | None) -> bool:
    """The project's retention: None follows the server default, 0 keeps everything."""
    result = conn.execute(
        update(projects).where(projects.c.id == project_id).values(retention_days=days)
    )
    return bool(result.rowcount)


def project_metadata(conn: Connection, project_id: str) -> str | None:
    """The project's metadata column: a JSON object of its options, or None."""
    query = select(projects.c.metadata).where(projects.c.id == project_id)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else str(value)


def set_project_metadata(conn: Connection, project_id: str, metadata: str) -> None:
    conn.execute(update(projects).where(projects.c.id == project_id).values(metadata=metadata))


def create_api_key(
    conn: Connection,
    project_id: str,
    *,
    public_key: str | None = None,
    secret_key: str | None = None,
    note: str | None = None,
) -> tuple[ApiKey, str]:
    """Store a key pair; the secret is returned once and kept only as its hash."""
    generated_pk, generated_sk = new_key_pair()
    pk, sk = public_key or generated_pk, secret_key or generated_sk
    key = ApiKey(
        id=uuid.uuid4().hex,
        project_id=project_id,
        public_key=pk,
        display_secret_key=f"{sk[:6]}...{sk[-4:]}",
        note=note,
        created_at=now_us(),
        last_used_at=None,
        revoked_at=None,
    )
    conn.execute(
        insert(api_keys).values(
            id=key.id,
            project_id=project_id,
            public_key=pk,
            secret_hash=hash_secret(sk),
            display_secret_key=key.display_secret_key,
            note=note,
            created_at=key.created_at,
        )
    )
    return key, sk


def ensure_api_key(conn: Connection, project_id: str, public_key: str, secret_key: str) -> None:
    """Make exactly this key pair valid for the project (idempotent headless set-up)."""
    row = (
        conn.execute(select(api_keys).where(api_keys.c.public_key == public_key)).mappings().first()
    )
    if row is None:
        create_api_key(
            conn,
            project_id,
            public_key=public_key,
            secret_key=secret_key,
            note="LANGFUSE_INIT_PROJECT_PUBLIC_KEY",
        )
        return
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == row["id"])
        .values(
            project_id=project_id,
            secret_hash=hash_secret(secret_key),
            display_secret_key=f"{secret_key[:6]}...{secret_key[-4:]}",
            revoked_at=None,
        )
    )


def _key_from_row(row: dict[str, object]) -> ApiKey:
    return ApiKey(
        id=str(row["id"]),
        project_id=str(row["project_id"]),
        public_key=str(row["public_key"]),
        display_secret_key=str(row["display_secret_key"]),
        note=row["note"] if isinstance(row["note"], str) else None,
        created_at=int(row["created_at"]),  # type: ignore[call-overload]
        last_used_at=row["last_used_at"] if isinstance(row["last_used_at"], int) else None,
        revoked_at=row["revoked_at"] if isinstance(row["revoked_at"], int) else None,
    )


def list_api_keys(conn: Connection, project_id: str | None = None) -> list[ApiKey]:
    query = select(api_keys).order_by(api_keys.c.created_at)
    if project_id is not None:
        query = query.where(api_keys.c.project_id == project_id)
    return [_key_from_row(dict(r)) for r in conn.execute(query).mappings()]


def revoke_api_key(conn: Connection, key: str, project_id: str | None = None) -> bool:
    """Revoke by id or public key; True when a live key was revoked."""
    query = update(api_keys).where(
        (api_keys.c.id == key) | (api_keys.c.public_key == key), api_keys.c.revoked_at.is_(None)
    )
    if project_id is not None:
        query = query.where(api_keys.c.project_id == project_id)
    return bool(conn.execute(query.values(revoked_at=now_us())).rowcount)


def verify_api_key(conn: Connection, public_key: str, secret_key: str) -> ApiKey | None:
    """The live key for this pair, compared in constant time; None when it does not match."""
    row = (
        conn.execute(select(api_keys).where(api_keys.c.public_key == public_key)).mappings().first()
    )
    if row is None or row["revoked_at"] is not None:
        # Compare anyway so a missing key costs the same time as a wrong one.
        hmac.compare_digest(hash_secret(secret_key), "0" * 64)
        return None
    if not hmac.compare_digest(hash_secret(secret_key), row["secret_hash"]):
        return None
    return _key_from_row(dict(row))


def find_public_key(conn: Connection, public_key: str) -> ApiKey | None:
    """A live key by its public half alone (Bearer auth for scores from the browser)."""
    row = (
        conn.execute(select(api_keys).where(api_keys.c.public_key == public_key)).mappings().first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    return _key_from_row(dict(row))


def instance_secret(conn: Connection, name: str) -> str:
    """A named secret, created on first use; every replica reads the same one."""
    row = {"name": name, "value": secrets.token_hex(32), "created_at": now_us()}
    upsert(conn, instance_secrets, [row], keys=("name",), keep=("value", "created_at"))
    query = select(instance_secrets.c.value).where(instance_secrets.c.name == name)
    return str(conn.execute(query).scalar_one())


def peek_instance_secret(conn: Connection, name: str) -> str | None:
    """A named secret if it exists; never creates one."""
    query = select(instance_secrets.c.value).where(instance_secrets.c.name == name)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else str(value)


def take_instance_secret(conn: Connection, name: str, value: str) -> bool:
    """Delete the secret if it holds `value`; True for exactly one of concurrent callers.

    The DELETE is the claim: on PostgreSQL a second transaction waits on the row and
    then finds it gone; SQLite lets one writer at a time.
    """
    s = instance_secrets.c
    return bool(
        conn.execute(delete(instance_secrets).where(s.name == name, s.value == value)).rowcount
    )


def serialise_setup(conn: Connection) -> None:
    """Make concurrent first starts (replicas on one empty database) take turns."""
    lock_keys(conn, ["powerrag:bootstrap"])
    if conn.dialect.name == "sqlite":
        # A deferred transaction takes SQLite's write lock at its first write, after the
        # look-ups this must serialise: a write that changes nothing takes it now (the
        # statement's prologue asks for the lock whatever its WHERE matches).
        conn.exec_driver_sql("UPDATE users SET id = id WHERE 0")
