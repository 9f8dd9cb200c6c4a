# Login compares e-mail addresses case-insensitively, so two accounts may not differ only by case.

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


def lowercase_emails(apps, schema_editor):
    User = apps.get_model("surveys", "User")
    seen: dict[str, str] = {}
    clashes = []
    for pk, email in User.objects.values_list("pk", "email"):
        lower = email.strip().lower()
        if lower in seen:
            clashes.append(f"{seen[lower]} / {email}")
        seen[lower] = email
    if clashes:
        raise RuntimeError(
            "These accounts differ only by the case of their e-mail address; merge or rename them in the admin, "
            "then migrate again: " + "; ".join(clashes)
        )
    User.objects.exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("surveys", "0002_audit_log_append_only"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"), name="user_email_unique_ignoring_case"
            ),
        ),
    ]
