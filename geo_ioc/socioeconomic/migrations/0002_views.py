"""Views of today's and historic units (catalogue layers) and the demo's hash function."""

from importlib import resources

from django.db import migrations


def _sql(name: str) -> str:
    return resources.files("geo_ioc.socioeconomic").joinpath("sql", name).read_text()


class Migration(migrations.Migration):
    dependencies = [("socioeconomic", "0001_initial")]

    operations = [
        migrations.RunSQL(
            _sql("functions.sql"), "DROP FUNCTION IF EXISTS socioeconomic_hash(text)"
        ),
        migrations.RunSQL(
            _sql("views.sql"),
            "DROP VIEW IF EXISTS socioeconomic_current_unit;"
            " DROP VIEW IF EXISTS socioeconomic_historic_unit",
        ),
    ]
