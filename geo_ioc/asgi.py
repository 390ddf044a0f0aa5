"""ASGI entry point (uvicorn): HTTP now, WebSockets through Channels as they arrive."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
application = get_asgi_application()
