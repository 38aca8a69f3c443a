"""The `powerrag` command: serve, migrate, and project and key administration."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from powerrag import __version__, accounts, backup, model_prices
from powerrag.bootstrap import FirstKeys, bootstrap
from powerrag.config import SETTINGS, Settings, convert, settings_from_env
from powerrag.domain.errors import PowerRAGError
from powerrag.domain.timeutil import now_us
from powerrag.logs import uvicorn_log_config
from powerrag.query.models import find_model
from powerrag.search_indexer import SearchIndexer
from powerrag.store.database import Store
from powerrag.store.infra.migrate import upgrade
from powerrag.store.transfer import export_project, import_project

if TYPE_CHECKING:
    from powerrag.demo import DemoResult


def _add_setting_flags(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    for setting in SETTINGS:
        if names is not None and setting.name not in names:
            continue
        parser.add_argument(
            setting.flag,
            dest=setting.name,
            default=None,
            metavar=setting.name.upper() if setting.type is not bool else "BOOL",
            help=f"{setting.help} [env {setting.env}; default {setting.default}]",
        )


def _settings(args: argparse.Namespace) -> Settings:
    base = settings_from_env()
    overrides: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = getattr(args, setting.name, None)
        if raw is not None:
            overrides[setting.name] = convert(setting, str(raw))
    return base.with_overrides(**overrides)


def _open_store(settings: Settings, *, migrate: bool = True) -> Store:
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.open(
        settings.resolved_database_url,
        pool_size=2,
        migrate_on_start=migrate,
        clickhouse_url=settings.clickhouse_url,
        retention_days=settings.retention_days,
    )


def print_first_keys(settings: Settings, keys: FirstKeys) -> None:
    print(
        "\nFirst start: created a project and an API key pair. The secret key is shown only "
        "this once.\nPoint the Langfuse SDKs at PowerRAG with:\n\n"
        f"  export LANGFUSE_BASE_URL={settings.base_url}\n"
        f"  export LANGFUSE_PUBLIC_KEY={keys.public_key}\n"
        f"  export LANGFUSE_SECRET_KEY={keys.secret_key}\n",
        flush=True,
    )


def print_setup_link(settings: Settings, token: str) -> None:
    print(
        "\nNo account exists yet. Create the administrator at this one-time link "
        "(or run `powerrag user create`):\n\n"
        f"  {settings.base_url}/setup?token={token}\n",
        flush=True,
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `powerrag serve` runs uvicorn; tests that start a real server use the same."""
    log_config = uvicorn_log_config(settings.log_format, settings.log_level)
    json_logs = {} if log_config is None else {"log_config": log_config}
    return {
        **json_logs,
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "http": "httptools",
        "loop": "uvloop" if sys.platform != "win32" else "asyncio",
        "access_log": settings.log_level == "debug",
        # Open live streams (Session Replay SSE) would otherwise hold shutdown forever.
        "timeout_graceful_shutdown": 3,
        # X-Forwarded-For is believed only from the proxies named here (issue 19, M5);
        # uvicorn's own default would trust 127.0.0.1, so any local client could pick
        # the address the sign-in throttle counts.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or "",
    }


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from powerrag.app import create_app

    settings = _settings(args)
    store = _open_store(settings, migrate=settings.auto_migrate)
    try:
        first = bootstrap(store, os.environ)
        if first is not None:
            print_first_keys(settings, first)
        token = accounts.setup_token(store)
        if token is not None:
            print_setup_link(settings, token)
        app = create_app(settings, store=store)
        print(f"PowerRAG {__version__} listening on {settings.base_url}", flush=True)
        with _serving(settings):
            uvicorn.run(app, **uvicorn_options(settings))
    finally:
        store.close()
    return 0


def _serving(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """A SQLite server holds the lock that tells `powerrag restore` it is running."""
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        return contextlib.nullcontext()
    return backup.server_lock(backup.sqlite_path(settings.resolved_database_url))


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args)
    done = backup.backup(settings.resolved_database_url, Path(args.dest), overwrite=args.force)
    print(
        f"backed up to {done.path}: {done.size_bytes / 1e6:.1f} MB, schema {done.revision}, "
        f"in {done.seconds:.1f} s"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    done = backup.restore(Path(args.src), settings.resolved_database_url, force=args.force)
    print(f"restored {args.src} into {done.path} (schema {done.revision})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    print("database schema is up to date")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _open_store(_settings(args))
    try:
        with open(args.out, "wb") as out, store.connect() as conn:
            counts = export_project(conn, args.project, out, store.elsewhere)
    finally:
        store.close()
    print(f"exported project {args.project} to {args.out}: {counts.summary()}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    store = _open_store(_settings(args))
    try:
        with open(args.file, "rb") as lines, store.transaction() as conn:
            project_id, counts = import_project(conn, lines, store.elsewhere)
        print(f"imported project {project_id}: {counts.summary()}")
        # Searchable now rather than when a server's search indexer gets to it.
        indexed = SearchIndexer(store).drain(project_id)
    finally:
        store.close()
    print(f"indexed {indexed} traces for search")
    return 0


def cmd_recost(args: argparse.Namespace) -> int:
    """Recompute the stored costs a model prices (docs/api.md, "Model prices")."""
    store = _open_store(_settings(args))
    try:
        model = find_model(store, args.project, args.model)
        done = model_prices.recost_model(
            store, args.project, model.id, model.match_pattern, now_us()
        )
    finally:
        store.close()
    print(
        f"recomputed {done.observations} observations in {done.traces} traces and "
        f"{done.sessions} sessions with the prices of {model.model_name}"
    )
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    store = _open_store(_settings(args))
    try:
        if args.action == "create":
            project, key, secret = accounts.create_project_with_key(store, args.name, args.id)
            print(f"project {project.id} ({project.name})")
            print(f"LANGFUSE_PUBLIC_KEY={key.public_key}\nLANGFUSE_SECRET_KEY={secret}")
        else:
            for p in accounts.all_projects(store):
                print(f"{p.id}\t{p.name}")
    finally:
        store.close()
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    store = _open_store(_settings(args))
    try:
        if args.action == "create":
            key, secret = accounts.create_key(store, args.project, args.note)
            print(f"LANGFUSE_PUBLIC_KEY={key.public_key}\nLANGFUSE_SECRET_KEY={secret}")
        elif args.action == "list":
            for k in accounts.list_keys(store, args.project):
                state = "revoked" if k.revoked_at else "active"
                print(
                    f"{k.public_key}\t{k.display_secret_key}\t{k.project_id}\t{state}\t{k.note or ''}"
                )
        elif not accounts.revoke_key(store, args.key):
            raise PowerRAGError(f"no active key {args.key!r}")
        else:
            print(f"revoked {args.key}")
    finally:
        store.close()
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    store = _open_store(_settings(args))
    try:
        if args.action == "setup-token":
            token = accounts.setup_token(store)
            if token is None:
                raise PowerRAGError("an administrator exists already: sign in instead")
            print(token)
            return 0
        password = args.password or os.environ.get("POWERRAG_USER_PASSWORD", "")
        user = accounts.ensure_user(store, args.email, args.name, password)
        print(f"user {user.email} ({'admin' if user.is_admin else 'member'})")
        if args.project:
            accounts.join_project(store, user, args.project, args.role)
            print(f"{args.role} of project {args.project}")
    finally:
        store.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if not (args.public_key and args.secret_key):
        raise PowerRAGError(
            "pass --public-key and --secret-key (or set LANGFUSE_PUBLIC_KEY/_SECRET_KEY)"
        )
    result = _demo_or_one_line(args)
    print(
        f"sent {result.trace_count} traces and {result.score_count} scores in "
        f"{len(result.session_ids)} sessions:"
    )
    for session_id in result.session_ids:
        print(f"  {args.url.rstrip('/')}/project/{result.project_id}/sessions/{session_id}")
    return 0


def _demo_or_one_line(args: argparse.Namespace) -> DemoResult:
    """Run the demo; a server that cannot be reached or refuses the keys is one line."""
    import httpx

    from powerrag.demo import run_demo

    url = args.url.rstrip("/")
    try:
        return run_demo(url, args.public_key, args.secret_key)
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise PowerRAGError(
                f"PowerRAG at {url} refused the key pair (HTTP {status}): check --public-key "
                "and --secret-key; a lost key is replaced by `powerrag keys create --project ID`"
            ) from None
        raise PowerRAGError(
            f"PowerRAG at {url} answered HTTP {status} to {exc.request.method} "
            f"{exc.request.url.path}: {_first_line(exc.response.text)}"
        ) from None
    except httpx.HTTPError as exc:
        raise PowerRAGError(
            f"cannot reach PowerRAG at {url}: {_first_line(str(exc)) or type(exc).__name__}; "
            "is it running (`make run`)? Pass its address with --url"
        ) from None


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="powerrag", description="Self-hosted LLM tracing server.")
    parser.add_argument("--version", action="version", version=f"powerrag {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    _add_setting_flags(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations and exit")
    _add_setting_flags(migrate, ("data_dir", "database_url"))
    migrate.set_defaults(func=cmd_migrate)

    project = sub.add_parser("project", help="create or list projects")
    project_sub = project.add_subparsers(dest="action", required=True)
    create = project_sub.add_parser("create", help="create a project with a first key pair")
    create.add_argument("name")
    create.add_argument("--id", default=None, help="project id (default: generated)")
    project_sub.add_parser("list", help="list projects")
    for p in (create, project_sub.choices["list"]):
        _add_setting_flags(p, ("data_dir", "database_url"))
    project.set_defaults(func=cmd_project)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    kc = keys_sub.add_parser("create", help="create a key pair for a project")
    kc.add_argument("--project", required=True)
    kc.add_argument("--note", default=None)
    kl = keys_sub.add_parser("list", help="list key pairs (secrets are never shown again)")
    kl.add_argument("--project", default=None)
    kr = keys_sub.add_parser("revoke", help="revoke a key by id or public key")
    kr.add_argument("key")
    for p in (kc, kl, kr):
        _add_setting_flags(p, ("data_dir", "database_url"))
    keys.set_defaults(func=cmd_keys)

    user = sub.add_parser("user", help="create UI users, or show the first-admin set-up token")
    user_sub = user.add_subparsers(dest="action", required=True)
    uc = user_sub.add_parser("create", help="create or update a user (the first one is admin)")
    uc.add_argument("email")
    uc.add_argument("--name", default=None)
    uc.add_argument("--password", default=None, help="default: $POWERRAG_USER_PASSWORD")
    uc.add_argument("--project", default=None, help="project id the user becomes a member of")
    uc.add_argument("--role", default="member", choices=("member", "owner"))
    token = user_sub.add_parser(
        "setup-token", help="print the one-time token that creates the first administrator"
    )
    for p in (uc, token):
        _add_setting_flags(p, ("data_dir", "database_url"))
    user.set_defaults(func=cmd_user)

    demo = sub.add_parser("demo", help="send demo sessions to a running PowerRAG")
    demo.add_argument("--url", default=os.environ.get("LANGFUSE_BASE_URL", "http://localhost:3000"))
    demo.add_argument("--public-key", default=os.environ.get("LANGFUSE_PUBLIC_KEY"))
    demo.add_argument("--secret-key", default=os.environ.get("LANGFUSE_SECRET_KEY"))
    demo.set_defaults(func=cmd_demo)

    export = sub.add_parser("export", help="write every record of a project to a JSON Lines file")
    export.add_argument("--project", required=True, help="project id")
    export.add_argument("--out", required=True, help="file to write")
    _add_setting_flags(export, ("data_dir", "database_url"))
    export.set_defaults(func=cmd_export)

    import_ = sub.add_parser("import", help="load a project exported by `powerrag export`")
    import_.add_argument("file", help="the exported JSON Lines file")
    _add_setting_flags(import_, ("data_dir", "database_url"))
    import_.set_defaults(func=cmd_import)

    back = sub.add_parser("backup", help="copy the SQLite database while the server runs")
    back.add_argument("dest", help="the backup file to write")
    back.add_argument("--force", action="store_true", help="replace DEST if it exists")
    _add_setting_flags(back, ("data_dir", "database_url"))
    back.set_defaults(func=cmd_backup)

    rest = sub.add_parser("restore", help="put a backup in place of the SQLite database")
    rest.add_argument("src", help="a file written by powerrag backup")
    rest.add_argument(
        "--force", action="store_true", help="restore even while a server runs on the database"
    )
    _add_setting_flags(rest, ("data_dir", "database_url"))
    rest.set_defaults(func=cmd_restore)

    recost = sub.add_parser("recost", help="recompute stored costs with a model's prices")
    recost.add_argument("--project", required=True, help="project id")
    recost.add_argument("--model", required=True, help="model id (GET /api/public/models)")
    _add_setting_flags(recost, ("data_dir", "database_url"))
    recost.set_defaults(func=cmd_recost)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (PowerRAGError, ValueError, OSError) as exc:
        print(f"powerrag: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        # A database error the store does not name itself (e.g. a file it cannot open).
        print(
            f"powerrag: database error: {_first_line(str(getattr(exc, 'orig', None) or exc))}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
