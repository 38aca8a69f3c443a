"""The project and API key of the `store` fixture (tests/conftest.py); replays send this key."""

from __future__ import annotations

import base64

PROJECT_ID = "test-project"
PUBLIC_KEY, SECRET_KEY = "pk-lf-test", "sk-lf-test"
AUTH = "Basic " + base64.b64encode(f"{PUBLIC_KEY}:{SECRET_KEY}".encode()).decode()
