"""Project memberships: who sees which project, the members section of settings, CLI, bootstrap.

Also issue 19's findings on members: only administrators create accounts (M4), the last
owner is never demoted (L7), and adding a member says nothing about which emails exist (L9).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from powerrag import accounts, cli
from powerrag.app import create_app
from powerrag.bootstrap import bootstrap
from powerrag.config import Settings
from powerrag.domain.errors import InvalidRequestError
from powerrag.store import accounts as store_accounts
from powerrag.store.database import Store
from powerrag.store.memberships import MEMBER, OWNER, list_members, role_of, set_membership
from powerrag.store.users import find_user_by_email
from tests.support.project import PROJECT_ID
from tests.support.web import post_form, sign_in

pytestmark = pytest.mark.one_engine

ADMIN = ("admin@example.com", "admin password 1")
OWEN = ("owen@example.com", "owen password 1")  # owner of the test project
OWEN_ARGS = (OWEN[0], "Owen", OWEN[1])
MIA = ("mia@example.com", "mia password 1")  # an account in no project yet
OTHER = "other-project"
_OPTION = re.compile(r'<option value="([^"]+)"')


@pytest.fixture
def web(store: Store, settings: Settings) -> Iterator[TestClient]:
    accounts.ensure_user(store, ADMIN[0], "Admin", ADMIN[1])
    owen = accounts.ensure_user(store, OWEN[0], "Owen", OWEN[1])
    accounts.ensure_user(store, MIA[0], "Mia", MIA[1])
    with store.transaction() as conn:
        store_accounts.create_project(conn, "Other project", OTHER)
        set_membership(conn, PROJECT_ID, owen.id, OWNER)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client


def _switcher(client: TestClient, project_id: str = PROJECT_ID) -> list[str]:
    page = client.get(f"/project/{project_id}/settings")
    switcher = page.text.split('id="project-switcher"')[1].split("</select>")[0]
    return _OPTION.findall(switcher)


def _members(client: TestClient, project_id: str = PROJECT_ID) -> list[dict[str, str]]:
    answer = client.get(f"/project/{project_id}/settings", params={"format": "json"})
    assert answer.status_code == 200, answer.text
    members: list[dict[str, str]] = answer.json()["members"]
    return members


def test_an_admin_sees_every_project_and_a_member_only_their_own(web: TestClient) -> None:
    sign_in(web, ADMIN)
    assert _switcher(web) == [PROJECT_ID, OTHER]
    assert web.get(f"/project/{OTHER}/sessions").status_code == 200

    sign_in(web, OWEN)
    assert _switcher(web) == [PROJECT_ID]
    assert web.get(f"/project/{OTHER}/sessions").status_code == 404
    assert web.get("/").headers["location"] == f"/project/{PROJECT_ID}/sessions"


def test_an_owner_adds_an_account_and_removing_it_ends_access_at_once(
    web: TestClient, store: Store
) -> None:
    sign_in(web, MIA)
    assert web.get(f"/project/{PROJECT_ID}/sessions").status_code == 404
    assert web.get("/").headers["location"] == "/settings"
    sign_in(web, OWEN)

    added = post_form(web, f"/project/{PROJECT_ID}/settings/members", {"email": " MIA@example.com"})

    assert added.status_code == 303 and added.headers["location"].endswith("#members")
    assert 'id="member-requested"' in web.get(added.headers["location"]).text
    mia = next(m for m in _members(web) if m["email"] == MIA[0])
    assert mia["role"] == MEMBER
    sign_in(web, MIA)
    assert web.get(f"/project/{PROJECT_ID}/sessions").status_code == 200
    assert _switcher(web) == [PROJECT_ID]

    sign_in(web, OWEN)
    path = f"/project/{PROJECT_ID}/settings/members/{mia['userId']}/remove"
    assert post_form(web, path, {}).status_code == 303
    assert [m["email"] for m in _members(web)] == [OWEN[0]]
    sign_in(web, MIA)
    assert web.get(f"/project/{PROJECT_ID}/sessions").status_code == 404


def test_an_admin_creates_an_account_that_sees_only_this_project(web: TestClient) -> None:
    sign_in(web, ADMIN)
    form = {"email": "new@example.com", "name": "Nia", "password": "initial pass 1"}

    answer = post_form(web, f"/project/{PROJECT_ID}/settings/members/new", form)

    assert answer.status_code == 303, answer.text
    again = post_form(web, f"/project/{PROJECT_ID}/settings/members/new", form)
    assert again.status_code == 400 and "exists" in again.text
    sign_in(web, ("new@example.com", "initial pass 1"))
    assert _switcher(web) == [PROJECT_ID]
    assert web.get(f"/project/{OTHER}/settings").status_code == 404


def test_an_owner_cannot_create_an_account_for_someone_elses_email(
    web: TestClient, store: Store
) -> None:
    """M4: pre-hijacking. The owner of a project of their own picks the victim's password."""
    sign_in(web, MIA)
    project_id = post_form(web, "/projects", {"name": "Mia's"}).headers["location"].split("/")[2]
    assert 'id="new-member-form"' not in web.get(f"/project/{project_id}/settings").text
    form = {"email": "victim@example.com", "name": "V", "password": "chosen by mia"}

    answer = post_form(web, f"/project/{project_id}/settings/members/new", form)

    assert answer.status_code == 403, answer.text
    with store.connect() as conn:
        assert find_user_by_email(conn, "victim@example.com") is None
    sign_in(web, ADMIN)  # an administrator still creates accounts
    assert 'id="new-member-form"' in web.get(f"/project/{PROJECT_ID}/settings").text


def test_bad_member_forms_get_clear_errors(web: TestClient) -> None:
    base = f"/project/{PROJECT_ID}/settings/members"
    sign_in(web, ADMIN)
    for path, form, message in (
        (base, {"email": MIA[0], "role": "admin"}, "role is one of owner, member"),
        (f"{base}/new", {"email": "x@example.com", "password": "short"}, "at least 8"),
        (f"{base}/new", {"email": "not-an-email", "password": "long enough"}, "not an email"),
    ):
        answer = post_form(web, path, form)
        assert answer.status_code == 400 and message in answer.text, (form, answer.text)
    owen = _members(web)[0]
    last = post_form(web, f"{base}/{owen['userId']}/remove", {})
    assert last.status_code == 400 and "at least one owner" in last.text
    assert post_form(web, f"{base}/no-such-user/remove", {}).status_code == 404


def test_the_last_owner_cannot_demote_themself_through_the_add_member_form(
    web: TestClient, store: Store
) -> None:
    """L7: re-adding oneself as a member was a way round the last-owner rule of removal."""
    sign_in(web, OWEN)

    answer = post_form(
        web, f"/project/{PROJECT_ID}/settings/members", {"email": OWEN[0], "role": MEMBER}
    )

    assert answer.status_code == 400 and "at least one owner" in answer.text
    assert [(m["email"], m["role"]) for m in _members(web)] == [(OWEN[0], OWNER)]
    with pytest.raises(InvalidRequestError, match="at least one owner"):  # nor by the CLI's path
        accounts.join_project(store, accounts.ensure_user(store, *OWEN_ARGS), PROJECT_ID, MEMBER)
    added = post_form(
        web, f"/project/{PROJECT_ID}/settings/members", {"email": MIA[0], "role": OWNER}
    )
    assert added.status_code == 303  # with a second owner, stepping down is fine
    demoted = post_form(
        web, f"/project/{PROJECT_ID}/settings/members", {"email": OWEN[0], "role": MEMBER}
    )
    assert demoted.status_code == 303
    assert {(m["email"], m["role"]) for m in _members(web)} == {(MIA[0], OWNER), (OWEN[0], MEMBER)}


def test_adding_a_member_answers_the_same_whether_or_not_the_email_has_an_account(
    web: TestClient,
) -> None:
    """L9: the form must not tell an owner which emails have accounts."""
    sign_in(web, OWEN)
    path = f"/project/{PROJECT_ID}/settings/members"

    known = post_form(web, path, {"email": MIA[0], "role": MEMBER})
    unknown = post_form(web, path, {"email": "nobody@example.com", "role": MEMBER})

    assert (known.status_code, known.headers["location"], known.text) == (
        unknown.status_code,
        unknown.headers["location"],
        unknown.text,
    )
    assert known.status_code == 303
    page = web.get(unknown.headers["location"]).text
    assert "If an account with that email exists" in page and "nobody@example.com" not in page


def test_a_plain_member_reads_settings_but_cannot_change_keys_or_members(
    web: TestClient, store: Store
) -> None:
    accounts.add_member(store, PROJECT_ID, MIA[0], MEMBER)
    sign_in(web, MIA)
    page = web.get(f"/project/{PROJECT_ID}/settings")
    assert page.status_code == 200 and "create-key-form" not in page.text
    assert "add-member-form" not in page.text and "/remove" not in page.text
    before = accounts.list_keys(store, PROJECT_ID)
    for path, form in (
        (f"/project/{PROJECT_ID}/settings/keys", {"note": "mine"}),
        (f"/project/{PROJECT_ID}/settings/keys/{before[0].id}/revoke", {}),
        (f"/project/{PROJECT_ID}/settings/members", {"email": MIA[0], "role": OWNER}),
        (f"/project/{PROJECT_ID}/settings/members/new", {"email": "y@example.com"}),
    ):
        assert post_form(web, path, form).status_code == 403, path
    assert accounts.list_keys(store, PROJECT_ID) == before
    assert [m.role for m in accounts.list_members(store, PROJECT_ID)] == [OWNER, MEMBER]


def test_a_member_who_creates_a_project_owns_it(web: TestClient, store: Store) -> None:
    sign_in(web, MIA)
    answer = post_form(web, "/projects", {"name": "Mia's project"})
    assert answer.status_code == 303
    project_id = answer.headers["location"].split("/")[2]
    assert [(m["email"], m["role"]) for m in _members(web, project_id)] == [(MIA[0], OWNER)]
    assert _switcher(web, project_id) == [project_id]
    assert post_form(web, f"/project/{project_id}/settings/keys", {}).status_code == 303


def test_settings_page_reads_in_both_languages(web: TestClient) -> None:
    sign_in(web, OWEN)
    english = web.get(f"/project/{PROJECT_ID}/settings").text
    assert "Members" in english and "Add an existing account" in english
    web.cookies.set("powerrag_lang", "zh-CN")
    chinese = web.get(f"/project/{PROJECT_ID}/settings").text
    assert "成员" in chinese and "添加已有账号" in chinese and "所有者" in chinese


def test_cli_user_create_with_a_project_adds_a_membership(
    store: Store, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts.ensure_user(store, ADMIN[0], None, ADMIN[1])
    args = ["user", "create", "cli@example.com", "--password", "cli password 1"]
    url = ["--database-url", database_url]

    assert cli.main([*args, "--project", PROJECT_ID, *url]) == 0
    assert cli.main([*args, "--project", PROJECT_ID, "--role", "owner", *url]) == 0
    assert cli.main([*args, "--project", "nope", *url]) == 2

    out, err = capsys.readouterr()
    assert f"member of project {PROJECT_ID}" in out and f"owner of project {PROJECT_ID}" in out
    assert "no project with id 'nope'" in err
    with store.connect() as conn:
        assert [(m.email, m.role) for m in list_members(conn, PROJECT_ID)] == [
            ("cli@example.com", OWNER)
        ]


def test_bootstrap_makes_the_init_user_owner_of_the_init_project(store: Store) -> None:
    environ = {
        "LANGFUSE_INIT_USER_EMAIL": "init@example.com",
        "LANGFUSE_INIT_USER_PASSWORD": "init password 1",
        "LANGFUSE_INIT_PROJECT_ID": "init-project",
    }
    bootstrap(store, environ)
    bootstrap(store, environ)  # every start: nothing new

    with store.connect() as conn:
        members = list_members(conn, "init-project")
        assert [(m.email, m.role) for m in members] == [("init@example.com", OWNER)]
        assert role_of(conn, PROJECT_ID, members[0].user_id) is None


def test_an_init_user_without_an_init_project_joins_no_project(store: Store) -> None:
    environ = {
        "LANGFUSE_INIT_USER_EMAIL": "a@example.com",
        "LANGFUSE_INIT_USER_PASSWORD": "pw 12345",
    }
    bootstrap(store, environ)
    with store.connect() as conn:
        assert list_members(conn, PROJECT_ID) == []
