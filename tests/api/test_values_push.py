"""Integrators push auto-measured values: only inside their token's scope, only for indicators
marked auto, never before self-assessment starts; nothing is written when refused. A pushed value
shows in the unit's workspace as measured (with its time and source), is not editable there, and
moves the engine's score."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from opendti.api.models import IntegratorToken
from opendti.assessments.models import Answer, Change, InputValue
from opendti.periods.models import Phase
from opendti.portal import history_text
from opendti.results.demo import OPEN_PERIOD
from tests.results.fresh import period_score

from .conftest import API, client_for

BODY = {
    "indicator": "6.1",
    "values": {"": "42.5"},  # a decimal string with a dot (docs/api.md)
    "measured_at": "2026-03-01T08:30:00+07:00",
    "source": "Cổng dịch vụ công tỉnh",
}


def push(secret, *, period=OPEN_PERIOD, unit="xa-hoa-binh", **changes):
    return client_for(secret=secret).post(
        API + f"periods/{period}/units/{unit}/values/",
        {**BODY, **changes},
        content_type="application/json",
    )


def written() -> tuple[int, int]:
    return InputValue.objects.count(), Change.objects.count()


def test_a_scoped_token_writes_an_auto_value_with_history(world, make_token):
    response = push(make_token())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indicator"] == "6.1" and body["values"] == {"": "42.5"}
    assert body["version"] == 1 and body["updated_by"] == "tichhop"
    value = InputValue.objects.get(node__code="6.1", submission__participation__period=world)
    assert value.value == "42.5"
    change = Change.objects.get(node__code="6.1")
    assert change.actor.username == "tichhop" and change.after == "42.5"
    # A code, named in the reader's language when shown.
    assert change.reason.startswith("system:auto_measured|")
    assert history_text.text(change.reason) == (
        "Đo tự động: Cổng dịch vụ công tỉnh, lúc 08:30 01/03/2026"
    )
    # A second push bumps the version again (the workspace's optimistic concurrency holds).
    assert push(make_token(), values={"": "50"}).json()["version"] == 2


@pytest.mark.parametrize(
    ("token", "request_changes", "status"),
    [
        ({"units": ("xa-tan-lap",)}, {}, 403),  # another unit
        ({}, {"unit": "xa-tan-lap"}, 403),  # the same, asked the other way round
        ({"indicators": ("6.2",)}, {}, 403),  # another indicator
        ({"indicators": ("6.1", "1.2")}, {"indicator": "1.2", "values": {"": "3"}}, 403),
        ({"period": "2025-communes"}, {}, 403),  # another period
        ({}, {"period": "2025-communes"}, 403),
        ({}, {"indicator": "no-such"}, 400),
        ({}, {"values": {"wrong": "1"}}, 400),
        ({}, {"values": {"": "abc"}}, 400),
        ({}, {"unit": "no-such-unit"}, 404),
        ({"revoked": True}, {}, 401),
        ({"expires_in": -datetime.timedelta(seconds=1)}, {}, 401),
    ],
    ids=[
        "other-unit",
        "unit-outside-scope",
        "other-indicator",
        "self-reported-indicator",
        "token-of-other-period",
        "other-period",
        "unknown-indicator",
        "unknown-input",
        "not-a-number",
        "unknown-unit",
        "revoked",
        "expired",
    ],
)
def test_writes_outside_the_scope_are_refused_and_nothing_is_written(
    world, make_token, token, request_changes, status
):
    secret = make_token(**token)
    before = written()
    versions = list(Answer.objects.values_list("version", flat=True))
    params = {k: request_changes.pop(k) for k in ("period", "unit") if k in request_changes}
    response = push(secret, **params, **request_changes)
    assert response.status_code == status, response.content
    assert written() == before
    assert list(Answer.objects.values_list("version", flat=True)) == versions


def test_people_cannot_write_through_the_api(world):
    before = written()
    for username, status in (("daumoi", 403), ("dieuphoi", 403), ("daumoi2", 404)):
        response = client_for(username).post(
            API + f"periods/{OPEN_PERIOD}/units/xa-hoa-binh/values/",
            BODY,
            content_type="application/json",
        )
        assert response.status_code == status, username
    url = API + f"periods/{OPEN_PERIOD}/units/xa-hoa-binh/values/"
    assert client_for().post(url).status_code == 401
    assert written() == before


def test_no_write_before_self_assessment_starts(world, make_token):
    Phase.objects.filter(period=world, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=timezone.localdate() + datetime.timedelta(days=3),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    before = written()
    assert push(make_token()).status_code == 403
    assert written() == before


def test_writes_continue_after_the_self_assessment_deadline(world, make_token):
    Phase.objects.filter(period=world, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert push(make_token()).status_code == 200


def test_a_pushed_value_shows_in_the_workspace_and_the_unit_cannot_change_it(world, make_token):
    assert push(make_token()).status_code == 200
    focal = client_for("daumoi")
    page = focal.get(
        reverse("portal:workspace", kwargs={"period": OPEN_PERIOD, "unit": "xa-hoa-binh"})
    ).content.decode()
    article = page[page.index('data-key="2026-communes|xa-hoa-binh|6.1"') :]
    article = article[: article.index("</article>")]
    assert "Số liệu đo tự động" in article and "42,5" in article  # shown as the pages write numbers
    assert "Cổng dịch vụ công tỉnh" in article and "08:30 01/03/2026" in article
    assert "Hệ thống tích hợp" in article  # who pushed it
    assert 'name="v-6.1-"' not in article  # no input to edit
    answer = Answer.objects.get(node__code="6.1", submission__participation__period=world)
    response = focal.post(
        reverse(
            "portal:indicator_save",
            kwargs={"period": OPEN_PERIOD, "unit": "xa-hoa-binh", "code": "6.1"},
        ),
        {"version": str(answer.version), "v-6.1-": "99"},
    )
    assert response.status_code == 422  # refused: "not reported by the unit"
    value = InputValue.objects.get(node__code="6.1", submission__participation__period=world)
    assert value.value == "42.5"


def test_the_value_moves_the_engine_score(world, make_token):
    secret = make_token(units=("xa-hoa-binh", "xa-tan-lap"))
    assert push(secret, unit="xa-tan-lap", values={"": "10"}).status_code == 200
    before = period_score(period=world)[1].unit("xa-hoa-binh").nodes["6.1"]
    assert push(secret, values={"": "90"}).status_code == 200
    after = period_score(period=world)[1].unit("xa-hoa-binh").nodes["6.1"]
    assert after is not None and (before is None or after > before)


def test_the_command_creates_a_scoped_token_and_prints_its_secret_once(world, capsys):
    call_command(
        "create_integrator_token",
        "tichhop",
        "--period",
        OPEN_PERIOD,
        "--units",
        "xa-hoa-binh,xa-tan-lap",
        "--indicators",
        "6.1",
    )
    secret = capsys.readouterr().out.strip()
    token = IntegratorToken.objects.get()
    assert {p.unit.code for p in token.participations.all()} == {"xa-hoa-binh", "xa-tan-lap"}
    assert [n.code for n in token.nodes.all()] == ["6.1"] and secret not in token.key_hash
    assert push(secret, unit="xa-tan-lap").status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["daumoi", "--period", OPEN_PERIOD, "--units", "xa-hoa-binh", "--indicators", "6.1"],
        ["tichhop", "--period", "nope", "--units", "xa-hoa-binh", "--indicators", "6.1"],
        ["tichhop", "--period", OPEN_PERIOD, "--units", "nowhere", "--indicators", "6.1"],
        ["tichhop", "--period", OPEN_PERIOD, "--units", "xa-hoa-binh", "--indicators", "1.2"],
        ["tichhop", "--period", OPEN_PERIOD, "--units", "xa-hoa-binh", "--indicators", "9.9"],
    ],
    ids=["not-an-integrator", "unknown-period", "unknown-unit", "self-reported", "unknown-code"],
)
def test_the_command_refuses_a_bad_scope(world, args):
    with pytest.raises(CommandError):
        call_command("create_integrator_token", *args)
    assert not IntegratorToken.objects.exists()


def test_the_admin_creates_a_token_and_shows_its_secret_once(world):
    from opendti.accounts.models import User
    from opendti.frameworks.models import Node
    from opendti.periods.models import Participation

    client = client_for("quantri")
    url = reverse("admin:api_integratortoken_add")
    assert client.get(url).status_code == 200
    data = {
        "name": "Cổng DVC",
        "user": User.objects.get(username="tichhop").pk,
        "period": world.pk,
        "participations": [Participation.objects.get(period=world, unit__code="xa-hoa-binh").pk],
        "nodes": [Node.objects.get(framework=world.framework, code="6.1").pk],
        "expires_at_0": "2999-01-01",
        "expires_at_1": "00:00:00",
    }
    bad = client.post(url, {**data, "user": User.objects.get(username="daumoi").pk})
    assert bad.status_code == 200 and not IntegratorToken.objects.exists()
    response = client.post(url, data, follow=True)
    (message,) = [str(m) for m in response.context["messages"] if "chỉ hiện một lần" in str(m)]
    secret = message.rsplit(" ", 1)[1]
    assert push(secret).status_code == 200
