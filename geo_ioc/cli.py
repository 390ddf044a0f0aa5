"""The `geo-ioc` command: server, database set-up, and every Django management command."""

from __future__ import annotations

import argparse
import copy
import os
import sys
from typing import Any

from geo_ioc.core import db, workers

# Friendly names for management commands whose module names would clash with Python or Django.
ALIASES = {"import": "import_layer"}

USAGE = """usage: geo-ioc COMMAND [ARGS]

Commands:
  serve [--host H] [--port P] [--workers N]   run the ASGI server (uvicorn; N processes)
  dbinit                                      create the database and the PostGIS extension
  migrate                                     create or update the tables
  demo load                                   load the demo city (idempotent)
  tiles seed|purge|sizes --layers L [--zooms 10-16]   tile cache: pre-render, empty, sizes
  layers                                      list the catalogue with feature counts and extents
  import PATH --layer SLUG [...]              import a GeoPackage/Shapefile/GeoJSON/FlatGeobuf/CSV
  createuser NAME --role ROLE [--token]       create a user in a role, optionally with an API token
  export LAYER[,LAYER…] --format F --crs C    export layers to gpkg/shp/geojson/csv/fgb/kml (a job)
  worker [--concurrency N] [--queues Q,Q]      run jobs (exports, imports, sweeps) from the queue
  mqtt [--url URL] [--client-id ID]           consume station readings from the MQTT broker
  simulate [--interval S] [--direct]          publish simulated readings for the demo stations
  any other Django management command (shell, check, …)
"""


def _serve(argv: list[str]) -> int:
    import uvicorn

    from geo_ioc.core.config import env_bool

    parser = argparse.ArgumentParser(prog="geo-ioc serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    parser.add_argument(
        "--shared-socket",
        action="store_true",
        help="workers accept from one socket (uvicorn's way) instead of one SO_REUSEPORT each",
    )
    args = parser.parse_args(argv)
    # uvicorn's own lines (requests, WebSocket handshakes) name the full URL: mask secrets.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config.setdefault("filters", {})["redact"] = {"()": "geo_ioc.core.logredact.RedactSecrets"}
    for handler in log_config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    options: dict[str, Any] = {
        "lifespan": "off",
        "log_level": "info",
        "log_config": log_config,
        # One line per request; off (GEO_IOC_ACCESS_LOG=0) behind a proxy that logs already.
        "access_log": env_bool("GEO_IOC_ACCESS_LOG", True),
    }
    app = "geo_ioc.asgi:application"
    if args.workers > 1 and not args.shared_socket and workers.reuse_port_supported():
        # Each worker its own socket: the kernel spreads connections evenly (core/workers.py).
        return workers.serve(app, args.host, args.port, args.workers, options)
    uvicorn.run(app, host=args.host, port=args.port, workers=args.workers, **options)
    return 0


def _worker(argv: list[str]) -> int:
    import django

    parser = argparse.ArgumentParser(prog="geo-ioc worker")
    parser.add_argument(
        "--concurrency", type=int, help="jobs at once (default GEO_IOC_JOBS_CONCURRENCY, 2)"
    )
    parser.add_argument(
        "--queues", help="comma-separated queues to take jobs from (default: all)", default=""
    )
    parser.add_argument("--name", help="worker name in the logs")
    args = parser.parse_args(argv)
    django.setup()
    from geo_ioc.core import jobs

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    jobs.run_worker(concurrency=args.concurrency, queues=queues, name=args.name)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geo_ioc.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return _serve(rest)
    if command == "worker":
        return _worker(rest)
    if command == "dbinit":
        db.init_database()
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(["geo-ioc", ALIASES.get(command, command), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
