from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQL = Path(__file__).resolve().parent.parent / "sql" / "audit_append_only.sql"


class Migration(migrations.Migration):
    dependencies = [
        ("land", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Deleting a user must not rewrite the entries about them (the trigger refuses it): the
        # user id stays as written, without a foreign key; the username is in the entry too.
        migrations.AlterField(
            model_name="auditentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(
            SQL.read_text(),
            reverse_sql="DROP TRIGGER IF EXISTS land_audit_append_only ON land_auditentry;"
            " DROP TRIGGER IF EXISTS land_audit_no_truncate ON land_auditentry;"
            " DROP FUNCTION IF EXISTS land_audit_refuse();",
        ),
    ]
