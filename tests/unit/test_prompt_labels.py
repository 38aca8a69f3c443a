"""The prompt pages' labels: every English label has its Chinese one, which the zh-CN
catalogue serves, and none is hidden by a method of the catalogue (`t.<key>` in Jinja)."""

from __future__ import annotations

from powerrag.web import prompt_labels
from powerrag.web.i18n import translator


def test_every_prompt_label_has_its_chinese_text() -> None:
    assert set(prompt_labels.EN) == set(prompt_labels.ZH)
    chinese, english = translator("zh-CN"), translator("en")
    for key, text in prompt_labels.ZH.items():
        assert chinese[key] == text != prompt_labels.EN[key] == english[key], key
    assert [key for key in prompt_labels.EN if hasattr({}, key)] == []
