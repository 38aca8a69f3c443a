"""Every UI label has a Chinese text of its own (a missing one fails here, not on a page),
the texts fill the same `{…}` and `%d` slots, and every value a page labels has a label."""

from __future__ import annotations

import re

from powerrag.domain import jobs
from powerrag.domain.alerts import METRICS
from powerrag.domain.checks import CHECK_KINDS
from powerrag.domain.records import LEVELS, OBSERVATION_TYPES
from powerrag.web import annotate_labels, evaluation_labels, replay_labels, value_labels
from powerrag.web.i18n import MESSAGES
from powerrag.web.render import DURATION_UNITS

# Written alike in both languages: names of products and languages.
SAME_IN_BOTH = {"app", "json", "body_format_json", "snippet_python", "snippet_js"}


def test_every_label_has_a_chinese_text() -> None:
    english, chinese = MESSAGES["en"], MESSAGES["zh-CN"]
    assert sorted(set(english) - set(chinese)) == []
    assert sorted(set(chinese) - set(english)) == []
    assert {k for k in english if chinese[k] == english[k]} == SAME_IN_BOTH


def test_each_labels_module_translates_each_of_its_keys() -> None:
    for module in (replay_labels, annotate_labels, evaluation_labels, value_labels):
        assert set(module.EN) == set(module.ZH), module.__name__
    assert set(DURATION_UNITS["en"]) == set(DURATION_UNITS["zh-CN"])


def test_a_text_and_its_translation_fill_the_same_slots() -> None:
    slots = re.compile(r"\{[a-z]+\}|%d")
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


def test_no_label_is_hidden_by_a_method_of_the_catalogue() -> None:
    """Jinja reads `t.copy` as dict.copy: templates reach such keys as t['copy'] only."""
    assert sorted(k for k in MESSAGES["en"] if hasattr({}, k)) == ["copy"]
