"""Create the database and its extensions before Django can connect to it."""

from __future__ import annotations

import psycopg
from psycopg import sql

from geo_ioc.core.config import env_str

DEFAULT_URL = "postgis://root@127.0.0.1:5432/geoioc"


def _conninfo(url: str, dbname: str | None = None) -> tuple[str, str]:
    import dj_database_url

    cfg = dj_database_url.parse(url)
    name = str(cfg["NAME"])
    parts = {
        "host": cfg.get("HOST") or "",
        "port": str(cfg.get("PORT") or ""),
        "user": cfg.get("USER") or "",
        "password": cfg.get("PASSWORD") or "",
        "dbname": dbname or name,
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v}), name


def init_database(url: str | None = None) -> None:
    """Create the database named in DATABASE_URL if missing, then the PostGIS extension."""
    url = url or env_str("DATABASE_URL", DEFAULT_URL) or DEFAULT_URL
    admin_info, name = _conninfo(url, dbname="postgres")
    with psycopg.connect(admin_info, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    info, _ = _conninfo(url)
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    print(f"database {name} ready with PostGIS")


def conninfo() -> str:
    """A libpq connection string for Django's default database (for LISTEN connections)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})
