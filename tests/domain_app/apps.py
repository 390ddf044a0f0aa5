from django.apps import AppConfig


class DomainAppConfig(AppConfig):
    """A domain that plugs in through the contract alone: nothing outside this folder names it."""

    name = "tests.domain_app"
    label = "domain_app"
    verbose_name = "Kiosks (a test domain)"
    default_auto_field = "django.db.models.BigAutoField"
