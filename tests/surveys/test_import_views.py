"""The staff import page: preview per organisation, merge or replace, problems, template and codebook."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import AuditEvent, Submission
from surveys.services import imports
from tests.factories import review_questionnaire

pytestmark = pytest.mark.django_db

HEADER = "organization,year,question,value\n"
COMPLETE = HEADER + (
    "Alpha Social,2026,supplemental_reports,yes\n"
    "Alpha Social,2026,image_hashing,pdq\n"
    "Alpha Social,2026,authority_reporting,api_only\n"
)


@pytest.fixture
def cycle():
    return review_questionnaire(2026)


def _upload(client, text, **flags):
    data = {"file": SimpleUploadedFile("answers.csv", text.encode(), content_type="text/csv"), **flags}
    return client.post(reverse("surveys:import-upload"), data)


def test_the_browser_import_previews_then_imports(admin_client, cycle, org_a):
    preview = _upload(admin_client, COMPLETE, approve="on")
    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Nothing has been written yet" in content and "will be <strong>approved</strong>" in content
    assert not Submission.objects.exists()
    token = preview.context["confirm_form"].initial["token"]
    done = admin_client.post(reverse("surveys:import-confirm"), {"token": token}, follow=True)
    assert (
        "Imported 3 answers and 0 mileposts into 1 submission (3 added, 0 changed, 0 removed), and approved 1."
        in done.content.decode()
    )
    assert Submission.objects.get().status == Submission.Status.APPROVED
    again = admin_client.post(reverse("surveys:import-confirm"), {"token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()


def test_the_preview_counts_removals_only_when_replacing(admin_client, cycle, org_a, administrator):
    imports.responses_import(text=COMPLETE, actor=administrator)
    one_row = HEADER + "Alpha Social,2026,supplemental_reports,no\n"
    merged = _upload(admin_client, one_row).context
    assert merged["planned"][0].removed == 2 and merged["summary"]["removed"] == 0
    assert "2 not in the file kept" in _upload(admin_client, one_row).content.decode()
    replaced = _upload(admin_client, one_row, replace="on")
    assert "<strong>2 removed</strong>" in replaced.content.decode()
    token = replaced.context["confirm_form"].initial["token"]
    admin_client.post(reverse("surveys:import-confirm"), {"token": token})
    assert Submission.objects.get().answers.count() == 1


def test_approving_an_incomplete_file_is_refused_with_the_missing_questions(admin_client, cycle, org_a):
    text = HEADER + "Alpha Social,2026,supplemental_reports,yes\n"
    content = _upload(admin_client, text, approve="on").content.decode()
    assert "Nothing was imported" in content
    assert "would miss 2 required answers: image_hashing, authority_reporting" in content


def test_two_clicks_on_confirm_import_once(admin_client, cycle, org_a, monkeypatch):
    from django.core.cache import cache

    class StaleReads:
        """Reads keep returning what they once saw, as for a second click racing the first."""

        def __init__(self, real):
            self.real, self.seen = real, {}

        def get(self, key, default=None):
            value = self.real.get(key, default)
            if value is not None:
                self.seen[key] = value
            return self.seen.get(key, default)

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr("surveys.services.import_previews.cache", StaleReads(cache))
    token = _upload(admin_client, COMPLETE).context["confirm_form"].initial["token"]
    assert admin_client.post(reverse("surveys:import-confirm"), {"token": token}).status_code == 302
    again = admin_client.post(reverse("surveys:import-confirm"), {"token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count() == 1


def test_the_browser_import_lists_every_problem_and_imports_nothing(admin_client, cycle, org_a):
    text = HEADER + "Alpha Social,2026,supplemental_reports,maybe\nNobody,2026,supplemental_reports,yes\n"
    content = _upload(admin_client, text).content.decode()
    assert "2 problems" in content
    assert "Line 2: supplemental_reports is a yes/no question" in content
    assert "Line 3: no organisation is called “Nobody”" in content
    assert not Submission.objects.exists()


def test_a_file_with_many_problems_shows_the_first_200_and_offers_them_all(admin_client, cycle, org_a):
    """Case 7: 200,000 invalid rows used to render a 35 MB page."""
    text = HEADER + "".join(f"Alpha Social,2026,no_such_question_{n},yes\n" for n in range(1000))
    response = _upload(admin_client, text)
    content = response.content.decode()
    assert "1000 problems" in content and content.count("no_such_question_") == 200
    assert len(content) < 100_000
    full = admin_client.get(reverse("surveys:import-problems", args=[response.context["problems_token"]]))
    rows = full.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1001 and rows[-1].startswith("1001,")


def test_the_problem_list_is_only_for_who_uploaded_it(admin_client, cycle, org_a, client):
    from tests.conftest import login_staff
    from tests.factories import UserFactory

    text = HEADER + "".join(f"Alpha Social,2026,no_such_question_{n},yes\n" for n in range(300))
    token = _upload(admin_client, text).context["problems_token"]
    other = UserFactory(staff_role="administrator")
    admin_client.logout()
    login_staff(client, other)
    assert client.get(reverse("surveys:import-problems", args=[token])).status_code == 404


def test_the_import_page_offers_a_template_and_a_codebook(admin_client, cycle):
    page = admin_client.get(reverse("surveys:import-upload")).content.decode()
    assert "is the organisation's <strong>name</strong>" in page
    template = admin_client.get(reverse("surveys:import-template", args=[2026])).content.decode("utf-8-sig")
    assert template.splitlines()[0] == "organization,year,question,value"
    assert "Example Organisation,2026,image_hashing," in template
    codebook = admin_client.get(reverse("surveys:import-codebook", args=[2026])).content.decode("utf-8-sig")
    assert 'authority_reporting,Single choice,yes,"one of: api_only, manual_only, none"' in codebook


def test_members_and_reviewers_cannot_import(reviewer_client, cycle):
    assert reviewer_client.get(reverse("surveys:import-upload")).status_code == 403
    assert reviewer_client.get(reverse("surveys:import-codebook", args=[2026])).status_code == 403
