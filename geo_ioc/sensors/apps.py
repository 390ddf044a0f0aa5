from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "geo_ioc.sensors"
    label = "sensors"
    verbose_name = "Sensors"

    def ready(self) -> None:
        """Register the station rule kinds."""
        from geo_ioc.operations import rulekinds
        from geo_ioc.sensors import rules

        rulekinds.register(rules.AQI_THRESHOLD)
        rulekinds.register(rules.SILENT)
