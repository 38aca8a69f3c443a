"""The message catalogue (src/powerrag/web/locale): every UI label has a Chinese text of its
own (a missing one fails here, not on a page), the translation is of the current English
text, both fill the same `{…}` and `%s` slots, every value a page labels has a label, and
every label a template names exists."""

from __future__ import annotations

import re
from pathlib import Path

from powerrag.domain import jobs
from powerrag.domain.alerts import METRICS
from powerrag.domain.checks import CHECK_KINDS
from powerrag.domain.records import LEVELS, OBSERVATION_TYPES
from powerrag.web.i18n import CATALOGUES, MESSAGES, read_catalogue
from powerrag.web.render import DURATION_UNITS

TEMPLATES = Path(__file__).parents[2] / "src" / "powerrag" / "web" / "templates"
# Written alike in both languages: names of products and formats.
SAME_IN_BOTH = {"app", "json", "body_format_json", "snippet_python", "snippet_js"}


def _entries(name: str) -> dict[str | None, tuple[str, str, bool]]:
    """context -> (English, translation, fuzzy) of a catalogue file."""
    return {m.context: (str(m.id), str(m.string), m.fuzzy) for m in read_catalogue(name) if m.id}


def test_every_label_has_a_chinese_text_of_the_current_english() -> None:
    template = _entries("messages.pot")
    for path in CATALOGUES.values():
        translated = _entries(path)
        assert sorted(set(template) - set(translated), key=str) == [], "run make messages"
        assert sorted(set(translated) - set(template), key=str) == [], "run make messages"
        stale = [k for k, (en, _, _) in translated.items() if en != template[k][0]]
        assert stale == [], "English changed since translated: run make messages"
        gaps = [k for k, (_, text, fuzzy) in translated.items() if not text or fuzzy]
        assert gaps == []
    english, chinese = MESSAGES["en"], MESSAGES["zh-CN"]
    assert set(english) == set(chinese)
    assert {k for k in english if chinese[k] == english[k]} == SAME_IN_BOTH
    assert set(DURATION_UNITS["en"]) == set(DURATION_UNITS["zh-CN"])


def test_a_text_and_its_translation_fill_the_same_slots() -> None:
    slots = re.compile(r"\{[a-z_]+\}|%[sd]")
    for key, text in MESSAGES["en"].items():
        zh = MESSAGES["zh-CN"][key]
        assert sorted(slots.findall(text)) == sorted(slots.findall(zh)), key


def test_every_value_the_pages_label_has_a_label() -> None:
    english = MESSAGES["en"]
    wanted = [
        *(f"level_{v.lower()}" for v in LEVELS),
        *(f"obs_type_{v.lower()}" for v in OBSERVATION_TYPES),
        *(f"job_{v}" for v in (jobs.PENDING, jobs.RUNNING, jobs.DONE, jobs.FAILED)),
        *(f"check_{v}" for v in CHECK_KINDS),
        *(f"metric_{v}" for v in METRICS),
    ]
    assert [key for key in wanted if key not in english] == []


def test_every_label_a_template_names_exists() -> None:
    named = re.compile(r"\bt\.([a-z_][a-z0-9_]*)\b(?!\()|\bt\['([a-z0-9_]+)'\]")
    missing = {
        (path.name, a or b)
        for path in TEMPLATES.rglob("*.html")
        for a, b in named.findall(path.read_text())
        if (a or b) not in MESSAGES["en"]
    }
    assert sorted(missing) == []


def test_no_label_is_hidden_by_a_method_of_the_catalogue() -> None:
    """Jinja reads `t.copy` as dict.copy: templates reach such keys as t['copy'] only."""
    assert sorted(k for k in MESSAGES["en"] if hasattr({}, k)) == ["copy"]
