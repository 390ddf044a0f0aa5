from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The `admin` role reads the audit log (Django admin → Audit entries), read-only.
ADMIN_ROLE_PERMISSIONS = ("view_auditentry",)


def _grant_admin_role(sender: AppConfig, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    from geo_ioc.core.roles import Role

    group, _ = Group.objects.get_or_create(name=Role.ADMIN.value)
    perms = Permission.objects.filter(
        content_type__app_label="land", codename__in=ADMIN_ROLE_PERMISSIONS
    )
    group.permissions.add(*perms)


class LandConfig(AppConfig):
    name = "geo_ioc.land"
    label = "land"
    verbose_name = "Land parcels"

    def ready(self) -> None:
        """Permissions exist only after migrate: grant the admin role's then."""
        post_migrate.connect(_grant_admin_role, sender=self)
