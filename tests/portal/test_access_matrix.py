"""The access matrix, generated from the URL configuration: every URL × every role, including the
people of another unit. A new URL without a row here fails the test, so no view escapes it.

Codes: O allowed (2xx, or a redirect that is not to the login page), L sent to the login page,
A refused with 401 (the API: log in or bring a token), 3 refused with 403 (the user may see the object but not do this), 4 answers 404 (the user may
not know the object exists). Deny by default: 4 and L are the norm.

Beyond the matrix: URLs whose parent and child ids do not belong together (one unit's address with
another unit's evidence, another period's decision, report, objection or assignment, an indicator
of no framework here) answer 404 to everyone and change nothing; a partial reviewer's and a
colleague's scope is checked indicator by indicator.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opendti.accounts.models import User
from opendti.accounts.roles import COORDINATOR, REVIEWER
from opendti.appraisal.models import Decision, Objection
from opendti.assessments.access import access_submission
from opendti.assessments.evidence import evidence_add_file
from opendti.assessments.models import Submission
from opendti.assessments.services.assignments import index_assign
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Period, PeriodTransition, Phase, ReviewerAssignment
from opendti.publication.demo import APPRAISAL_PERIOD, demo_load_all
from opendti.publication.models import Snapshot
from opendti.reports.models import ReportFile
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.results.models import Target
from tests.csp import problems as csp_problems
from tests.login import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Who is asking: None is the public (not logged in).
ROLES = {
    "anonymous": None,
    "focal": "daumoi",  # focal point of xa-hoa-binh, the unit every URL below points at
    "leader": "lanhdao",  # its leader
    "other_unit": "daumoi2",  # focal point of xa-tan-lap
    "coordinator": "dieuphoi",
    "reviewer": "thamdinh",
    "approver": "pheduyet",
    "integrator": "tichhop",
    "admin": "quantri",
    "other_leader": "lanhdao2",  # leader of xa-tan-lap
    "colleague": "congtac",  # a colleague of xa-hoa-binh, handed main index 1 (the 1.2 below)
    "partial_reviewer": "thamdinh3",  # a reviewer of main index 3 only (in the 2025 communes)
    "inactive": "nghiviec",  # a coordinator whose account was deactivated, session still open
}

# (method, one code per role in the order of ROLES: anonymous, focal, leader, other_unit,
# coordinator, reviewer, approver, integrator, admin, other_leader, colleague, partial_reviewer,
# inactive). The inactive person is the public again; another unit's leader is refused like its
# focal point; the colleague edits the handed-over index (1.2 is in it) but not the submission's
# own steps; the reviewer of one main index sees the unit's review and may decide on index 3
# only (1.2 is refused, and so is the second opinion on 2.1).
MATRIX = {
    # The load balancer's probes (core/health.py): nothing in them but ok or the part that is down.
    "healthz": ("GET", "O O O O O O O O O O O O O"),
    "readyz": ("GET", "O O O O O O O O O O O O O"),
    "portal:home": ("GET", "O O O O O O O O O O O O O"),
    "portal:login": ("GET", "O O O O O O O O O O O O O"),
    "portal:logout": ("POST", "O O O O O O O O O O O O O"),
    "set_language": ("POST", "O O O O O O O O O O O O O"),
    # Results: the period here is not published, so the public gets 404 like for an unknown one
    # (tests/publication/ covers published periods, which everyone sees).
    "portal:period_results": ("GET", "4 4 4 4 O 4 O 4 O 4 4 4 4"),
    "portal:dashboard": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    # The coordinator's console (docs/console.md; tests/portal/test_console.py): coordinators and
    # administrators only. The open period has begun its self-assessment, so confirming a
    # framework import is refused by its state (409) before the missing file is looked at.
    "portal:period_new": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:period_settings": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:participants": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_import": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_confirm": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    # A framework from a template (tests/portal/test_console_templates.py): the same people; the
    # preview shows the template's errors (none supplied: 422), confirming is refused by the
    # period's state (409).
    "portal:framework_templates": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_template": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_template_confirm": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    # Targets and the level bounds (tests/portal/test_targets_console.py): the same people;
    # removing a target or setting bounds without a reason is refused (422), nothing changed.
    "portal:targets": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:target_delete": ("POST", "L 4 4 4 422 4 4 4 422 4 4 4 L"),
    "portal:level_thresholds": ("POST", "L 4 4 4 422 4 4 4 422 4 4 4 L"),
    # The dashboard's table as an Excel file: whoever sees the dashboard.
    "portal:dashboard_export": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    # The period's calendar: the people of its units (their own deadlines), its reviewers, the
    # approver and the coordinator see it (thamdinh reviews nothing in 2026: 404); only the
    # coordinator moves a phase's dates (tests/portal/test_timeline.py covers what each sees).
    "portal:timeline": ("GET", "L O O O O 4 O 4 O O O 4 L"),
    "portal:phase_extend": ("POST", "L 3 3 3 O 4 3 4 O 3 3 4 L"),
    "portal:scorecard": ("GET", "4 4 4 4 O 4 O 4 O 4 4 4 4"),
    "portal:robustness": ("GET", "4 4 4 4 O 4 O 4 O 4 4 4 4"),
    "portal:what_if": ("POST", "4 4 4 4 O 4 O 4 O 4 4 4 4"),
    "portal:workspace": ("GET", "L O O 4 O 4 4 4 O 4 O 4 L"),
    "portal:indicator_preview": ("POST", "L O O 4 O 4 4 4 O 4 O 4 L"),
    "portal:indicator_history": ("GET", "L O O 4 O 4 4 4 O 4 O 4 L"),
    "portal:evidence_download": ("GET", "L O O 4 O 4 4 4 O 4 O 4 L"),
    "portal:indicator_save": ("POST", "L O 3 4 3 4 4 4 3 4 O 4 L"),
    "portal:indicator_confirm": ("POST", "L O 3 4 3 4 4 4 3 4 O 4 L"),
    "portal:evidence_add": ("POST", "L O 3 4 3 4 4 4 3 4 O 4 L"),
    "portal:evidence_confirm": ("POST", "L O 3 4 3 4 4 4 3 4 O 4 L"),
    "portal:evidence_link": ("POST", "L O 3 4 3 4 4 4 3 4 O 4 L"),
    "portal:index_assign": ("POST", "L O 3 4 3 4 4 4 3 4 3 4 L"),
    "portal:carry_over": ("POST", "L O 3 4 3 4 4 4 3 4 3 4 L"),
    "portal:excel_template": ("GET", "L O 3 4 3 4 4 4 3 4 3 4 L"),
    "portal:excel_upload": ("POST", "L O 3 4 3 4 4 4 3 4 3 4 L"),
    "portal:excel_apply": ("POST", "L O 3 4 3 4 4 4 3 4 3 4 L"),
    "portal:submit": ("POST", "L 3 O 4 3 4 4 4 3 4 3 4 L"),
    "portal:recall": ("POST", "L 3 O 4 3 4 4 4 3 4 3 4 L"),
    "portal:reopen": ("POST", "L 3 3 4 O 4 4 4 O 4 3 4 L"),
    "portal:remind": ("POST", "L 3 3 4 O 4 4 4 O 4 3 4 L"),
    # The unit's side of the appraisal (tests/portal/test_explanations.py covers the open cases):
    # here no request exists (404) and the period is in self-assessment, so objecting is refused
    # by the period's state (409) for the unit's focal point and leader, by role (403) for others.
    "portal:explain": ("POST", "L 4 4 4 4 4 4 4 4 4 4 4 L"),
    "portal:objection_raise": ("POST", "L 409 409 4 3 4 4 4 3 4 3 4 L"),
    # Appraisal, reply and approval, on the demo's 2025 communes (in appraisal, round 1 open;
    # thamdinh reviews every unit and proposed a cut on 2.1 of xa-hoa-binh that awaits a second
    # reviewer). 409/422: the person may do this, but not now (the round is open, the period is
    # not in reply or approval, thamdinh has undecided indicators left).
    "portal:appraisal": ("GET", "L 4 4 4 O O 4 4 O 4 4 O L"),
    "portal:appraisal_assign": ("POST", "L 4 4 4 O 3 4 4 O 4 4 3 L"),
    "portal:appraisal_unassign": ("POST", "L 4 4 4 O 3 4 4 O 4 4 3 L"),
    "portal:period_advance": ("POST", "L 4 4 4 409 3 4 4 409 4 4 3 L"),
    "portal:round_sign_off": ("POST", "L 4 4 4 3 422 4 4 3 4 4 422 L"),
    "portal:decision_agree": ("POST", "L 4 4 4 3 3 4 4 3 4 4 3 L"),
    "portal:unit_review": ("GET", "L 4 4 4 O O 4 4 O 4 4 O L"),
    "portal:decide": ("POST", "L 4 4 4 3 O 4 4 3 4 4 3 L"),
    "portal:accept_rest": ("POST", "L 4 4 4 3 O 4 4 3 4 4 O L"),
    "portal:objections": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:objection_answer": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    "portal:approval": ("GET", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    "portal:approve": ("POST", "L 4 4 4 3 4 409 4 409 4 4 4 L"),
    "portal:approval_return": ("POST", "L 4 4 4 3 4 409 4 409 4 4 4 L"),
    # Open data: the index and its list for everyone; a period's files and embed only once it is
    # published, for everyone alike, so here (2026 is in self-assessment) 404 even for the
    # coordinator (tests/publication/test_open_data.py covers the published periods).
    "portal:open_data": ("GET", "O O O O O O O O O O O O O"),
    "portal:open_data_list": ("GET", "O O O O O O O O O O O O O"),
    "portal:open_data_csv": ("GET", "4 4 4 4 4 4 4 4 4 4 4 4 4"),
    "portal:open_data_json": ("GET", "4 4 4 4 4 4 4 4 4 4 4 4 4"),
    "portal:open_data_embed": ("GET", "4 4 4 4 4 4 4 4 4 4 4 4 4"),
    # The period's report files: the coordinator, the approver and the administrator only
    # (tests/reports/test_jobs.py covers the generation). The create POST only queues a file here:
    # the job starts after commit, which a test transaction never reaches.
    "portal:reports": ("GET", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    "portal:report_create": ("POST", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    "portal:report_status": ("GET", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    "portal:report_download": ("GET", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    # What the coordinator writes for the report's Part III, and the report's Word template:
    # coordinators and administrators only (tests/reports/test_parts.py covers the writing).
    "portal:report_text": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:report_template": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:report_template_download": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    # The login's second step: only within a login that passed the password a moment ago; any
    # other visit is sent back to the login page (tests/accounts/test_second_factor.py).
    "accounts:second_factor": ("GET", "L L L L L L L L L L L L L"),
    "accounts:second_factor_enrol": ("GET", "L L L L L L L L L L L L L"),
    "accounts:recovery_codes": ("GET", "O O O O O O O O O O O O O"),  # nothing to show: home
    # The administrators' page of second factors and the reset of a lost one.
    "accounts:second_factor_list": ("GET", "L 4 4 4 4 4 4 4 O 4 4 4 L"),
    "accounts:second_factor_reset": ("GET", "L 4 4 4 4 4 4 4 O 4 4 4 L"),
    # The coordinator's accounts console (portal/views/accounts.py): coordinators and
    # administrators only; the person here is lanhdao (a unit leader). Locking, moving and
    # inviting change that person (the test's own database): allowed means redirected back.
    "portal:accounts": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_template": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_upload": ("POST", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_confirm": ("POST", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_detail": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_deactivate": ("POST", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_move": ("POST", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:account_invite": ("POST", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    # An invitation's link: anyone may open one; a wrong token shows that the link is not valid
    # (and changes nothing); the page after a password was set is plain text.
    "accounts:invitation": ("GET", "O O O O O O O O O O O O O"),
    "accounts:invitation_done": ("GET", "O O O O O O O O O O O O O"),
    # The security audit log and its export: administrators only.
    "portal:audit_log": ("GET", "L 4 4 4 4 4 4 4 O 4 4 4 L"),
    "portal:audit_export": ("GET", "L 4 4 4 4 4 4 4 O 4 4 4 L"),
    "accounts:password_change": ("GET", "L O O O O O O O O O O O L"),
    "accounts:password_change_done": ("GET", "L O O O O O O O O O O O L"),
    # Everyone's own notifications (tests/notifications/ covers that nobody sees another's).
    "notifications:list": ("GET", "L O O O O O O O O O O O L"),
    "notifications:mark_read": ("POST", "L O O O O O O O O O O O L"),
    # The REST API (tests/api/ covers integrator tokens and writes).
    "api:schema": ("GET", "O O O O O O O O O O O O O"),
    "api:docs": ("GET", "O O O O O O O O O O O O O"),
    "api:framework_list": ("GET", "A O O O O O O O O O O O A"),
    "api:framework_detail": ("GET", "A O O O O O O O O O O O A"),
    "api:unit_list": ("GET", "A O O O O O O O O O O O A"),
    "api:unit_detail": ("GET", "A O O O O O O O O O O O A"),
    "api:period_list": ("GET", "A O O O O O O O O O O O A"),
    "api:period_detail": ("GET", "A O O O O O O O O O O O A"),
    "api:submission_list": ("GET", "A O O O O O O O O O O O A"),
    "api:value_list": ("GET", "A O O 4 O 4 4 4 O 4 O 4 A"),
    "api:evidence_list": ("GET", "A O O 4 O 4 4 4 O 4 O 4 A"),
    "api:result_list": ("GET", "A 4 4 4 O 4 O 4 O 4 4 4 A"),
    # Year on year (tests/api/test_year_on_year.py): as the results themselves.
    "api:year_on_year": ("GET", "A 4 4 4 O 4 O 4 O 4 4 4 A"),
    # The appraisal workflow through the API (tests/api/test_workflow.py covers every step and
    # refusal during an appraisal). Here 2026 is in self-assessment with no reviewer assigned; the
    # POSTs carry a form body and the API reads JSON: 415 is "allowed this far".
    "api:period_workflow": ("GET", "A 4 4 4 O 4 O 4 O 4 4 4 A"),
    "api:period_transition": ("POST", "A 4 4 4 415 4 415 4 415 4 4 4 A"),
    "api:period_sign_off": ("POST", "A 4 4 4 3 4 3 4 3 4 4 4 A"),
    "api:decision_list": ("GET", "A O O 4 O 4 4 4 O 4 O 4 A"),
    "api:submission_submit": ("POST", "A 3 400 4 3 4 4 4 3 4 3 4 A"),
}
# Django's own admin keeps its own staff check; it is tested for its entry page only.
ADMIN_NAMESPACE = "admin"


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            found.extend(_patterns(entry, ns if entry.namespace else namespace))
        elif entry.name:
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))
    return found


def url_names() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in _patterns(get_resolver())
        if not name.startswith(ADMIN_NAMESPACE + ":")
    }


def test_every_url_has_a_row_in_the_matrix():
    names = set(url_names())
    assert names - set(MATRIX) == set(), "URLs without access rules: add them to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX rows for URLs that no longer exist"


@pytest.fixture
def world(db, file_storages):
    demo_load()
    demo_load_all()  # the earlier periods published, 2025 in appraisal; 2026 is untouched
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.1")
    evidence = evidence_add_file(
        submission=submission,
        file=io.BytesIO(PDF),
        name="quyet-dinh.pdf",
        title="QĐ",
        nodes=[node],
        actor=focal,
    )
    other = access_submission(User.objects.get(username="daumoi2"), OPEN_PERIOD, "xa-tan-lap")
    theirs = evidence_add_file(
        submission=other,
        file=io.BytesIO(PDF),
        name="cua-don-vi-khac.pdf",
        title="QĐ của đơn vị khác",
        nodes=[node],
        actor=User.objects.get(username="daumoi2"),
    )
    _people(submission)
    return {
        "evidence": evidence.pk,
        "phase": Phase.objects.get(
            period__code=OPEN_PERIOD, kind=Phase.Kind.APPRAISAL, round_number=1
        ).pk,
        "other_evidence": theirs.pk,
        "leader": User.objects.get(username="lanhdao").pk,
        "report": _report_file(file_storages["reports"]),
        "target": Target.objects.create(
            period=Period.objects.get(code=OPEN_PERIOD),
            scope=Target.Scope.UNIT,
            subject="xa-hoa-binh",
            measure=Target.Measure.RANK,
            value=1,
        ).pk,
        **_appraisal_world(),
    }


def _people(submission) -> None:
    """The colleague with a handed-over index, the reviewer of one main index, the inactive."""
    colleague = User.objects.create_user(username="congtac", full_name="Cán bộ phối hợp")
    Membership.objects.create(
        participation=submission.participation,
        user=colleague,
        role=Membership.Role.CONTRIBUTOR,
    )
    index = Node.objects.get(framework=submission.participation.period.framework, code="1")
    index_assign(
        submission=submission,
        node=index,
        user=colleague,
        actor=User.objects.get(username="daumoi"),
    )
    reviewer = User.objects.create_user(username="thamdinh3", full_name="Thẩm định chỉ số 3")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    appraisal_period = Period.objects.get(code=APPRAISAL_PERIOD)
    ReviewerAssignment.objects.create(
        period=appraisal_period,
        reviewer=reviewer,
        node=Node.objects.get(framework=appraisal_period.framework, code="3"),
    )
    gone = User.objects.create_user(username="nghiviec", full_name="Đã nghỉ việc")
    gone.groups.add(Group.objects.get(name=COORDINATOR))


def _report_file(root) -> int:
    """A finished report file of the open period, for the status and download URLs."""
    folder = root / OPEN_PERIOD
    folder.mkdir(parents=True)
    (folder / "bang.xlsx").write_bytes(b"PK")
    return ReportFile.objects.create(
        period=Period.objects.get(code=OPEN_PERIOD),
        kind=ReportFile.Kind.RESULTS_XLSX,
        status=ReportFile.Status.DONE,
        storage_path=f"{OPEN_PERIOD}/bang.xlsx",
        size=2,
    ).pk


def _appraisal_world() -> dict:
    """What the appraisal URLs point at in the demo's 2025 communes."""
    submission = Submission.objects.get(
        participation__period__code=APPRAISAL_PERIOD, participation__unit__code="xa-hoa-binh"
    )
    node = Node.objects.get(framework=submission.participation.period.framework, code="2.1")
    second = User.objects.get(username="thamdinh2")
    # An objection is only raised in the reply window; made directly here so that the answer URL
    # has something to point at (the period's state then refuses the answer).
    objection = Objection.objects.create(
        submission=submission,
        node=node,
        author=User.objects.get(username="lanhdao"),
        text="Đề nghị xem lại",
    )
    return {
        "reviewer2": second.pk,
        "assignment": ReviewerAssignment.objects.get(
            period__code=APPRAISAL_PERIOD, reviewer=second, unit__code="xa-tan-lap"
        ).pk,
        "decision": Decision.objects.get(submission=submission, node=node, state="awaiting").pk,
        "objection": objection.pk,
    }


def _kwargs(pattern: URLPattern, world) -> dict:
    values = {
        "period": OPEN_PERIOD,
        "code": "1.2",
        "unit": "xa-hoa-binh",
        "pk": world["evidence"],
        "uidb64": "MQ",  # an invitation of account 1 with a token that is not valid
        "token": "x-y",
        "template": "bac-kan-1294-communes",
    }
    kwargs = {key: values[key] for key in pattern.pattern.converters}
    if pattern.name in (
        "period_results",
        "dashboard",
        "dashboard_export",
        "scorecard",
        "what_if",
        "robustness",
    ):
        kwargs["code"] = OPEN_PERIOD
    if pattern.name == "framework_detail":
        kwargs["pk"] = Period.objects.get(code=OPEN_PERIOD).framework_id
    if pattern.name in ("second_factor_reset", "account_detail", "account_deactivate",
                        "account_move", "account_invite"):  # fmt: skip
        kwargs["pk"] = world["leader"]
    if pattern.name in ("report_status", "report_download"):
        kwargs["pk"] = world["report"]
    if pattern.name == "phase_extend":
        kwargs["pk"] = world["phase"]
    if pattern.name == "target_delete":
        kwargs["pk"] = world["target"]
    if pattern.name in APPRAISAL_PKS:
        kwargs["period"] = APPRAISAL_PERIOD
        if "pk" in kwargs:
            kwargs["pk"] = world[APPRAISAL_PKS[pattern.name]]
    return kwargs


# The appraisal URLs (portal/views/appraisal.py) and what their `pk` names in the world.
APPRAISAL_PKS = {
    "appraisal": "",
    "appraisal_assign": "",
    "appraisal_unassign": "assignment",
    "period_advance": "",
    "round_sign_off": "",
    "decision_agree": "decision",
    "unit_review": "",
    "decide": "",
    "accept_rest": "",
    "objections": "",
    "objection_answer": "objection",
    "approval": "",
    "approve": "",
    "approval_return": "",
}


POST_DATA = {
    "portal:indicator_save": {"version": "0", "v-1.2-": "3"},
    "portal:indicator_preview": {"v-1.2-": "4"},
    "portal:evidence_add": {"kind": "link", "url": "https://example.gov.vn/a", "nodes": "1.2"},
    "portal:evidence_link": {"node": "1.2"},
    "portal:index_assign": {"node": "1"},
    "portal:recall": {"reason": "sửa số liệu"},
    "portal:reopen": {"until": "2999-01-01", "reason": "đơn vị gặp sự cố"},
    "set_language": {"language": "vi"},
    "portal:appraisal_assign": {"unit": "xa-hoa-binh"},  # and thamdinh2: already assigned
    "portal:period_advance": {"to": "next_round"},
    "portal:decision_agree": {"agreed": "yes"},
    "portal:decide": {"kind": "accept"},
    "portal:objection_answer": {"verdict": "rejected", "answer": "Không có căn cứ"},
    "portal:approve": {
        "decision_number": "1/QĐ-UBND",
        "decision_date": "2026-03-01",
        "signer": "A",
    },
    "portal:approval_return": {"reason": "Xem lại"},
    "portal:report_create": {"kind": "results_xlsx"},
    "portal:account_deactivate": {"reason": "Nghỉ việc"},
    "portal:account_move": {"unit": "xa-tan-lap", "role": "unit_leader", "reason": "Điều động"},
    "portal:phase_extend": {
        "starts_on": "2999-01-01",
        "ends_on": "2999-01-10",
        "reason": "Trùng kỳ nghỉ Tết",
    },
}


def _outcome(response) -> str:
    if response.status_code in (301, 302):
        return "L" if "/dang-nhap/" in response["Location"] else "O"
    if response.status_code == 401:
        return "A"
    if response.status_code == 403:
        return "3"
    if response.status_code == 404:
        return "4"
    if 200 <= response.status_code < 300:
        return "O"
    return str(response.status_code)


def _client(role: str) -> Client:
    """A client of `role`; the inactive person's session was opened before the deactivation."""
    client = Client()
    username = ROLES[role]
    if username:
        login(client, User.objects.get(username=username))
    if role == "inactive":
        User.objects.filter(username=username).update(is_active=False)
    return client


@pytest.mark.parametrize("role", list(ROLES))
def test_access_matrix(role, world):
    client = _client(role)
    username = ROLES[role]
    index = list(ROLES).index(role)
    patterns = url_names()
    got, expected, unsafe = {}, {}, {}
    for name, (method, codes) in MATRIX.items():
        if name not in patterns:
            continue  # test_every_url_has_a_row_in_the_matrix reports it
        url = reverse(name, kwargs=_kwargs(patterns[name], world))
        data = dict(POST_DATA.get(name, {}))
        if name == "portal:index_assign":
            data["user"] = world["leader"]
        if name == "portal:appraisal_assign":
            data["reviewer"] = world["reviewer2"]
        response = client.post(url, data) if method == "POST" else client.get(url)
        got[name] = _outcome(response)
        expected[name] = codes.split()[index]
        # Every answer, allowed or refused, carries the policy; no page has inline code.
        if found := csp_problems(response):
            unsafe[name] = found
        if name == "portal:logout" and username:
            client = _client(role)
    assert got == expected
    assert unsafe == {}


@pytest.mark.parametrize("role", ["anonymous", "focal", "coordinator"])
def test_post_only_urls_refuse_get(role, world):
    client = Client()
    if ROLES[role]:
        login(client, User.objects.get(username=ROLES[role]))
    patterns = url_names()
    for name, (method, _codes) in MATRIX.items():
        if method == "POST" and name.startswith("portal:") and name != "portal:logout":
            url = reverse(name, kwargs=_kwargs(patterns[name], world))
            assert client.get(url).status_code == 405, name


def test_admin_is_for_staff_only(world):
    client = Client()
    login(client, User.objects.get(username="dieuphoi"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    login(client, User.objects.get(username="quantri"))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    # Django's admin runs under the same policy, without inline code.
    assert csp_problems(index) == []
    assert csp_problems(client.get(reverse("admin:accounts_user_changelist"))) == []


# A quarter (Bắc Kạn, decision 1294): the demo's 2025 quarter 2, published by the coordinator
# without an approver or a decision. The public reads it like a published year; approving or
# returning it is refused for the approver by the state machine (409: a quarter is never
# approved), and is not the coordinator's to do (403); publishing it again is refused (409).
QUARTER = "2025-q2-communes"
QUARTERLY_MATRIX = {
    "portal:period_results": ("GET", "O O O O O O O O O O O O O"),
    "portal:scorecard": ("GET", "O O O O O O O O O O O O O"),
    "portal:robustness": ("GET", "O O O O O O O O O O O O O"),
    "portal:what_if": ("POST", "O O O O O O O O O O O O O"),
    "portal:open_data_csv": ("GET", "O O O O O O O O O O O O O"),
    "portal:open_data_json": ("GET", "O O O O O O O O O O O O O"),
    "portal:open_data_embed": ("GET", "O O O O O O O O O O O O O"),
    "portal:workspace": ("GET", "L O O 4 O 4 4 4 O 4 4 4 L"),
    "portal:dashboard": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    # The coordinator's console (docs/console.md; tests/portal/test_console.py): coordinators and
    # administrators only. The open period has begun its self-assessment, so confirming a
    # framework import is refused by its state (409) before the missing file is looked at.
    "portal:period_new": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:period_settings": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:participants": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_import": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_confirm": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    "portal:framework_templates": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_template": ("GET", "L 4 4 4 O 4 4 4 O 4 4 4 L"),
    "portal:framework_template_confirm": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    "portal:timeline": ("GET", "L O O O O 4 O 4 O O 4 4 L"),
    "portal:approval": ("GET", "L 4 4 4 O 4 O 4 O 4 4 4 L"),
    "portal:approve": ("POST", "L 4 4 4 3 4 409 4 409 4 4 4 L"),
    "portal:approval_return": ("POST", "L 4 4 4 3 4 409 4 409 4 4 4 L"),
    "portal:period_advance": ("POST", "L 4 4 4 409 4 4 4 409 4 4 4 L"),
    "api:period_workflow": ("GET", "A 4 4 4 O 4 O 4 O 4 4 4 A"),
    "api:result_list": (
        "GET",
        "O O O O O O O O O O O O O",
    ),  # published: the public API reads it too
}
QUARTERLY_POST = {**POST_DATA, "portal:period_advance": {"to": "published"}}


@pytest.mark.parametrize("role", list(ROLES))
def test_access_matrix_of_a_published_quarter(role, world):
    client = _client(role)
    index = list(ROLES).index(role)
    patterns = url_names()
    values = {
        "period": QUARTER,
        "code": QUARTER,
        "unit": "xa-hoa-binh",
        "template": "bac-kan-1294-communes",
    }
    got, expected, unsafe = {}, {}, {}
    for name, (method, codes) in QUARTERLY_MATRIX.items():
        kwargs = {key: values[key] for key in patterns[name].pattern.converters}
        url = reverse(name, kwargs=kwargs)
        data = QUARTERLY_POST.get(name, {})
        response = client.post(url, data) if method == "POST" else client.get(url)
        got[name] = _outcome(response)
        expected[name] = codes.split()[index]
        if found := csp_problems(response):
            unsafe[name] = found
    assert got == expected
    # The published pages (results, charts, scorecards, the embeddable chart) included.
    assert unsafe == {}
    # Nothing a refused step could have changed.
    snapshot = Snapshot.objects.get(period__code=QUARTER)
    assert snapshot.decision_number == "" and Period.objects.get(code=QUARTER).status == "published"
    assert list(
        PeriodTransition.objects.filter(period__code=QUARTER).values_list("before", "after")
    ) == [("self_assessment", "published")]


def _counts() -> tuple[int, ...]:
    from opendti.appraisal.models import Explanation
    from opendti.assessments.models import Change, EvidenceLink, InputValue

    models = (Change, EvidenceLink, InputValue, Decision, Objection, Explanation, ReportFile)
    return (*(model.objects.count() for model in models), ReviewerAssignment.objects.count())


def _mismatched(world) -> list[tuple[str, str, dict]]:
    """(method, url, data) pointing a parent at a child that is not its own."""
    unit = f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/"
    other_evidence = world["other_evidence"]
    review = f"/ky/{OPEN_PERIOD}/tham-dinh/"  # the open period, with 2025's pks
    decision = Decision.objects.get(pk=world["decision"])
    return [
        # One unit's address with another unit's evidence.
        ("GET", f"{unit}tai-lieu/{other_evidence}/", {}),
        ("POST", f"{unit}tai-lieu/{other_evidence}/xac-nhan/", {}),
        ("POST", f"{unit}tai-lieu/{other_evidence}/gan/", {"node": "1.2"}),
        # An indicator code that is not in this period's framework.
        ("GET", f"{unit}chi-so/9.9/lich-su/", {}),
        ("POST", f"{unit}chi-so/9.9/luu/", {"version": "0", "v-9.9-": "1"}),
        ("POST", f"{unit}chi-so/9.9/xem-truoc/", {}),
        # A 2025 decision, objection, assignment and report through the 2026 period's addresses.
        ("POST", f"{review}quyet-dinh/{decision.pk}/y-kien/", {"agreed": "yes"}),
        ("POST", f"{review}phan-cong/{world['assignment']}/xoa/", {}),
        (
            "POST",
            f"/ky/{OPEN_PERIOD}/phan-hoi/{world['objection']}/tra-loi/",
            {"verdict": "rejected", "answer": "x"},
        ),
        ("GET", f"/ky/{APPRAISAL_PERIOD}/bao-cao/{world['report']}/trang-thai/", {}),
        ("GET", f"/ky/{APPRAISAL_PERIOD}/bao-cao/{world['report']}/tai-ve/", {}),
        # A decision of xa-hoa-binh answered through xa-tan-lap's address (and its own code).
        (
            "POST",
            f"/ky/{APPRAISAL_PERIOD}/don-vi/xa-tan-lap/chi-so/{decision.node.code}/giai-trinh/{decision.pk}/",
            {"text": "giải trình"},
        ),
        # A unit that does not take part in the period.
        ("GET", f"/ky/{APPRAISAL_PERIOD}/tham-dinh/xa-khong-co/", {}),
        ("GET", f"/api/v1/periods/{OPEN_PERIOD}/units/xa-khong-co/values/", {}),
    ]


@pytest.mark.parametrize("role", ["focal", "other_unit", "coordinator", "reviewer", "admin"])
def test_mismatched_parent_and_child_ids_answer_404_and_change_nothing(role, world):
    client = _client(role)
    before = _counts()
    for method, url, data in _mismatched(world):
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 404, (role, method, url, response.status_code)
    assert _counts() == before


def test_a_colleague_edits_only_the_handed_over_index(world):
    client = _client("colleague")
    unit = f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/"
    mine = client.post(f"{unit}chi-so/1.2/luu/", {"version": "0", "v-1.2-": "3"})
    assert mine.status_code == 200
    before = _counts()
    theirs = client.post(f"{unit}chi-so/2.1/luu/", {"version": "0", "v-2.1-": "1"})
    assert theirs.status_code == 403
    assert client.post(f"{unit}gui/").status_code == 403  # only the leader submits
    assert _counts() == before


def test_a_reviewer_of_one_main_index_decides_only_there(world):
    from opendti.assessments.models import Submission

    client = _client("partial_reviewer")
    review = f"/ky/{APPRAISAL_PERIOD}/tham-dinh/xa-hoa-binh/"
    before = _counts()
    assert client.post(f"{review}chi-so/1.2/", {"kind": "accept"}).status_code == 403
    assert _counts() == before
    # "Accept the rest" covers the reviewer's own index only.
    assert client.post(f"{review}chap-nhan-con-lai/").status_code in (200, 302)
    submission = Submission.objects.get(
        participation__period__code=APPRAISAL_PERIOD, participation__unit__code="xa-hoa-binh"
    )
    mine = Decision.objects.filter(submission=submission, reviewer__username="thamdinh3")
    assert mine.exists()
    assert {d.node.code.split(".")[0] for d in mine.select_related("node")} == {"3"}
