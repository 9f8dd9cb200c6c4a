"""The audit log is append-only: through the model, the queryset, the admin and (PostgreSQL) the database."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from surveys.audit import install_audit_guard
from surveys.models import AuditEvent
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.COMMENT,
        organization=OrganizationFactory(),
        new_value="Hello",
        subject="image_hashing",
    )


def test_an_event_cannot_be_changed_or_deleted_through_the_model(event):
    event.note = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_events_cannot_be_changed_or_deleted_through_a_queryset(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_the_admin_shows_events_but_cannot_add_change_or_delete_them(admin_client, event):
    assert admin_client.get(reverse("admin:surveys_auditevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:surveys_auditevent_add")).status_code == 403
    assert admin_client.get(reverse("admin:surveys_auditevent_delete", args=[event.pk])).status_code == 403
    response = admin_client.post(reverse("admin:surveys_auditevent_change", args=[event.pk]), {"note": "x"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == ""


def test_the_database_refuses_raw_updates_and_deletes_once_the_guard_is_installed(event):
    assert install_audit_guard(connection) is True
    for sql in (
        "UPDATE surveys_auditevent SET note = 'tampered'",
        "DELETE FROM surveys_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    # Inserting is still allowed.
    AuditEvent.objects.create(kind=AuditEvent.Kind.COMMENT, new_value="Still works")
    assert AuditEvent.objects.count() == 2
