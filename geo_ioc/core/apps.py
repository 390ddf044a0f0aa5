from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "geo_ioc.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        """Discover the domain contracts of the installed apps (their `domain` modules)."""
        from geo_ioc.core import domains

        domains.autodiscover()
