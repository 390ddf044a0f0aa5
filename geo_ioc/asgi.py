"""ASGI entry point (uvicorn): Django for HTTP behind the tile fast path, Channels for WebSocket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
# Django must be set up before the consumers (and their models) are imported.
django_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from geo_ioc.core.guard import limit_requests  # noqa: E402
from geo_ioc.core.live import listener  # noqa: E402
from geo_ioc.core.ws_auth import ws_auth  # noqa: E402
from layers.websocket import LiveConsumer  # noqa: E402
from tiles.fastpath import with_fast_path  # noqa: E402

# Import every view now, not in the first request each server process gets (about half a second).
get_resolver().url_patterns  # noqa: B018
# The process's one listener: tile cache, live clients, walls and the alert rules follow the
# event log from the start, so a write from elsewhere (psql, an import) reaches them too.
listener.start()

application = ProtocolTypeRouter(
    {
        # Anonymous tiles of public layers are answered before Django (tiles/fastpath.py).
        "http": limit_requests(with_fast_path(django_app)),
        "websocket": ws_auth(URLRouter([path("ws/live", LiveConsumer.as_asgi())])),
    }
)
