"""UI labels in English and Simplified Chinese; the language comes from a cookie or the browser.

The labels are a gettext catalogue (web/locale, the format translators' tools read): each
message's context (`msgctxt`) is the key the templates use (`t.sessions`, `t['copy']`), its
`msgid` the English text, and `locale/zh_CN/LC_MESSAGES/messages.po` holds the Chinese ones.
`{…}` and `%s` mark what the template fills in. docs/ui.md, "Translating", has the workflow.
"""

from __future__ import annotations

from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES = ("en", "zh-CN")
LANG_COOKIE = "powerrag_lang"
# The catalogue of each language but English, whose texts are the template's own msgids.
CATALOGUES = {"zh-CN": "zh_CN/LC_MESSAGES/messages.po"}


def read_catalogue(name: str) -> Catalog:
    with resources.files("powerrag.web").joinpath("locale", name).open("rb") as f:
        return read_po(f)


def _texts(catalogue: Catalog, *, translated: bool) -> dict[str, str]:
    """Key -> text. A translation that is empty or fuzzy is left out, never shown in English
    instead: tests/unit/test_labels_complete.py fails on a gap."""
    return {
        str(m.context): str(m.string if translated else m.id)
        for m in catalogue
        if m.id and m.context and (not translated or (m.string and not m.fuzzy))
    }


MESSAGES: dict[str, dict[str, str]] = {
    "en": _texts(read_catalogue("messages.pot"), translated=False),
    **{
        language: _texts(read_catalogue(path), translated=True)
        for language, path in CATALOGUES.items()
    },
}


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language if set, else the first supported one the browser asks for."""
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


def translator(language: str) -> dict[str, str]:
    return MESSAGES.get(language, MESSAGES["en"])
