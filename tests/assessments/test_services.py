"""Writes on a submission: answers with their history, concurrency, who may edit and when,
submission and recall, reopening, carry-over from the previous period, reminders; and who may see
a submission at all."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from opendti.assessments.access import access_submission
from opendti.assessments.forms import input_field
from opendti.assessments.models import (
    Answer,
    Change,
    Evidence,
    EvidenceLink,
    InputValue,
    Submission,
)
from opendti.assessments.services import (
    Conflict,
    Field,
    answer_confirm,
    answer_save,
    index_assign,
    submission_carry_over,
    submission_recall,
    submission_remind,
    submission_reopen,
    submission_submit,
)
from opendti.frameworks.models import InputSpec
from opendti.notifications.models import Notification
from opendti.numbers import Notation

from .conftest import OPEN, OTHER_UNIT, PREVIOUS, UNIT

LOCKED = "Đã hết hạn tự đánh giá: phiếu đã khóa."
SUBMITTED = "Phiếu đã được gửi; lãnh đạo đơn vị cần thu hồi trước khi sửa."
NOT_ALLOWED = "Bạn không có quyền thực hiện thao tác này."
TODAY = timezone.localdate


def values(submission: Submission, code: str) -> dict[str, str]:
    return dict(
        InputValue.objects.filter(submission=submission, node__code=code).values_list(
            "input_name", "value"
        )
    )


def version(submission: Submission, code: str) -> int:
    answer = Answer.objects.filter(submission=submission, node__code=code).first()
    return answer.version if answer else 0


def counts(submission: Submission) -> tuple[int, int, int]:
    return (
        InputValue.objects.filter(submission=submission).count(),
        Change.objects.filter(submission=submission).count(),
        sum(Answer.objects.filter(submission=submission).values_list("version", flat=True)),
    )


def save(submission, node, raw, actor, **extra) -> Answer:
    return answer_save(
        submission=submission,
        node=node,
        raw=raw,
        version=version(submission, node.code),
        actor=actor,
        **extra,
    )


def denied_message(excinfo: pytest.ExceptionInfo[PermissionDenied]) -> str:
    return str(excinfo.value)


# --- typed values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "stored"),
    [
        ("1.2", "12,5", "12.5"),  # Vietnamese decimal comma
        ("1.2", "1.234,5", "1234.5"),  # dots group thousands when a comma is the decimal mark
        ("1.2", "1 234,5", "1234.5"),
        ("1.2", "1\u00a0234", "1234"),  # a non-breaking space, as pasted from a spreadsheet
        ("1.2", "7", "7"),
        ("1.2", "10", "10"),  # not 1E+1
        ("1.2", "0,50", "0.5"),
        ("4.1", " 82,0 ", "82"),
        ("1.1", "Có", "yes"),
        ("1.1", "CÓ", "yes"),
        ("1.1", "không", "no"),
        ("1.1", "Khong", "no"),
        ("1.1", "yes", "yes"),
        ("1.1", unicodedata.normalize("NFD", "Có"), "yes"),  # decomposed, as some keyboards type
        ("1.3", "Một phần", "Một phần"),
        ("1.3", unicodedata.normalize("NFD", "Đầy đủ"), "Đầy đủ"),
    ],
)
def test_answer_save_stores_the_canonical_value(submission, node, demo, code, raw, stored):
    save(submission, node(code), {"": raw}, demo.daumoi)
    assert values(submission, code) == {"": stored}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("2025-03-15", "2025-03-15"), (" 2025-03-05 ", "2025-03-05"), ("20250315", "2025-03-15")],
)
def test_date_inputs_are_stored_as_iso_dates(submission, node, demo, raw, stored):
    indicator = node("1.2")
    indicator.inputs.update(type=InputSpec.Type.DATE, min_value=None)
    save(submission, node("1.2"), {"": raw}, demo.daumoi)
    assert values(submission, "1.2") == {"": stored}


@pytest.mark.parametrize(
    ("type_", "choices", "raw", "message"),
    [
        ("number", [], "mười", "Số buổi: “mười” không phải là số."),
        ("number", [], "1,2,3", "Số buổi: “1,2,3” không phải là số."),
        ("number", [], "NaN", "Số buổi: “NaN” không phải là số."),
        ("percent", [], "Infinity", "Số buổi: “Infinity” không phải là số."),
        ("number", [], "1e999999", "Số buổi: “1e999999” không phải là số."),
        (
            "number",
            [],
            "1.234",
            "Số buổi: “1.234” có hai cách hiểu: 1234 hoặc 1,234. Hãy nhập lại theo đúng một "
            "trong hai cách viết đó (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần thập "
            "phân).",
        ),
        (
            "number",
            [],
            "12.5",
            "Số buổi: “12.5” viết chưa đúng cách (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước "
            "phần thập phân). Có phải là 125 hay 12,5?",
        ),
        (
            "integer",
            [],
            "12,5",
            "Số buổi: “12,5” không phải là số nguyên (số đếm không có phần lẻ).",
        ),
        (
            "number",
            [],
            "1" * 16,
            "Số buổi: “1111111111111111” quá lớn (phần nguyên tối đa 15 chữ số).",
        ),
        ("yesno", [], "có lẽ", "Số buổi: chọn Có hoặc Không."),
        ("choice", ["A", "B"], "C", "Số buổi: “C” không thuộc các lựa chọn (A | B)."),
        (
            "date",
            [],
            "15.03.2025",
            "Số buổi: “15.03.2025” không phải là ngày (ngày/tháng/năm hoặc YYYY-MM-DD).",
        ),
        (
            "date",
            [],
            "2025-02-30",
            "Số buổi: “2025-02-30” không phải là ngày (ngày/tháng/năm hoặc YYYY-MM-DD).",
        ),
    ],
)
def test_invalid_value_names_the_field(type_, choices, raw, message):
    field = Field("", "Số buổi", type_, "", None, None, choices)
    with pytest.raises(ValidationError) as excinfo:
        input_field(field, Notation.VI).clean(raw)
    assert excinfo.value.messages == [message]


@pytest.mark.parametrize(
    ("type_", "low", "high", "raw", "message"),
    [
        ("integer", 0, None, "-3", "Số buổi: không được là số âm (đã nhập -3)."),
        ("percent", 0, 100, "150", "Số buổi: tỷ lệ phải từ 0% đến 100% (đã nhập 150%)."),
        ("percent", 0, 100, "100,5%", "Số buổi: tỷ lệ phải từ 0% đến 100% (đã nhập 100,5%)."),
        ("number", 5, 10, "4,5", "Số buổi: 4,5 nhỏ hơn giới hạn dưới 5."),
        ("number", None, 1000, "1.000,5", "Số buổi: 1.000,5 lớn hơn giới hạn trên 1.000."),
    ],
)
def test_values_outside_their_bounds_name_the_field(type_, low, high, raw, message):
    bound = {"min": None if low is None else Decimal(low), "max": None}
    bound["max"] = None if high is None else Decimal(high)
    field = Field("", "Số buổi", type_, "", bound["min"], bound["max"], [])
    with pytest.raises(ValidationError) as excinfo:
        input_field(field, Notation.VI).clean(raw)
    assert excinfo.value.messages == [message]


def test_date_inputs_take_the_vietnamese_order_too(submission, node, demo):
    node("1.2").inputs.update(type=InputSpec.Type.DATE, min_value=None)
    save(submission, node("1.2"), {"": "15/03/2025"}, demo.daumoi)
    assert values(submission, "1.2") == {"": "2025-03-15"}


@pytest.mark.parametrize(
    ("code", "raw", "named"),
    [
        ("1.2", {"": "năm"}, "“năm” không phải là số"),
        ("1.1", {"": "chắc có"}, "chọn Có hoặc Không"),
        ("1.3", {"": "Gần đủ"}, "“Gần đủ” không thuộc các lựa chọn"),
        (
            "2.2",
            {"numerator": "30", "denominator": "bốn mươi"},
            "Tổng số nhiệm vụ của kế hoạch: “bốn mươi”",
        ),
        ("2.2", {"numerator": "ba", "denominator": "40"}, "Số nhiệm vụ đã hoàn thành: “ba”"),
    ],
)
def test_invalid_input_writes_nothing(submission, node, demo, code, raw, named):
    save(submission, node("1.2"), {"": "3"}, demo.daumoi)  # something there already
    before = counts(submission)
    with pytest.raises(ValidationError) as excinfo:
        save(submission, node(code), raw, demo.daumoi)
    assert any(named in message for message in excinfo.value.messages)
    assert counts(submission) == before
    assert values(submission, "1.2") == {"": "3"}


def test_one_bad_input_of_two_writes_neither(submission, node, demo):
    with pytest.raises(ValidationError):
        save(submission, node("2.2"), {"numerator": "30", "denominator": "x"}, demo.daumoi)
    assert values(submission, "2.2") == {}
    assert version(submission, "2.2") == 0


def test_unknown_input_and_other_sources_are_refused(submission, node, demo):
    with pytest.raises(ValidationError):
        save(submission, node("1.2"), {"hacked": "1"}, demo.daumoi)
    for code in ("4.2", "6.1"):  # reviewer-only and auto-measured
        with pytest.raises(ValidationError):
            save(submission, node(code), {"": "10"}, demo.daumoi)
    assert counts(submission) == (0, 0, 0)


# --- concurrency and history ---------------------------------------------------------------------


def test_stale_version_raises_conflict_and_writes_nothing(submission, node, demo):
    indicator = node("2.2")
    first = answer_save(
        submission=submission,
        node=indicator,
        raw={"numerator": "30", "denominator": "42"},
        version=0,
        actor=demo.daumoi,
    )
    assert first.version == 1
    before = counts(submission)
    with pytest.raises(Conflict) as excinfo:
        answer_save(
            submission=submission,
            node=indicator,
            raw={"numerator": "31", "denominator": "42"},
            version=0,  # loaded before the first save
            actor=demo.daumoi,
            note="của tôi",
        )
    conflict = excinfo.value
    assert conflict.theirs == {"numerator": "30", "denominator": "42"}
    assert conflict.yours == {"numerator": "31", "denominator": "42"}
    assert conflict.answer.version == 1
    assert counts(submission) == before
    assert values(submission, "2.2") == {"numerator": "30", "denominator": "42"}
    assert Answer.objects.get(submission=submission, node=indicator).note == ""


def test_conflict_on_a_never_saved_indicator_leaves_no_answer(submission, node, demo):
    with pytest.raises(Conflict):
        answer_save(
            submission=submission, node=node("1.2"), raw={"": "3"}, version=5, actor=demo.daumoi
        )
    assert not Answer.objects.filter(submission=submission).exists()
    assert counts(submission) == (0, 0, 0)


def test_each_changed_input_writes_a_history_row(submission, node, demo):
    indicator = node("2.2")
    save(submission, indicator, {"numerator": "30", "denominator": "42"}, demo.daumoi)
    save(
        submission,
        indicator,
        {"numerator": "32", "denominator": "42"},
        demo.daumoi,
        reason="sửa theo báo cáo quý IV",
    )
    rows = list(
        Change.objects.filter(submission=submission, node=indicator)
        .order_by("pk")
        .values_list("kind", "field", "before", "after", "actor__username", "reason")
    )
    assert rows == [
        ("value", "numerator", "", "30", "daumoi", ""),
        ("value", "denominator", "", "42", "daumoi", ""),
        ("value", "numerator", "30", "32", "daumoi", "sửa theo báo cáo quý IV"),
    ]
    assert version(submission, "2.2") == 2


def test_saving_the_same_values_again_records_nothing(submission, node, demo):
    save(submission, node("1.2"), {"": "3"}, demo.daumoi)
    save(submission, node("1.2"), {"": "3,0"}, demo.daumoi)
    assert Change.objects.filter(submission=submission).count() == 1


def test_clearing_a_value_deletes_it_and_records_it(submission, node, demo):
    indicator = node("2.2")
    save(submission, indicator, {"numerator": "30", "denominator": "42"}, demo.daumoi)
    save(submission, indicator, {"numerator": "", "denominator": "42"}, demo.daumoi)
    assert values(submission, "2.2") == {"denominator": "42"}
    last = Change.objects.filter(submission=submission).order_by("-pk").first()
    assert (last.field, last.before, last.after) == ("numerator", "30", "")


def test_estimate_flag_and_note_changes_are_recorded(submission, node, demo):
    indicator = node("1.2")
    save(submission, indicator, {"": "3"}, demo.daumoi, is_estimate=True, note="Ước tính")
    answer = Answer.objects.get(submission=submission, node=indicator)
    assert answer.is_estimate and answer.note == "Ước tính"
    save(submission, indicator, {"": "3"}, demo.daumoi, is_estimate=False, note="Đã đối chiếu")
    rows = list(
        Change.objects.filter(submission=submission, node=indicator)
        .order_by("pk")
        .values_list("kind", "field", "before", "after")
    )
    assert rows == [
        ("value", "", "", "3"),  # the input has no name: a single-input indicator
        ("flag", "is_estimate", "no", "yes"),  # codes: the reader's language names them
        ("value", "note", "", "Ước tính"),
        ("flag", "is_estimate", "yes", "no"),
        ("value", "note", "Ước tính", "Đã đối chiếu"),
    ]


# --- who may edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lanhdao", "daumoi2", "lanhdao2", "dieuphoi", "thamdinh"])
def test_only_the_focal_point_edits(submission, node, demo, who):
    with pytest.raises(PermissionDenied) as excinfo:
        save(submission, node("1.2"), {"": "3"}, getattr(demo, who))
    assert denied_message(excinfo) == NOT_ALLOWED
    assert counts(submission) == (0, 0, 0)
    save(submission, node("1.2"), {"": "3"}, demo.daumoi)
    assert values(submission, "1.2") == {"": "3"}


def test_contributor_edits_only_the_index_handed_to_him(submission, node, demo, contributor):
    with pytest.raises(PermissionDenied):
        save(submission, node("1.2"), {"": "3"}, contributor)
    index_assign(submission=submission, node=node("1"), user=contributor, actor=demo.daumoi)
    assign = Change.objects.get(submission=submission, kind=Change.Kind.ASSIGNMENT)
    assert (assign.after, assign.actor) == (str(contributor), demo.daumoi)

    save(submission, node("1.2"), {"": "3"}, contributor)
    assert values(submission, "1.2") == {"": "3"}
    with pytest.raises(PermissionDenied):
        save(submission, node("2.2"), {"numerator": "1", "denominator": "2"}, contributor)
    assert values(submission, "2.2") == {}

    index_assign(submission=submission, node=node("1"), user=None, actor=demo.daumoi)
    with pytest.raises(PermissionDenied):
        save(submission, node("1.2"), {"": "4"}, contributor)


def test_only_the_focal_point_hands_over_main_indices(submission, node, demo, contributor):
    with pytest.raises(PermissionDenied):
        index_assign(submission=submission, node=node("1"), user=contributor, actor=demo.lanhdao)
    with pytest.raises(ValidationError):
        index_assign(submission=submission, node=node("1.2"), user=contributor, actor=demo.daumoi)
    with pytest.raises(ValidationError):  # not one of the unit's people
        index_assign(submission=submission, node=node("1"), user=demo.daumoi2, actor=demo.daumoi)


def test_editing_is_locked_after_the_deadline(submission, node, demo, close_phase, reload):
    save(submission, node("1.2"), {"": "3"}, demo.daumoi)
    close_phase()
    before = counts(submission)
    with pytest.raises(PermissionDenied) as excinfo:
        save(reload(submission), node("1.2"), {"": "4"}, demo.daumoi)
    assert denied_message(excinfo) == LOCKED
    assert counts(submission) == before


def test_editing_is_locked_once_submitted(submission, node, demo, reload):
    submission_submit(submission=submission, actor=demo.lanhdao, blocking=0)
    with pytest.raises(PermissionDenied) as excinfo:
        save(reload(submission), node("1.2"), {"": "4"}, demo.daumoi)
    assert denied_message(excinfo) == SUBMITTED
    assert values(submission, "1.2") == {}


# --- submit, recall, reopen ------------------------------------------------------------------------


def status_changes(submission) -> list[tuple[str, str, str, str, str]]:
    return list(
        Change.objects.filter(submission=submission, kind=Change.Kind.STATUS)
        .order_by("pk")
        .values_list("field", "before", "after", "actor__username", "reason")
    )


@pytest.mark.parametrize("who", ["daumoi", "lanhdao2", "dieuphoi"])
def test_only_the_unit_leader_submits(submission, demo, reload, who):
    with pytest.raises(PermissionDenied):
        submission_submit(submission=submission, actor=getattr(demo, who), blocking=0)
    assert reload(submission).status == Submission.Status.DRAFT
    assert status_changes(submission) == []


def test_submit_is_refused_while_errors_remain(submission, demo, reload):
    with pytest.raises(ValidationError) as excinfo:
        submission_submit(submission=submission, actor=demo.lanhdao, blocking=3)
    assert excinfo.value.messages == ["Còn 3 lỗi phải sửa trước khi gửi."]
    assert reload(submission).status == Submission.Status.DRAFT
    assert status_changes(submission) == []


def test_submit_records_who_and_when(submission, demo, reload):
    submission_submit(submission=submission, actor=demo.lanhdao, blocking=0)
    stored = reload(submission)
    assert stored.status == Submission.Status.SUBMITTED
    assert stored.submitted_by == demo.lanhdao
    assert abs(stored.submitted_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert status_changes(submission) == [("status", "draft", "submitted", "lanhdao", "")]
    with pytest.raises(ValidationError):  # not twice
        submission_submit(submission=stored, actor=demo.lanhdao, blocking=0)


def test_recall_before_the_deadline_returns_to_draft(submission, node, demo, reload):
    submission_submit(submission=submission, actor=demo.lanhdao, blocking=0)
    with pytest.raises(PermissionDenied):
        submission_recall(submission=reload(submission), actor=demo.daumoi, reason="sửa")
    submission_recall(
        submission=reload(submission), actor=demo.lanhdao, reason="Bổ sung số liệu chỉ số 2.2"
    )
    assert reload(submission).status == Submission.Status.DRAFT
    assert status_changes(submission)[-1] == (
        "status",
        "submitted",
        "draft",
        "lanhdao",
        "Bổ sung số liệu chỉ số 2.2",
    )
    save(reload(submission), node("1.2"), {"": "4"}, demo.daumoi)  # editable again
    assert values(submission, "1.2") == {"": "4"}


def test_after_the_deadline_submit_and_recall_are_refused(submission, demo, close_phase, reload):
    submission_submit(submission=submission, actor=demo.lanhdao, blocking=0)
    close_phase()
    with pytest.raises(PermissionDenied) as excinfo:
        submission_recall(submission=reload(submission), actor=demo.lanhdao, reason="muộn")
    assert denied_message(excinfo) == LOCKED
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.DRAFT)
    with pytest.raises(PermissionDenied) as excinfo:
        submission_submit(submission=reload(submission), actor=demo.lanhdao, blocking=0)
    assert denied_message(excinfo) == LOCKED


@pytest.mark.parametrize("who", ["daumoi", "lanhdao", "thamdinh", "pheduyet"])
def test_only_the_coordinator_reopens(submission, demo, close_phase, reload, who):
    close_phase()
    with pytest.raises(PermissionDenied):
        submission_reopen(
            submission=reload(submission), actor=getattr(demo, who), until=TODAY(), reason="x"
        )
    assert reload(submission).reopened_until is None


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_requires_a_reason(submission, demo, close_phase, reload, reason):
    close_phase()
    with pytest.raises(ValidationError):
        submission_reopen(
            submission=reload(submission), actor=demo.dieuphoi, until=TODAY(), reason=reason
        )
    assert reload(submission).reopened_until is None
    assert status_changes(submission) == []


def test_reopen_to_a_past_date_is_refused(submission, demo, reload):
    yesterday = TODAY() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        submission_reopen(
            submission=reload(submission), actor=demo.dieuphoi, until=yesterday, reason="x"
        )
    assert reload(submission).reopened_until is None


def test_reopen_opens_editing_until_the_date(submission, node, demo, close_phase, reload):
    submission_submit(submission=submission, actor=demo.lanhdao, blocking=0)
    close_phase()
    until = TODAY() + datetime.timedelta(days=3)
    reason = "Đơn vị bị ảnh hưởng bởi bão, gia hạn theo văn bản số 12/STTTT"
    submission_reopen(
        submission=reload(submission), actor=demo.dieuphoi, until=until, reason=reason
    )
    stored = reload(submission)
    assert stored.reopened_until == until
    assert stored.status == Submission.Status.DRAFT
    assert status_changes(submission)[-2:] == [
        ("reopened_until", "", until.isoformat(), "dieuphoi", reason),
        ("status", "submitted", "draft", "dieuphoi", reason),
    ]
    save(stored, node("1.2"), {"": "4"}, demo.daumoi)
    assert values(submission, "1.2") == {"": "4"}
    submission_submit(submission=reload(submission), actor=demo.lanhdao, blocking=0)
    assert reload(submission).status == Submission.Status.SUBMITTED

    # Once the date has passed, the submission is locked again.
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.DRAFT, reopened_until=TODAY() - datetime.timedelta(days=1)
    )
    with pytest.raises(PermissionDenied) as excinfo:
        save(reload(submission), node("1.2"), {"": "5"}, demo.daumoi)
    assert denied_message(excinfo) == LOCKED


# --- carry-over from the previous period ----------------------------------------------------------


def previous_submission() -> Submission:
    return Submission.objects.get(
        participation__period__code=PREVIOUS, participation__unit__code=UNIT
    )


def test_carry_over_copies_last_years_values(submission, demo, reload):
    source = previous_submission()
    copied = submission_carry_over(submission=submission, actor=demo.daumoi)

    own = {
        (code, name): value
        for code, name, value in InputValue.objects.filter(
            submission=source, node__source="self"
        ).values_list("node__code", "input_name", "value")
    }
    assert len(own) > 20
    now = {
        (code, name): value
        for code, name, value in InputValue.objects.filter(submission=submission).values_list(
            "node__code", "input_name", "value"
        )
    }
    assert now == own  # reviewer-only 4.2 and auto-measured 6.1 stay behind
    assert ("4.2", "") not in now and ("6.1", "") not in now
    assert now[("2.2", "numerator")] == "30" and now[("2.2", "denominator")] == "42"
    assert copied == len({code for code, _ in own})
    answers = Answer.objects.filter(submission=submission)
    assert answers.count() == copied
    assert all(a.carried_over for a in answers)
    assert reload(submission).carried_from == source
    history = Change.objects.filter(submission=submission, kind=Change.Kind.VALUE)
    assert history.count() == len(own)
    assert {c.actor for c in history} == {demo.daumoi}
    # The previous period's submission is not touched.
    assert InputValue.objects.filter(submission=source).count() > len(own)


def test_carry_over_copies_evidence_and_its_links(submission, node, demo):
    source = previous_submission()
    plan = Evidence.objects.create(
        submission=source,
        kind=Evidence.Kind.DOCUMENT,
        title="Kế hoạch 15/KH-UBND",
        doc_number="15/KH-UBND",
        doc_date=datetime.date(2025, 1, 20),
    )
    for code in ("1.1", "2.1"):
        EvidenceLink.objects.create(evidence=plan, node=node(code))

    submission_carry_over(submission=submission, actor=demo.daumoi)

    copy = Evidence.objects.get(submission=submission)
    assert copy.pk != plan.pk
    assert (copy.title, copy.doc_number, copy.doc_date) == (
        plan.title,
        plan.doc_number,
        plan.doc_date,
    )
    assert copy.carried_over
    assert set(copy.links.values_list("node__code", flat=True)) == {"1.1", "2.1"}
    assert set(plan.links.values_list("node__code", flat=True)) == {"1.1", "2.1"}
    links = Change.objects.filter(submission=submission, kind=Change.Kind.EVIDENCE)
    assert sorted(links.values_list("node__code", "after")) == [
        ("1.1", "Kế hoạch 15/KH-UBND"),
        ("2.1", "Kế hoạch 15/KH-UBND"),
    ]


def test_carry_over_is_refused_once_the_submission_has_values(submission, node, demo):
    save(submission, node("1.2"), {"": "9"}, demo.daumoi)
    before = counts(submission)
    with pytest.raises(ValidationError):
        submission_carry_over(submission=submission, actor=demo.daumoi)
    assert counts(submission) == before
    assert values(submission, "1.2") == {"": "9"}
    assert not Evidence.objects.filter(submission=submission).exists()


def test_carry_over_needs_the_focal_point(submission, demo):
    with pytest.raises(PermissionDenied):
        submission_carry_over(submission=submission, actor=demo.lanhdao)
    assert counts(submission) == (0, 0, 0)


def test_confirming_a_carried_over_answer_clears_the_mark(submission, node, demo):
    submission_carry_over(submission=submission, actor=demo.daumoi)
    indicator = node("1.2")
    before = version(submission, "1.2")
    answer_confirm(submission=submission, node=indicator, actor=demo.daumoi)
    answer = Answer.objects.get(submission=submission, node=indicator)
    assert not answer.carried_over
    assert answer.version == before + 1
    row = Change.objects.filter(submission=submission, node=indicator).order_by("-pk").first()
    assert (row.kind, row.field, row.after, row.actor) == (
        "flag",
        "carried_over",
        "confirmed",
        demo.daumoi,
    )
    # Confirming again changes nothing and records nothing.
    count = Change.objects.filter(submission=submission).count()
    answer_confirm(submission=submission, node=indicator, actor=demo.daumoi)
    assert Change.objects.filter(submission=submission).count() == count
    # The other carried-over answers keep their mark.
    assert Answer.objects.get(submission=submission, node=node("2.2")).carried_over


def test_saving_a_carried_over_answer_confirms_it(submission, node, demo):
    submission_carry_over(submission=submission, actor=demo.daumoi)
    save(submission, node("1.2"), {"": "2"}, demo.daumoi)
    assert not Answer.objects.get(submission=submission, node=node("1.2")).carried_over
    assert Change.objects.filter(
        submission=submission, node=node("1.2"), field="carried_over"
    ).exists()


# --- reminders --------------------------------------------------------------------------------------


def test_reminder_reaches_everyone_in_the_site_and_by_mail_those_with_an_address(
    submission, demo, contributor, django_capture_on_commit_callbacks
):
    for user, email in [
        (demo.daumoi, "daumoi@hoabinh.example.vn"),
        (contributor, "phoihop@hoabinh.example.vn"),
        (demo.daumoi2, "daumoi2@tanlap.example.vn"),  # another unit
    ]:
        user.email = email
        user.save(update_fields=["email"])
    # lanhdao has no email address: told in the site, and named to the coordinator.
    with django_capture_on_commit_callbacks(execute=True):
        sent = submission_remind(submission=submission, actor=demo.dieuphoi)
    assert {u.username for u in sent.notified} == {"daumoi", "lanhdao", contributor.username}
    assert [u.username for u in sent.without_email] == ["lanhdao"]
    assert sent.emailed == 2
    notices = Notification.objects.filter(kind=Notification.Kind.DEADLINE)
    assert sorted(notices.values_list("user__username", flat=True)) == sorted(
        ["daumoi", "lanhdao", contributor.username]
    )
    assert notices.first().url == f"/ky/{OPEN}/don-vi/{UNIT}/"
    # One message per person, so nobody sees a colleague's address.
    assert sorted(m.to for m in mail.outbox) == [
        ["daumoi@hoabinh.example.vn"],
        ["phoihop@hoabinh.example.vn"],
    ]
    message = mail.outbox[0]
    assert "UBND xã Hòa Bình" in message.subject and message.subject.startswith("[OpenDTI] ")
    row = Change.objects.get(submission=submission, kind=Change.Kind.REMINDER)
    assert row.actor == demo.dieuphoi
    assert row.after == "daumoi@hoabinh.example.vn, phoihop@hoabinh.example.vn"
    assert row.reason in message.body


def test_reminder_without_addresses_still_reaches_people_in_the_site(submission, demo):
    sent = submission_remind(submission=submission, actor=demo.dieuphoi)
    assert sent.emailed == 0 and len(sent.notified) == len(sent.without_email) >= 2
    assert mail.outbox == []
    assert Notification.objects.filter(user=demo.lanhdao).count() == 1
    assert Change.objects.filter(submission=submission, kind=Change.Kind.REMINDER).count() == 1


@pytest.mark.parametrize("who", ["daumoi", "lanhdao", "thamdinh"])
def test_only_the_coordinator_reminds(submission, demo, who):
    demo.daumoi.email = "daumoi@hoabinh.example.vn"
    demo.daumoi.save(update_fields=["email"])
    with pytest.raises(PermissionDenied):
        submission_remind(submission=submission, actor=getattr(demo, who))
    assert mail.outbox == []
    assert not Change.objects.filter(submission=submission).exists()


# --- who may see a submission ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["daumoi", "lanhdao", "dieuphoi", "quantri"])
def test_members_and_the_coordinator_see_the_submission(demo, who):
    found = access_submission(getattr(demo, who), OPEN, UNIT)
    assert found.participation.unit.code == UNIT
    assert found.participation.period.code == OPEN


@pytest.mark.parametrize(
    "who", ["daumoi2", "lanhdao2", "thamdinh", "pheduyet", "tichhop", "anonymous"]
)
def test_everyone_else_gets_404(demo, who):
    user = AnonymousUser() if who == "anonymous" else getattr(demo, who)
    with pytest.raises(Http404):
        access_submission(user, OPEN, UNIT)


def test_inactive_member_gets_404(demo):
    demo.daumoi.is_active = False
    demo.daumoi.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        access_submission(demo.daumoi, OPEN, UNIT)


@pytest.mark.parametrize(("period", "unit"), [("khong-co", UNIT), (OPEN, "khong-co")])
def test_missing_period_or_unit_gets_404_like_a_hidden_one(demo, period, unit):
    with pytest.raises(Http404):
        access_submission(demo.dieuphoi, period, unit)


def test_each_unit_sees_its_own(demo):
    assert access_submission(demo.daumoi2, OPEN, OTHER_UNIT).participation.unit.code == OTHER_UNIT
    with pytest.raises(Http404):
        access_submission(demo.daumoi, OPEN, OTHER_UNIT)
