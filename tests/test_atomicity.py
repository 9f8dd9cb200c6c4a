"""Fault injection: every multi-row write is all or nothing.

Each operation runs once to record which rows it writes, then again with a failure injected just before its
last write to the database (and before one in the middle): afterwards every row of every surveys and metrics
table must be exactly as it was. An operation that loses its transaction leaves its first writes behind and
fails here.

The failure is injected below the ORM (a database execute wrapper), and the operations are driven through the
commands and pages staff use, so the tests do not depend on how the services are written.
"""

import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from surveys.models import ReviewComment, Submission
from tests.conftest import login_staff
from tests.factories import QUESTIONNAIRES, SubmissionFactory, answer_create, review_questionnaire

pytestmark = pytest.mark.django_db

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
DOMAIN_TABLES = ("surveys_", "metrics_")


class InjectedFault(Exception):
    """The failure this module injects (a lost connection, a full disk, a killed worker...)."""


@contextmanager
def domain_writes(*, fail_at: int | None = None):
    """Record each INSERT/UPDATE/DELETE on a surveys or metrics table; raise InjectedFault before write `fail_at`."""
    writes: list[str] = []

    def wrapper(execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(1).startswith(DOMAIN_TABLES):
            writes.append(match.group(1))
            if len(writes) == fail_at:
                raise InjectedFault(f"injected before write {fail_at} ({match.group(1)})")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield writes


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every surveys and metrics table (through tables included)."""
    models = [
        model
        for label in ("surveys", "metrics")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    return {model._meta.db_table: list(model._base_manager.order_by("pk").values_list()) for model in models}


def assert_all_or_nothing(run) -> list[str]:
    """Run `run` once (rolled back) to count its writes, then fail it at the last and a middle write."""
    with transaction.atomic():
        with domain_writes() as writes:
            run()
        transaction.set_rollback(True)
    assert len(writes) >= 2, f"expected a multi-row write, saw {writes}"
    before = snapshot()
    for fail_at in sorted({len(writes), (len(writes) + 1) // 2}):
        with domain_writes(fail_at=fail_at), pytest.raises(InjectedFault):
            run()
        assert snapshot() == before, f"rows left behind after a failure before write {fail_at} of {writes}"
    run()  # and without a failure it still works, so the snapshot check above was not vacuous
    assert snapshot() != before
    return writes


# --- The operations -------------------------------------------------------------------------------------


def test_an_import_that_fails_at_its_last_write_leaves_nothing(tmp_path, org_a, administrator):
    review_questionnaire(2026)
    from tests.factories import MilepostFactory

    MilepostFactory(code="sbd_review_process")
    path = tmp_path / "answers.csv"
    rows = ["organization,year,question,value"]
    for name in (org_a.name, "Nova Streaming", "Orbit Chat"):
        rows += [
            f"{name},2026,image_hashing,photodna;pdq",
            f"{name},2026,supplemental_reports,yes",
            f"{name},2026,authority_reporting,api_only",
            f"{name},2026,trust_safety_staff,12",
            f"{name},2026,milepost,sbd_review_process",
        ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    def run():
        call_command(
            "import_responses",
            str(path),
            "--approve",
            "--create-organizations",
            "--user",
            administrator.email,
            "--no-progress",
        )

    writes = assert_all_or_nothing(run)
    # Answers and audit rows go by COPY on PostgreSQL, which the wrapper does not see; the rows still count.
    assert {"surveys_organization", "surveys_submission"} <= set(writes)


def test_an_approval_that_fails_at_its_last_write_leaves_nothing(client, org_a, reviewer):
    submission = SubmissionFactory(
        organization=org_a, cycle=review_questionnaire(2026), status=Submission.Status.SUBMITTED
    )
    answer_create(submission, "supplemental_reports", True)
    for body in ("Check the hashing answer.", "And the staff number."):
        ReviewComment.objects.create(submission=submission, author=reviewer, body=body)
    login_staff(client, reviewer)
    url = reverse("surveys:review-approve", args=[submission.pk])

    def run():
        client.post(url, {"expected_status": "submitted", "note": "Thanks."})

    writes = assert_all_or_nothing(run)
    assert {"surveys_submission", "surveys_auditevent", "surveys_reviewcomment"} <= set(writes)


def test_a_republication_that_fails_at_its_last_write_leaves_nothing():
    from metrics.services import indicators_recompute
    from tests.factories import add_approved, build_cycle

    cycle = build_cycle(2025)
    add_approved(cycle, 5)
    indicators_recompute(year=2025)
    call_command("publish_year", "2025", "--note", "First results.")
    add_approved(cycle, 7)
    indicators_recompute(year=2025)

    writes = assert_all_or_nothing(
        lambda: call_command("publish_year", "2025", "--note", "Seven more members.")
    )
    assert {"metrics_release", "metrics_releasevalue", "metrics_correction"} <= set(writes)


def test_a_recompute_that_fails_at_its_last_write_leaves_nothing():
    from metrics.services import indicators_recompute
    from tests.factories import add_approved, build_cycle

    cycle = build_cycle(2025)
    add_approved(cycle, 6)
    indicators_recompute(year=2025)
    add_approved(cycle, 3)

    writes = assert_all_or_nothing(lambda: call_command("recompute_indicators", "2025"))
    assert "metrics_indicatorvalue" in set(writes)


def test_starting_a_cycle_that_fails_at_its_last_write_leaves_nothing():
    review_questionnaire(2026)

    writes = assert_all_or_nothing(
        lambda: call_command("start_cycle", "2027", "--opens", "2027-01-10", "--closes", "2027-03-31")
    )
    assert {"surveys_surveycycle", "surveys_question", "surveys_option"} <= set(writes)


def test_loading_a_questionnaire_with_its_mileposts_that_fails_at_its_last_write_leaves_nothing():
    writes = assert_all_or_nothing(
        lambda: call_command(
            "load_questionnaire",
            str(QUESTIONNAIRES / "2025.yaml"),
            "--mileposts",
            str(QUESTIONNAIRES / "mileposts.yaml"),
            "--opens",
            "2025-09-01",
            "--closes",
            "2025-12-15",
        )
    )
    assert {"surveys_milepost", "surveys_surveycycle", "surveys_question"} <= set(writes)


def test_a_bulk_approval_of_imported_submissions_is_all_or_nothing(org_a, org_b, reviewer):
    """One submission that cannot be approved (still a draft) keeps the others from being approved."""
    from surveys.services import workflow

    cycle = review_questionnaire(2026)
    ready = SubmissionFactory(organization=org_a, cycle=cycle, status=Submission.Status.SUBMITTED)
    draft = SubmissionFactory(organization=org_b, cycle=cycle, status=Submission.Status.DRAFT)
    before = snapshot()

    with pytest.raises(workflow.TransitionError):
        workflow.submissions_approve(submissions=[ready, draft], reviewer=reviewer)

    assert snapshot() == before


def test_the_questionnaire_service_alone_is_all_or_nothing():
    """`questionnaire_load` is also called by `start_cycle` and the demo, not only inside the command's transaction."""
    from surveys.services.questionnaires import questionnaire_load

    writes = assert_all_or_nothing(lambda: questionnaire_load(path_or_data=QUESTIONNAIRES / "2025.yaml"))
    assert {"surveys_surveycycle", "surveys_section", "surveys_question", "surveys_option"} <= set(writes)
