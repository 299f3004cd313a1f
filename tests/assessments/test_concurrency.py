"""Two people saving the same indicator at the same moment: exactly one save wins, the other gets
the conflict with both versions, and nothing is lost or silently overwritten. Real threads, real
connections, on the database the suite runs on (PostgreSQL in CI's second run)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.models import Answer, Change, InputValue, Submission
from opendti.assessments.services import Conflict, answer_save
from opendti.frameworks.models import Node
from opendti.results.demo import OPEN_PERIOD, demo_load

ROUNDS = 8


def _race(submission_pk: int, node_pk: int, version: int, values: list[str]) -> dict:
    barrier = threading.Barrier(len(values))
    outcome: dict[str, object] = {}

    def save(value: str) -> None:
        try:
            submission = Submission.objects.select_related("participation__period").get(
                pk=submission_pk
            )
            node = Node.objects.get(pk=node_pk)
            actor = User.objects.get(username="daumoi")
            barrier.wait(timeout=10)
            answer_save(
                submission=submission, node=node, raw={"": value}, version=version, actor=actor
            )
            outcome[value] = "saved"
        except Conflict as conflict:
            outcome[value] = conflict
        except Exception as error:  # surfaced by the assertions below
            outcome[value] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_indicator():
    demo_load()
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    node = Node.objects.get(framework=submission.participation.period.framework, code="1.2")
    for round_number in range(ROUNDS):
        version = round_number
        mine, theirs = str(10 + 2 * round_number), str(11 + 2 * round_number)
        outcome = _race(submission.pk, node.pk, version, [mine, theirs])

        saved = [v for v, o in outcome.items() if o == "saved"]
        conflicts = {v: o for v, o in outcome.items() if isinstance(o, Conflict)}
        assert len(saved) == 1 and len(conflicts) == 1, outcome
        winner, (loser, conflict) = saved[0], next(iter(conflicts.items()))
        # The database holds the winner's value, the loser is told what is stored and keeps
        # what they typed: nothing silently overwritten, nothing lost.
        assert InputValue.objects.get(submission=submission, node=node).value == winner
        assert conflict.theirs == {"": winner}
        assert conflict.yours == {"": loser}
        assert Answer.objects.get(submission=submission, node=node).version == version + 1
        history = list(Change.objects.filter(submission=submission, node=node).order_by("-pk")[:1])
        assert history[0].after == winner
    assert Change.objects.filter(submission=submission, node=node).count() == ROUNDS
