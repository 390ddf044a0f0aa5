"""ASGI entry point (uvicorn): Django for HTTP, Channels for the live WebSocket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
# Django must be set up before the consumers (and their models) are imported.
django_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from geo_ioc.operations.consumers import LiveConsumer  # noqa: E402
from geo_ioc.operations.ws_auth import ws_auth  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_app,
        "websocket": ws_auth(URLRouter([path("ws/live", LiveConsumer.as_asgi())])),
    }
)
