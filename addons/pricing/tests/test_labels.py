"""Choice labels: the words users saw before the labels moved to the catalogs, in both languages."""

from __future__ import annotations

import pytest

from addons.pricing.models import (
    BID_DECISION_LABELS,
    CHANNEL_LABELS,
    LEVEL_LABELS,
    LIFECYCLE_LABELS,
    METHOD_LABELS,
    QUOTE_KIND_LABELS,
    QUOTE_STATE_LABELS,
    QUOTE_TYPE_LABELS,
    REACTION_LABELS,
    SOURCE_LABELS,
)
from core.i18n import Choices, use_lang

EXPECTED = [
    ("QUOTE_TYPE_LABELS", QUOTE_TYPE_LABELS, {"high": ("高报价", "High quote"), "competitive": ("竞争性报价", "Competitive quote"), "low": ("低报价", "Low quote"), "probing": ("试探性报价", "Probing quote")}),
    ("LEVEL_LABELS", LEVEL_LABELS, {"high": ("高", "High"), "low": ("低", "Low")}),
    ("LIFECYCLE_LABELS", LIFECYCLE_LABELS, {"introduction": ("导入期", "Introduction"), "growth": ("成长期", "Growth"), "maturity": ("成熟期", "Maturity"), "decline": ("衰退期", "Decline")}),
    ("CHANNEL_LABELS", CHANNEL_LABELS, {"direct": ("直供主机厂", "Direct (OEM)"), "distributor": ("经销商", "Distributor")}),
    ("METHOD_LABELS", METHOD_LABELS, {"cost_margin": ("成本加毛利区间", "Cost x margin range"), "list_discount": ("目录价折扣", "List price with discount limits")}),
    ("QUOTE_KIND_LABELS", QUOTE_KIND_LABELS, {"quote": ("报价", "Quote"), "bid": ("投标", "Bid")}),
    ("QUOTE_STATE_LABELS", QUOTE_STATE_LABELS, {"draft": ("草稿", "Draft"), "waiting": ("待审批", "Waiting approval"), "approved": ("已批准", "Approved"), "sent": ("已发出", "Sent"), "won": ("赢单", "Won"), "lost": ("丢单", "Lost"), "expired": ("已过期", "Expired"), "superseded": ("已被新版本取代", "Superseded")}),
    ("BID_DECISION_LABELS", BID_DECISION_LABELS, {"pending": ("待申请", "Not requested"), "requested": ("待经理决定", "Waiting for the manager"), "go": ("投标", "Go"), "no_go": ("不投标", "No go")}),
    ("REACTION_LABELS", REACTION_LABELS, {"accepted": ("接受", "Accepted"), "countered": ("还价", "Countered"), "lost": ("输给竞争对手", "Lost to a competitor")}),
    ("SOURCE_LABELS", SOURCE_LABELS, {"visit": ("拜访", "Visit"), "market": ("市场", "Market"), "reaction": ("客户反馈", "Customer reaction")}),
]


@pytest.mark.parametrize(("name", "choices", "words"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_choice_labels_keep_their_words(name: str, choices: Choices, words: dict[str, tuple[str, str]]) -> None:
    assert isinstance(choices, Choices), name
    assert list(choices) == list(words)
    for key, (zh, en) in words.items():
        assert choices.label(key, "zh_CN") == zh
        assert choices.label(key, "en") == en
        with use_lang("en"):
            assert str(choices[key]) == en
