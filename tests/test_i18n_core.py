"""core.i18n: one translation path inside and outside a request; choices and labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import i18n
from core.i18n import N_, Choices, _l, current_lang, label, translate, use_lang

MASTERDATA_I18N = Path(__file__).resolve().parent.parent / "addons" / "masterdata" / "i18n"


@pytest.fixture(autouse=True)
def _masterdata_catalog():
    i18n.add_catalog_dir(MASTERDATA_I18N)


def test_outside_a_request_the_default_is_chinese_and_use_lang_switches():
    assert current_lang() == "zh_CN"
    assert i18n.gettext("Customer") == "客户"
    with use_lang("en-US"):
        assert current_lang() == "en"
        assert i18n.gettext("Customer") == "Customer"
    assert current_lang() == "zh_CN"


def test_env_user_language_is_used_outside_a_request():
    class User:
        lang = "en"

    class Env:
        user = User()

    assert current_lang(Env()) == "en"
    with use_lang("zh"):
        assert current_lang(Env()) == "zh_CN"  # an explicit language wins


def test_lazy_text_follows_the_language_when_shown():
    text = _l("Customer")
    assert str(text) == "客户"
    with use_lang("en"):
        assert str(text) == "Customer"
        assert f"{text}" == "Customer"
    assert text.in_lang("en") == "Customer"
    assert label(text, "zh_CN") == "客户"


def test_placeholders_are_filled_after_translation():
    assert translate("%(n)s rows", "en", n=3) == "3 rows"


def test_choices_labels_in_both_languages_and_unknown_keys():
    kinds = Choices({"c": N_("Customer"), "x": N_("A label nobody translated")})
    assert kinds.label("c") == "客户"
    assert kinds.label("c", "en") == "Customer"
    assert kinds.label("x") == "A label nobody translated"  # the msgid when untranslated
    assert kinds.label("nope") == "nope"
    assert kinds.label(None) == ""
    assert kinds.choices("en") == [("c", "Customer"), ("x", "A label nobody translated")]
    assert list(kinds) == ["c", "x"]
    assert kinds.msgid("c") == "Customer"


def test_reference_data_stored_in_both_languages():
    stored = {"zh_CN": "初次接触", "en": "First contact"}
    assert label(stored) == "初次接触"
    assert label(stored, "en") == "First contact"
    assert label({"zh_CN": "只有中文"}, "en") == "只有中文"
    assert label(None) == ""


def test_inside_a_request_the_request_locale_wins():
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context("/"):
        assert current_lang() == "en"
        assert str(_l("Customer")) == "Customer"
        with use_lang("zh_CN"):  # an e-mail to a Chinese reader from an English page
            assert i18n.gettext("Customer") == "客户"
