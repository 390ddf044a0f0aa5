from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "Layer catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the change-feed hooks and the registration of the apps' layers."""
        from layers import services, signals

        signals.connect()
        services.connect()
