"""The member's mileposts page (issue 11, case 8): one invalid entry never discards the valid ones, and the
error names the milepost and links to it."""

import pytest
from django.urls import reverse

from surveys.models import Submission

pytestmark = pytest.mark.django_db


def _url(org):
    return reverse("surveys:survey-mileposts", kwargs={"org_slug": org.slug, "year": 2025})


def _saved(org):
    submission = Submission.objects.get(organization=org)
    return dict(submission.mileposts.values_list("milepost__code", "description"))


def test_a_valid_milepost_is_kept_when_another_is_ticked_without_a_description(
    contributor_client, org_a, open_cycle
):
    response = contributor_client.post(
        _url(org_a),
        {
            "action": "mileposts",
            "advanced_sbd_review_process": "on",
            "description_sbd_review_process": "Every launch has a safety review.",
            "advanced_ocsea_risk_assessment": "on",
            "description_ocsea_risk_assessment": "",
        },
    )
    assert response.status_code == 200
    assert _saved(org_a) == {"sbd_review_process": "Every launch has a safety review."}
    html = response.content.decode()
    errors = html[html.index('data-testid="milepost-errors"') :][:600]
    assert 'href="#id_description_ocsea_risk_assessment"' in errors
    assert "1 milepost could not be saved" in errors
    assert "Not saved yet: “" in html  # the message names it too
    # What was typed stays in the form: the tick of the invalid one and the valid description.
    assert 'name="advanced_ocsea_risk_assessment"' in html and "Every launch has a safety review." in html


def test_an_invalid_entry_keeps_what_was_saved_before(contributor_client, org_a, open_cycle):
    contributor_client.post(
        _url(org_a),
        {
            "action": "mileposts",
            "advanced_sbd_review_process": "on",
            "description_sbd_review_process": "Reviews.",
        },
    )
    contributor_client.post(
        _url(org_a),
        {
            "action": "mileposts",
            "advanced_sbd_review_process": "on",
            "description_sbd_review_process": "",
            "advanced_ocsea_risk_assessment": "on",
            "description_ocsea_risk_assessment": "Yearly assessment.",
        },
    )
    assert _saved(org_a) == {"sbd_review_process": "Reviews.", "ocsea_risk_assessment": "Yearly assessment."}
