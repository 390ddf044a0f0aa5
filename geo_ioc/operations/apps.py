from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "geo_ioc.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        """Make the alert rules follow the event log."""
        from geo_ioc.core.live import durable
        from geo_ioc.operations import rulekinds
        from layers.access import derive

        # An alert of a geofence rule quotes its incident's description.
        derive("alerts", "description", "incidents", "description")

        # The alert rules follow every committed change, once, in commit order.
        durable.follow("alert-rules", rulekinds.on_changes)
