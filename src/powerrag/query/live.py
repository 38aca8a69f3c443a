"""Who may keep watching a Session Replay's live stream (asked again while it is open)."""

from __future__ import annotations

from powerrag.store import memberships, users
from powerrag.store.database import Store


def may_watch(store: Store, project_id: str, session_id: str, user_id: str | None) -> bool:
    """The rule of the replay page: the session exists, and it is public or the signed-in
    user is an administrator or a member of its project.

    Primary-key lookups: open streams ask it before each delivery.
    """
    with store.reading() as data:
        session = data.get_session(project_id, session_id)
    if session is None:
        return False
    if session.public:
        return True
    with store.connect() as conn:
        user = users.get_user(conn, user_id) if user_id else None
        if user is None:
            return False
        return user.is_admin or memberships.role_of(conn, project_id, user.id) is not None
