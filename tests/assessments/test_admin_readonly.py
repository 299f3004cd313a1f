"""The admin cannot rewrite an assessment: values, scores and history are read-only there, and
nothing with history can be deleted (it would take its history with it)."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django.test import Client

from opendti.accounts.models import User
from opendti.appraisal.models import Decision
from opendti.assessments.models import Change, InputValue, Submission
from opendti.periods.models import Period
from opendti.publication.demo import APPRAISAL_PERIOD, demo_load_all
from opendti.results.demo import WORKBOOKS, demo_load
from opendti.results.exchange import PeriodExists, period_import_workbook
from tests.login import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted() -> Submission:
    """A submitted 2025 submission of the demo (in appraisal: decisions, history)."""
    demo_load()
    demo_load_all()
    submission = Submission.objects.get(
        participation__period__code=APPRAISAL_PERIOD, participation__unit__code="xa-hoa-binh"
    )
    assert submission.status == Submission.Status.SUBMITTED
    return submission


def admin_client() -> Client:
    return login(Client(), User.objects.get(username="quantri"))


def test_the_admin_cannot_save_a_value_into_a_submitted_submission(submitted) -> None:
    value = InputValue.objects.filter(submission=submitted).first()
    before_value, before_history = value.value, Change.objects.count()
    client = admin_client()
    url = f"/admin/assessments/submission/{submitted.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200  # shown ...
    assert 'name="values-0-value"' not in page.content.decode()  # ... with nothing to edit
    response = client.post(
        url,
        {
            "participation": submitted.participation_id,
            "status": "submitted",
            "values-TOTAL_FORMS": "1",
            "values-INITIAL_FORMS": "1",
            "values-0-id": value.pk,
            "values-0-submission": submitted.pk,
            "values-0-node": value.node_id,
            "values-0-input_name": value.input_name,
            "values-0-value": "999",
        },
    )
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.value == before_value and Change.objects.count() == before_history


@pytest.mark.parametrize(
    "path",
    [
        "assessments/submission/{submission}/delete/",
        "appraisal/decision/{decision}/change/",
        "appraisal/decision/{decision}/delete/",
        "periods/periodtransition/{transition}/delete/",
        "results/resultrun/add/",
        "periods/reviewerassignment/add/",
    ],
)
def test_domain_data_cannot_be_changed_or_deleted_in_the_admin(submitted, path) -> None:
    decision = Decision.objects.filter(submission=submitted).first()
    transition = submitted.participation.period.transitions.first()
    url = "/admin/" + path.format(
        submission=submitted.pk, decision=decision.pk, transition=transition.pk
    )
    counts = (Submission.objects.count(), Decision.objects.count(), Change.objects.count())
    assert admin_client().post(url, {"post": "yes"}).status_code == 403
    assert (Submission.objects.count(), Decision.objects.count(), Change.objects.count()) == counts


def test_deleting_a_submission_with_history_is_refused(submitted) -> None:
    assert Change.objects.filter(submission=submitted).exists()
    counts = (Change.objects.count(), Decision.objects.count())
    with pytest.raises(ProtectedError):
        submitted.delete()
    with pytest.raises(ProtectedError):
        submitted.participation.delete()
    with pytest.raises(ProtectedError):  # the period with everything under it
        Period.objects.get(code=APPRAISAL_PERIOD).delete()
    assert (Change.objects.count(), Decision.objects.count()) == counts


def test_decisions_are_protected_even_without_value_history(submitted) -> None:
    # A decision alone (no value change recorded) keeps its submission too.
    assert Decision.objects.filter(submission=submitted).exists()
    with pytest.raises(ProtectedError) as raised:
        Submission.objects.filter(pk=submitted.pk).delete()
    assert {type(o).__name__ for o in raised.value.protected_objects} >= {"Change", "Decision"}


def test_replacing_a_period_that_has_history_is_refused_with_the_reason(submitted) -> None:
    with pytest.raises(PeriodExists, match="has recorded history"):
        period_import_workbook(
            path=WORKBOOKS / "synthetic-2025-communes", code=APPRAISAL_PERIOD, replace=True
        )
    assert Submission.objects.filter(pk=submitted.pk).exists()
