"""GET requests change nothing (issue 12): every page of the access matrix read as the
coordinator and as a unit's focal point leaves the row count of every table as it was. (Before,
the dashboard and the workspace made units' submissions inside a GET; a submission now exists
from the moment its unit joins a period.)"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from opendti.assessments.models import Submission
from opendti.periods.models import Participation
from tests.portal import test_access_matrix as matrix

world = matrix.world  # the access matrix's fixture: the demo with every role's data in it

# Tables a read may legitimately write: the session (logging in, the language) and the security
# audit log (a download of data is itself a recorded event: docs/security.md), and the results
# computed for the current revision, kept for every process (docs/performance.md).
EXEMPT = {"sessions.session", "audit.auditevent", "results.storedresult"}


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model._meta.label_lower not in EXEMPT and model._meta.managed
    }


def test_every_participation_has_its_submission(world):
    assert not Participation.objects.filter(submission__isnull=True).exists()
    assert Submission.objects.count() == Participation.objects.count()


@pytest.mark.parametrize("role", ["coordinator", "focal"])
def test_get_pages_change_no_row_count(role, world):
    client = matrix._client(role)
    patterns = matrix.url_names()
    before = _row_counts()
    read = 0
    for name, (method, _codes) in matrix.MATRIX.items():
        if method != "GET" or name not in patterns:
            continue
        response = client.get(reverse(name, kwargs=matrix._kwargs(patterns[name], world)))
        assert response.status_code < 500, name
        read += 1
    after = _row_counts()
    assert read > 40
    assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}
