"""The annotation and settings labels: every English label has its Chinese one, and each
is reachable from a template as `t.<key>`."""

from __future__ import annotations

from powerrag.web import annotate_labels
from powerrag.web.i18n import translator


def test_every_label_has_a_chinese_text_and_no_other() -> None:
    assert set(annotate_labels.EN) == set(annotate_labels.ZH)
    chinese = translator("zh-CN")
    for key, text in annotate_labels.ZH.items():
        assert chinese[key] == text != annotate_labels.EN[key], key


def test_no_label_is_hidden_by_a_method_of_the_catalogue() -> None:
    """Jinja reads `t.copy` as dict.copy: such a key would print a method, not its text."""
    assert [key for key in annotate_labels.EN if hasattr({}, key)] == []
