"""Choice labels: the words users saw before the labels moved to the catalogs, in both languages."""

from __future__ import annotations

import pytest

from addons.crm_cards.models import (
    CARD_STATE,
    CLASS_LABELS,
    CLASS_SOURCE,
    DOCUMENT_KIND,
    KEY_ACCOUNT_STATUS,
    MONTHLY_STATE,
    PROPOSAL_STATE,
)
from core.i18n import Choices, use_lang

EXPECTED = [
    ("CLASS_LABELS", CLASS_LABELS, {"A": ("A类客户", "Class A"), "B": ("B类客户", "Class B"), "C": ("C类客户", "Class C"), "D": ("D类客户", "Class D")}),
    ("CARD_STATE", CARD_STATE, {"draft": ("草稿", "Draft"), "submitted": ("待片区经理审批", "Waiting for the territory manager"), "submitted_key": ("待营销总监审批", "Waiting for the director"), "approved": ("已批准", "Approved"), "rejected": ("已退回", "Rejected")}),
    ("MONTHLY_STATE", MONTHLY_STATE, {"draft": ("草稿", "Draft"), "submitted": ("待审阅", "Waiting for review"), "reviewed": ("已审阅", "Reviewed"), "returned": ("已退回", "Returned")}),
    ("PROPOSAL_STATE", PROPOSAL_STATE, {"submitted": ("待营销总监审批", "Waiting for the director"), "approved": ("已批准", "Approved"), "rejected": ("已否决", "Rejected")}),
    ("KEY_ACCOUNT_STATUS", KEY_ACCOUNT_STATUS, {"candidate": ("候选", "Candidate"), "key": ("关键客户", "Key account"), "dropped": ("已放弃", "Dropped")}),
    ("CLASS_SOURCE", CLASS_SOURCE, {"manual": ("手工设定", "Set by hand"), "review": ("定期评审", "Periodic review")}),
    ("DOCUMENT_KIND", DOCUMENT_KIND, {"contract": ("合同", "Contract"), "tech_agreement": ("技术协议", "Technical agreement"), "supply_application": ("配套申请书", "Supply application"), "test_report": ("试验报告", "Test report"), "certificate": ("认证证书", "Certificate"), "visit_report": ("拜访记录", "Visit report"), "other": ("其他", "Other")}),
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
