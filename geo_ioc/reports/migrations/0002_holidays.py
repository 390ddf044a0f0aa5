"""Load the public holidays of `calendar.yaml` (an admin edits them afterwards)."""

from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    from geo_ioc.reports.clock import read_file

    Holiday = apps.get_model("reports", "Holiday")
    for day, name in read_file()["holidays"].items():
        Holiday.objects.update_or_create(date=date.fromisoformat(str(day)), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
