from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _cursors(sender: Any, **kwargs: Any) -> None:
    from geo_ioc.core.live import durable

    durable.ensure_cursors()


class CoreConfig(AppConfig):
    name = "geo_ioc.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        """Discover the apps' domain contracts; give durable subscribers positions on migrate."""
        from geo_ioc.core import domains

        domains.autodiscover()
        # Receivers of login, logout and token signals (rate limits, stream re-checks).
        from geo_ioc.core import limits, stream_auth  # noqa: F401

        # Durable subscribers start at the end of the log when they are first migrated in.
        post_migrate.connect(_cursors, sender=self, dispatch_uid="core-durable-cursors")
