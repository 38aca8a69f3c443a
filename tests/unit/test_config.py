"""The settings table, the CLI help and docs/configuration.md say the same thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerrag.cli import build_parser
from powerrag.config import SETTINGS, Settings, settings_from_env, settings_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_docs_table_is_generated_from_the_settings() -> None:
    text = DOC.read_text()
    start = text.index("<!-- settings-table:start -->\n") + len("<!-- settings-table:start -->\n")
    end = text.index("<!-- settings-table:end -->")
    assert text[start:end].strip() == settings_table_markdown().strip()


def test_serve_help_lists_every_setting() -> None:
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    help_text = serve.format_help()
    for setting in SETTINGS:
        assert setting.flag in help_text and setting.env in help_text


def test_settings_dataclass_defaults_match_the_table() -> None:
    defaults = Settings()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name


def test_environment_variables_are_typed() -> None:
    settings = settings_from_env({"POWERRAG_PORT": "4000", "POWERRAG_SECURE_COOKIES": "yes"})
    assert settings.port == 4000 and settings.secure_cookies is True
    with pytest.raises(ValueError, match="POWERRAG_PORT: expected int"):
        settings_from_env({"POWERRAG_PORT": "many"})
