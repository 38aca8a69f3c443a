"""A project's name and options, who administers it, and the key that signs one-time messages.

Options live in the project's `metadata` column (a JSON object), so a new option needs
no migration. The UI reaches them here, as it reaches memberships through `accounts`.
"""

from __future__ import annotations

import orjson

from powerrag.accounts import User
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.retention import parse_days
from powerrag.domain.session_end import IDLE_OPTION, IDLE_SECONDS_RANGE
from powerrag.store import accounts, users
from powerrag.store.database import Store

MAX_NAME = 200
# Public pages show the end users' ids (often emails) only when the project says so.
PUBLIC_SHOWS_USERS = "publicShowsUsers"
FLASH_KEY = "flash-cookie-key"  # instance secret: signs one-time messages across a redirect


def rename_project(store: Store, project_id: str, name: str) -> None:
    name = name.strip()
    if not name:
        raise InvalidRequestError("a project needs a name")
    if len(name) > MAX_NAME:
        raise InvalidRequestError(f"a project's name has at most {MAX_NAME} characters")
    with store.transaction() as conn:
        if not accounts.rename_project(conn, project_id, name):
            raise NotFoundError("project not found")


def set_retention(store: Store, project_id: str, text: str) -> None:
    """The settings form's retention: empty follows the server default, 0 keeps everything,
    else days (3 at least); a bad value is an InvalidRequestError naming it."""
    days = parse_days(text)
    with store.transaction() as conn:
        if not accounts.set_retention_days(conn, project_id, days):
            raise NotFoundError("project not found")
    # After the commit: ClickHouse stamps the stored rows' expiry from the saved setting.
    store.retention_changed(project_id)


def _options(text: str | None) -> dict[str, object]:
    found = orjson.loads(text) if text else None
    return found if isinstance(found, dict) else {}


def public_shows_users(store: Store, project_id: str) -> bool:
    """Whether the project's public pages show user ids (off unless an owner opts in)."""
    with store.connect() as conn:
        options = _options(accounts.project_metadata(conn, project_id))
    return options.get(PUBLIC_SHOWS_USERS) is True


def set_public_shows_users(store: Store, project_id: str, value: bool) -> None:
    with store.transaction() as conn:
        options = _options(accounts.project_metadata(conn, project_id))
        options[PUBLIC_SHOWS_USERS] = value
        accounts.set_project_metadata(conn, project_id, orjson.dumps(options).decode())


def session_idle_seconds(store: Store, project_id: str) -> int | None:
    """The project's own session idle timeout, or None for the server's."""
    with store.connect() as conn:
        value = _options(accounts.project_metadata(conn, project_id)).get(IDLE_OPTION)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def set_session_idle_seconds(store: Store, project_id: str, text: str) -> None:
    """Set the project's idle timeout from a form's text; empty goes back to the server's."""
    text = text.strip()
    low, high = IDLE_SECONDS_RANGE
    try:
        value = int(text) if text else None
    except ValueError:
        raise InvalidRequestError(
            f"the idle timeout is a whole number of seconds, got {text!r}"
        ) from None
    if value is not None and not low <= value <= high:
        raise InvalidRequestError(
            f"the idle timeout must be between {low} and {high} seconds, got {value}"
        )
    with store.transaction() as conn:
        options = _options(accounts.project_metadata(conn, project_id))
        options.pop(IDLE_OPTION, None)
        if value is not None:
            options[IDLE_OPTION] = value
        accounts.set_project_metadata(conn, project_id, orjson.dumps(options).decode())


def administrators(store: Store) -> list[User]:
    """Accounts that open every project without being its members."""
    with store.connect() as conn:
        return users.list_admins(conn)


def flash_key(store: Store) -> bytes:
    """The key signing one-time messages, created by the first replica that needs it."""
    with store.connect() as conn:
        value = accounts.peek_instance_secret(conn, FLASH_KEY)
    if value is None:
        with store.transaction() as conn:
            value = accounts.instance_secret(conn, FLASH_KEY)
    return value.encode()
