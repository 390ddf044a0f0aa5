from django.apps import AppConfig


class WallsConfig(AppConfig):
    name = "geo_ioc.walls"
    label = "walls"
    verbose_name = "Video walls"

    def ready(self) -> None:
        """Speak `wall_*` messages on the live WebSocket."""
        from geo_ioc.core.live import sockets
        from geo_ioc.walls.live import WallSession

        sockets.register("wall_", WallSession)
