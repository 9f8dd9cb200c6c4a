from django.db import migrations


def install(apps, schema_editor):
    from surveys.audit import install_audit_guard

    install_audit_guard(schema_editor.connection)


def uninstall(apps, schema_editor):
    from surveys.audit import uninstall_audit_guard

    uninstall_audit_guard(schema_editor.connection)


class Migration(migrations.Migration):
    """On PostgreSQL, a trigger refuses UPDATE and DELETE on the audit log, whoever asks."""

    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
