"""The portal's posted forms read what people type: a score in Vietnamese notation, a date as the
date input or as dd/mm/yyyy; what does not apply to the choice made is not read at all."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opendti.portal.forms import ApprovalForm, DecisionForm, ObjectionAnswerForm, ReopenForm


def test_a_reviewers_score_is_read_in_vietnamese() -> None:
    data = DecisionForm({"kind": "adjust", "score": "45,5", "reason": "Thiếu"}).checked()
    assert data["score"] == Decimal("45.5") and data["due_on"] is None
    with pytest.raises(ValidationError) as refused:
        DecisionForm({"kind": "adjust", "score": "45.50"}).checked()
    assert refused.value.messages == [
        "Điểm: “45.50” viết chưa đúng cách (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần "
        "thập phân). Có phải là 4550 hay 45,5?"
    ]


def test_what_does_not_apply_to_the_decision_is_not_read() -> None:
    data = DecisionForm({"kind": "accept", "score": "rác", "due_on": "không"}).checked()
    assert data["score"] is None and data["due_on"] is None
    request = DecisionForm({"kind": "request", "reason": "Bổ sung", "due_on": "15/03/2026"})
    assert request.checked()["due_on"] == datetime.date(2026, 3, 15)
    with pytest.raises(ValidationError, match="Chọn chấp nhận, điều chỉnh"):
        DecisionForm({"kind": "xoá"}).checked()


def test_an_objection_answer_reads_the_score_only_when_upheld() -> None:
    upheld = ObjectionAnswerForm({"verdict": "upheld", "answer": "Đồng ý", "score": "1.000"})
    with pytest.raises(ValidationError, match="có hai cách hiểu"):
        upheld.checked()
    rejected = ObjectionAnswerForm({"verdict": "rejected", "answer": "Không", "score": "1.000"})
    assert rejected.checked()["score"] is None
    with pytest.raises(ValidationError, match=r"Chọn chấp nhận hoặc không chấp nhận ý kiến\."):
        ObjectionAnswerForm({"answer": "?"}).checked()


def test_the_approval_needs_its_decision_date() -> None:
    with pytest.raises(ValidationError, match=r"Nhập ngày quyết định\."):
        ApprovalForm({"decision_number": "15/QĐ-UBND", "signer": "Chủ tịch"}).checked()
    with pytest.raises(ValidationError, match="Ngày quyết định phải có dạng"):
        ApprovalForm({"decision_date": "2026-02-30"}).checked()
    data = ApprovalForm({"decision_number": "15/QĐ-UBND", "decision_date": "02/03/2026"}).checked()
    assert data["decision_date"] == datetime.date(2026, 3, 2)


def test_reopening_reads_its_date_and_bounds_the_reason() -> None:
    assert ReopenForm({"until": "2026-04-01", "reason": "Bổ sung"}).checked()["until"] == (
        datetime.date(2026, 4, 1)
    )
    with pytest.raises(ValidationError):
        ReopenForm({"reason": "x" * 5001}).checked()
