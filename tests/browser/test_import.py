"""An administrator imports a file on the staff import page: the preview says, per organisation, what is added,
changed and removed before anything is written; confirming imports exactly that."""

import pytest

from surveys.models import Answer
from tests.factories import (
    OrganizationFactory,
    SubmissionFactory,
    UserFactory,
    answer_create,
    review_questionnaire,
)

from .conftest import log_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_preview_counts_removals_per_organisation_before_anything_is_written(page):
    cycle = review_questionnaire(2026)
    driftwood = SubmissionFactory(organization=OrganizationFactory(name="Driftwood Video"), cycle=cycle)
    answer_create(driftwood, "image_hashing", ["photodna"])
    answer_create(driftwood, "supplemental_reports", True)
    answer_create(driftwood, "authority_reporting", "api_only")
    answer_create(driftwood, "trust_safety_staff", 4)
    OrganizationFactory(name="Harbour Messaging")
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    log_in_staff(page, administrator, "/staff/import/")

    csv = (
        "organization,year,question,value\n"
        "Driftwood Video,2026,image_hashing,pdq\n"
        "Harbour Messaging,2026,supplemental_reports,no\n"
    )
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "driftwood.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_label("Remove answers and mileposts the file does not mention").check()
    page.get_by_role("button", name="Check the file").click()

    summary = page.get_by_test_id("import-summary")
    assert "3 removed" in summary.inner_text()
    table = page.get_by_test_id("import-organisations")
    driftwood_row = table.locator("tr", has_text="Driftwood Video").inner_text().split("\t")
    assert driftwood_row[1:] == ["2026", "draft", "0", "1", "0", "3", "0"]
    assert "Harbour Messaging" in table.inner_text()
    assert Answer.objects.filter(submission=driftwood).count() == 4  # nothing written yet

    page.get_by_role("button", name="Import 2 submissions").click()
    assert "3 removed" in page.get_by_role("status").inner_text()
    assert list(Answer.objects.filter(submission=driftwood).values_list("question__code", flat=True)) == [
        "image_hashing"
    ]
