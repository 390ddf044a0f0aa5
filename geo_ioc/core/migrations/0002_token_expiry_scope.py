from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="ThrottleCount",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("count", models.IntegerField(default=0)),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, help_text="None: never", null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("full", "Full"), ("read", "Read"), ("gateway", "Gateway")],
                default="full",
                max_length=8,
            ),
        ),
        # Tokens issued before expiry existed get the default lifetime from now.
        migrations.RunSQL(
            "UPDATE core_apitoken SET expires_at = now() + interval '90 days'"
            " WHERE expires_at IS NULL AND NOT revoked",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
