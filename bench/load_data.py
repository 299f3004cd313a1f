"""The data side of the national load benchmark (bench/load.py): run by it in a process of its own
with the production settings, the same database as the server. Not part of the tests.

Each step is a subcommand and prints one JSON object on its last line:

- `build --units N`: the generated national period (bench/generate.py: 3,400 units × 100
  indicators, or its first N units) written as a workbook and loaded with `import-workbook`, then
  approved and published as the demo publishes its history (the published period); the period
  after it opened for self-assessment with the next year's generated values (the open period);
  focal-point accounts, each the focal point of its own unit, with sessions made server-side.
- `appraise`: every unit submitted, one reviewer assigned to every unit, round 1 started.
- `settle`: "accept the rest" for every unit (timed), the round signed off, the results sent
  for approval.
- `count --since T --acks FILE`: after the deadline rush, every acknowledged save looked up in
  the database (the value) and in the history (a Change row).
- `profile --user U --method M --path P [--data JSON]`: one request through Django in this
  process under cProfile, with the number and time of its SQL queries (where the time goes).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import pstats
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PUBLISHED = "bench-2024-national"
OPEN = "bench-2025-national"
FOCAL_PREFIX = "bench-daumoi-"
COORDINATOR, REVIEWER, APPROVER = "dieuphoi", "thamdinh", "pheduyet"


def _setup() -> None:
    import django

    django.setup()


def _assessment(units: int, year: int):
    """The generated period cut to `units` units (every group keeps its share). The next year
    has the same framework (the generator's rules come from its seed) and each unit the values
    of the next unit of its group: different answers, every one valid for its indicator."""
    from dataclasses import replace

    from generate import generate

    assessment = generate()
    kept = assessment.units
    if units < len(kept):
        step = len(kept) / units
        kept = tuple(kept[int(k * step)] for k in range(units))
    source = {u.code: u.code for u in kept}
    if year:
        for group in {u.group for u in kept}:
            codes = [u.code for u in kept if u.group == group]
            turn = year % len(codes)
            source |= dict(zip(codes, codes[turn:] + codes[:turn], strict=True))
    values = {
        node: {u: column[source[u]] for u in source if source[u] in column}
        for node, column in assessment.values.items()
    }
    return replace(assessment, units=kept, values=values)


def _text(value) -> str:
    from opendti.results.exchange import value_text

    return value_text(value)


def workbook_rows(assessment, year: int) -> dict[str, list[dict[str, object]]]:
    """The generated period as the workbook's sheets (docs/workbook.md), what `import-workbook`
    reads: the same columns `results.selectors.period_rows` writes."""
    from opendti.numbers import plain

    framework = assessment.framework
    # The generator gives every formula inputs a, b and c; a workbook holds only those its
    # expression reads (the engine ignores the others).
    declared = {n.code: {s.name: s for s in n.rule.inputs} for n in framework.nodes if n.rule}
    settings = {
        "title": f"DTI toàn quốc {year} (dữ liệu sinh tự động để đo tải)",
        "level": "national",
        "year": str(year),
        "period": str(year),
        "decimals": str(assessment.settings.decimals),
    }
    bands = []
    for scope, scheme in (("total", framework.total_bands), ("pillar", framework.pillar_bands)):
        for band in scheme.bands if scheme else ():
            bands.append(
                {
                    "scheme": scope,
                    "label": band.label,
                    "basis": scheme.basis,
                    "lower": plain(band.lower) if band.lower is not None else "",
                    "lower_inclusive": "" if band.lower is None else "yes",
                }
            )
    return {
        "settings": [{"key": k, "value": v} for k, v in settings.items()],
        "pillars": [{"code": p.code, "name": p.name} for p in framework.pillars],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent or "",
                "name": n.name,
                "kind": n.kind,
                "max_points": plain(n.max_points),
                "pillars": ";".join(n.pillars),
                "rule": n.rule.name if n.rule else "",
                "params": json.dumps(n.rule.params, ensure_ascii=False) if n.rule else "",
                "applies_to": ";".join(sorted(n.applies_to)),
            }
            for n in framework.nodes
        ],
        "bands": bands,
        "units": [
            {"code": u.code, "name": u.name, "group": u.group, "ranked": "" if u.ranked else "no"}
            for u in assessment.units
        ],
        "values": [
            {"unit": unit, "indicator": node, "input": name, "value": text}
            for node, column in assessment.values.items()
            for unit, inputs in column.items()
            for name, value in inputs.items()
            if (text := _text(value)) and _accepted(declared[node].get(name), text)
        ],
    }


def _accepted(spec, text: str) -> bool:
    """Whether the workbook takes the value: the generator gives a few unknown choices and
    values out of bounds on purpose (what the engine must survive), which the workbook, as
    the forms, refuses; they are left empty here."""
    from opendti.workbook.parse import parse_value

    if spec is None:
        return False
    try:
        parse_value(spec, text)
    except ValueError:
        return False
    return True


def _publish(period, coordinator, approver) -> None:
    """As the demo publishes the provinces' history (publication/demo.py): the steps, the
    approval's snapshot, the publication."""
    from opendti.periods.models import Period
    from opendti.periods.workflow import period_advance
    from opendti.publication.models import Publication
    from opendti.publication.snapshots import snapshot_freeze

    for step in (Period.Status.APPRAISAL, Period.Status.REPLY, Period.Status.APPROVAL):
        period_advance(period=period, to=step, actor=coordinator, reason="Dữ liệu đo tải")
    period_advance(period=period, to=Period.Status.APPROVED, actor=approver, reason="1/QĐ-bench")
    snapshot = snapshot_freeze(
        period=period,
        actor=approver,
        decision_number="1/QĐ-bench",
        decision_date=datetime.date(2025, 3, 1),
        signer="bench",
    )
    period_advance(period=period, to=Period.Status.PUBLISHED, actor=coordinator)
    Publication.objects.create(snapshot=snapshot, published_by=coordinator)


def _sessions(users) -> dict[str, str]:
    """A logged-in session per account, made server-side (what the login would store): the
    benchmark does not spend the server's time on 300 password hashes. CSRF stays real: each
    client reads its token from the pages it loads."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from opendti.accounts.middleware import LOGIN_AT

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LOGIN_AT] = int(time.time())
        session.set_expiry(6 * 3600)
        session.create()
        keys[user.username] = session.session_key
    return keys


def build(units: int, focal_points: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from opendti.accounts.models import User
    from opendti.assessments.models import InputValue, Submission
    from opendti.frameworks.models import Node
    from opendti.periods.models import Period
    from opendti.periods.services import period_open_next
    from opendti.workbook.sheets import write_workbook

    timings: dict[str, float] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_workbook(workbook_rows(_assessment(units, 0), 2024), Path(folder) / "book")
        call_command("import_workbook", str(Path(folder) / "book"), code=PUBLISHED)
    timings["import"] = time.perf_counter() - start
    coordinator = User.objects.get(username=COORDINATOR)
    approver = User.objects.get(username=APPROVER)
    published = Period.objects.get(code=PUBLISHED)
    start = time.perf_counter()
    _publish(published, coordinator, approver)
    timings["publish"] = time.perf_counter() - start
    start = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        period = period_open_next(
            previous=published,
            code=OPEN,
            title="DTI toàn quốc 2025 (dữ liệu sinh tự động, đang tự đánh giá)",
            year=2025,
            starts_on=today - datetime.timedelta(days=7),
            ends_on=today + datetime.timedelta(days=30),
        )
        submissions = {
            s.participation.unit.code: s
            for s in Submission.objects.filter(participation__period=period).select_related(
                "participation__unit"
            )
        }
        nodes = {n.code: n for n in Node.objects.filter(framework=period.framework)}
        InputValue.objects.bulk_create(
            (
                InputValue(
                    submission=submissions[row["unit"]],
                    node=nodes[row["indicator"]],
                    input_name=row["input"],
                    value=row["value"],
                )
                for row in workbook_rows(_assessment(units, 1), 2025)["values"]
            ),
            batch_size=5000,
        )
    timings["open period"] = time.perf_counter() - start
    return plan(units, focal_points) | {"timings": timings}


def plan(units: int, focal_points: int) -> dict[str, object]:
    """The focal points (made once, each the focal point of its own unit of the open period),
    fresh sessions for them, and each card's version: what the load needs, on a built
    database too (`--reuse`)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from opendti.accounts.models import User
    from opendti.accounts.roles import FOCAL_POINT
    from opendti.assessments.models import InputValue, Submission
    from opendti.frameworks.models import Node
    from opendti.periods.models import Membership, Participation, Period

    period = Period.objects.get(code=OPEN)
    submissions = {
        s.participation.unit.code: s
        for s in Submission.objects.filter(participation__period=period).select_related(
            "participation__unit"
        )
    }
    nodes = {n.code: n for n in Node.objects.filter(framework=period.framework)}
    # Focal points: communes first (the many), each the focal point of its own unit.
    participations = list(
        Participation.objects.filter(period=period)
        .select_related("unit")
        .order_by("-group__code", "order")[:focal_points]
    )
    group = Group.objects.get(name=FOCAL_POINT)
    password = make_password(None)  # no password: they only have the sessions below
    now = timezone.now()
    people = []
    for number, participation in enumerate(participations):
        user, _ = User.objects.get_or_create(
            username=f"{FOCAL_PREFIX}{number:04d}",
            defaults={
                "full_name": f"Đầu mối {participation.unit.code}",
                "password": password,
                "password_changed_at": now,
            },
        )
        user.groups.add(group)
        Membership.objects.get_or_create(
            participation=participation, user=user, role=Membership.Role.FOCAL_POINT
        )
        people.append((user, participation.unit.code))
    sessions = _sessions([u for u, _ in people])
    # Indicators the rush writes: one-number leaves (linear and tiers rules), every unit the same.
    leaves = [
        n.code
        for n in Node.objects.filter(
            framework=period.framework, rule__in=["linear", "tiers"]
        ).order_by("order")
        if not n.applies_to
    ]
    # Each card's version as the focal point's open page shows it (the page they had open).
    from opendti.assessments.models import Answer

    focal_submissions = [submissions[unit] for unit in {unit for _, unit in people}]
    Answer.objects.bulk_create(
        [Answer(submission=s, node=nodes[code]) for s in focal_submissions for code in leaves],
        ignore_conflicts=True,
    )
    versions: dict[str, dict[str, int]] = {}
    for unit, code, version in Answer.objects.filter(
        submission__in=focal_submissions, node__code__in=leaves
    ).values_list("submission__participation__unit__code", "node__code", "version"):
        versions.setdefault(unit, {})[code] = version
    return {
        "published": PUBLISHED,
        "open": OPEN,
        "units": Participation.objects.filter(period=period).count(),
        "indicators": Node.objects.filter(framework=period.framework).exclude(rule="").count(),
        "values": InputValue.objects.filter(submission__participation__period=period).count(),
        "focal_points": [
            {
                "user": u.username,
                "unit": unit,
                "session": sessions[u.username],
                "versions": versions[unit],
            }
            for u, unit in people
        ],
        "leaves": leaves,
    }


def appraise() -> dict[str, object]:
    from django.utils import timezone

    from opendti.accounts.models import User
    from opendti.appraisal.services import appraisal_start, reviewer_assign
    from opendti.assessments.models import Submission
    from opendti.periods.models import Participation, Period

    period = Period.objects.get(code=OPEN)
    coordinator = User.objects.get(username=COORDINATOR)
    reviewer = User.objects.get(username=REVIEWER)
    start = time.perf_counter()
    Submission.objects.filter(participation__period=period).update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    for code in Participation.objects.filter(period=period).values_list("unit__code", flat=True):
        reviewer_assign(period=period, reviewer=reviewer, actor=coordinator, unit_code=code)
    appraisal_start(period=period, actor=coordinator)
    return {"seconds": time.perf_counter() - start}


def settle() -> dict[str, object]:
    from opendti.accounts.models import User
    from opendti.appraisal.services import (
        accept_rest,
        reply_open,
        round_current,
        round_sign_off,
    )
    from opendti.periods.models import Period
    from opendti.publication.services import approval_request

    period = Period.objects.get(code=OPEN)
    coordinator = User.objects.get(username=COORDINATOR)
    reviewer = User.objects.get(username=REVIEWER)
    current = round_current(period)
    start = time.perf_counter()
    accepted = accept_rest(appraisal_round=current, reviewer=reviewer)
    seconds = time.perf_counter() - start
    round_sign_off(appraisal_round=current, reviewer=reviewer)
    reply_open(period=period, actor=coordinator)
    approval_request(period=period, actor=coordinator)
    return {"accept_rest_all_seconds": seconds, "accepted": accepted}


def count(since: float, acks_file: Path) -> dict[str, object]:
    """Every acknowledged save of the rush: its value is the unit's value now (the last save of
    each unit and indicator), and each is a row of the history since the rush began."""
    from opendti.assessments.models import Change, InputValue

    acks = json.loads(acks_file.read_text())
    began = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    last: dict[tuple[str, str], str] = {}
    for ack in sorted(acks, key=lambda a: a["at"]):
        key = (ack["unit"], ack["indicator"])
        last[key] = ack["value"]
    units = {u for u, _ in last}
    stored = {
        (u, n): v
        for u, n, v in InputValue.objects.filter(
            submission__participation__period__code=OPEN,
            submission__participation__unit__code__in=units,
            input_name="",
        ).values_list("submission__participation__unit__code", "node__code", "value")
    }
    # Each acknowledged save is one history row with its value (values differ save to save).
    history: dict[tuple[str, str, str], int] = {}
    for u, n, after in Change.objects.filter(
        submission__participation__period__code=OPEN,
        submission__participation__unit__code__in=units,
        kind=Change.Kind.VALUE,
        field="",
        at__gte=began,
    ).values_list("submission__participation__unit__code", "node__code", "after"):
        history[(u, n, after)] = history.get((u, n, after), 0) + 1
    lost_values = sorted(f"{u} {n}" for (u, n), v in last.items() if stored.get((u, n)) != v)
    lost_history = 0
    for ack in acks:
        key = (ack["unit"], ack["indicator"], ack["value"])
        if history.get(key, 0) > 0:
            history[key] -= 1
        else:
            lost_history += 1
    return {
        "acknowledged": len(acks),
        "keys": len(last),
        "values_not_found": len(lost_values),
        "history_missing": lost_history,
        "history_rows_unmatched": sum(history.values()),
        "examples": lost_values[:5],
    }


def profile(username: str, method: str, path: str, data: dict[str, str]) -> dict[str, object]:
    """One request through the whole middleware stack in this process, logged in as `username`
    (with a verified second factor where the role needs one, tests/login.py's way)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from opendti.accounts.models import User
    from opendti.accounts.second_factor import confirmed_device

    client = Client(HTTP_HOST="127.0.0.1")
    if username:  # else an anonymous reader
        user = User.objects.get(username=username)
        client.force_login(user)
        device = confirmed_device(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    call = client.get if method == "GET" else client.post
    headers = {"HTTP_HX_REQUEST": "true"} if method == "POST" else {}
    typed = iter(range(11, 99))

    def fill(fields: dict[str, str]) -> dict[str, str]:
        """A save: the card's current version (read from the page) and a new number."""
        if fields.get("version") != "auto":
            return fields
        page, code = path.split("chi-so/")[0], path.split("chi-so/")[1].split("/")[0]
        text = client.get(page).content.decode().split(f"/chi-so/{code}/luu/")[1]
        version = re.search(r'name="version" value="(\d+)"', text)
        assert version is not None
        return {k: (version[1] if k == "version" else f"{next(typed)},5") for k in fields}

    call(path, fill(data), **headers)  # warm: imports, caches
    data = fill(data)
    reset_queries()
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        profiler.enable()
        response = call(path, data, **headers)
        profiler.disable()
        seconds = time.perf_counter() - start
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"opendti", 25)
    sql = sum(float(q["time"]) for q in queries.captured_queries)
    return {
        "status": response.status_code,
        "bytes": len(
            b"".join(response.streaming_content) if response.streaming else response.content
        ),
        "seconds": seconds,
        "queries": len(queries.captured_queries),
        "sql_seconds": sql,
        "top": _top(stats),
        "text": out.getvalue(),
    }


# The middleware and decorators every request passes through: their cumulative time is the whole
# request's, which says nothing about where it goes.
WRAPPERS = ("middleware.py", "core/logs.py", "core/limits.py", "core/hardening.py", "context.py")


def _top(stats: pstats.Stats, limit: int = 14) -> list[tuple[str, float]]:
    """The project's functions below the view that took longest (cumulative seconds), then
    where the time is spent in any module (own seconds, marked `self`)."""
    rows, own = [], []
    for (file, line, name), (_cc, _nc, tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = file.split("/site-packages/")[-1].split("/src/")[-1]
        own.append((f"self {where}:{line} {name}", round(tt, 3)))
        if "/opendti/" in file and not where.endswith(WRAPPERS) and name != "wrapper":
            rows.append((f"{where}:{line} {name}", round(cumulative, 3)))
    rows.sort(key=lambda r: -r[1])
    own.sort(key=lambda r: -r[1])
    return rows[:limit] + own[:8]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    built = steps.add_parser("build")
    built.add_argument("--units", type=int, default=3400)
    built.add_argument("--focal-points", type=int, default=300)
    planned = steps.add_parser("plan")
    planned.add_argument("--units", type=int, default=3400)
    planned.add_argument("--focal-points", type=int, default=300)
    steps.add_parser("appraise")
    steps.add_parser("settle")
    counted = steps.add_parser("count")
    counted.add_argument("--since", type=float, required=True)
    counted.add_argument("--acks", type=Path, required=True)
    profiled = steps.add_parser("profile")
    profiled.add_argument("--user", default="", help="none: an anonymous reader")
    profiled.add_argument("--method", default="GET")
    profiled.add_argument("--path", required=True)
    profiled.add_argument("--data", default="{}")
    args = parser.parse_args(argv)
    _setup()
    if args.step == "build":
        found = build(args.units, args.focal_points)
    elif args.step == "plan":
        found = plan(args.units, args.focal_points)
    elif args.step == "appraise":
        found = appraise()
    elif args.step == "settle":
        found = settle()
    elif args.step == "count":
        found = count(args.since, args.acks)
    else:
        found = profile(args.user, args.method, args.path, json.loads(args.data))
    print(json.dumps(found, default=_json))
    return 0


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


if __name__ == "__main__":
    raise SystemExit(main())
