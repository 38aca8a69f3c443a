"""Screenshots of the sessions list, a Session Replay, a trace page, the dashboard and a
prompt's page, from demo data.

Starts `powerrag serve` on a free port with a temporary data directory, sends
`powerrag demo` and two versions of a prompt through the public API, signs in with
Chromium and saves PNGs into docs/ (or --out). Usage: .venv/bin/python scripts/screenshots.py [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from powerrag.demo import run_demo

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT, PK, SK = "demo", "pk-lf-demo", "sk-lf-demo"
PROMPT_NAME, PROMPT_PATH = "support/answer", "support%2Fanswer"
PROMPT_VERSIONS = [
    ("Answer the customer's question from the passages.\n\n{{passages}}\n\nQ: {{question}}", []),
    (
        "Answer the customer's question in {{language}}, citing the passages by number.\n\n"
        "{{passages}}\n\nQ: {{question}}",
        ["production"],
    ),
]
EMAIL, PASSWORD = "admin@example.com", "demo-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LANGFUSE_INIT_PROJECT_ID": PROJECT,
        "LANGFUSE_INIT_PROJECT_NAME": "Demo",
        "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": PK,
        "LANGFUSE_INIT_PROJECT_SECRET_KEY": SK,
        "LANGFUSE_INIT_USER_EMAIL": EMAIL,
        "LANGFUSE_INIT_USER_PASSWORD": PASSWORD,
    }
    command = [
        sys.executable,
        "-m",
        "powerrag",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/public/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("powerrag serve did not start")


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/project/**")


def save_prompt(base: str) -> None:
    """Two versions of a text prompt, the second labelled `production`, for its page."""
    for text, labels in PROMPT_VERSIONS:
        body = {"name": PROMPT_NAME, "type": "text", "prompt": text, "labels": labels}
        answer = httpx.post(f"{base}/api/public/v2/prompts", json=body, auth=(PK, SK))
        answer.raise_for_status()


def shoot(base: str, out: Path, session_id: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        sign_in(page, base)
        targets = [
            ("sessions-list.png", f"{base}/project/{PROJECT}/sessions"),
            ("session-replay.png", f"{base}/project/{PROJECT}/sessions/{session_id}"),
            ("dashboard.png", f"{base}/project/{PROJECT}/dashboard"),
            ("prompt.png", f"{base}/project/{PROJECT}/prompts/{PROMPT_PATH}?diff=1"),
        ]
        for name, url in targets:
            page.goto(url)
            page.screenshot(path=str(out / name), full_page=True)
            shots.append(out / name)
        page.goto(f"{base}/project/{PROJECT}/sessions/{session_id}")
        page.click(".turn:nth-child(2) .trace-link")
        page.click(".tree-node:has(.type-generation) a")
        page.wait_for_selector("#panel-model")
        page.screenshot(path=str(out / "trace.png"), full_page=True)
        shots.append(out / "trace.png")
        browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp), port)
        try:
            base = f"http://127.0.0.1:{port}"
            result = run_demo(base, PK, SK)
            save_prompt(base)
            for path in shoot(base, args.out, result.session_ids[0]):
                print(path)
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
