"""Search compares names without diacritics: `unaccent` (a trusted extension since PostgreSQL 13)."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [UnaccentExtension()]
