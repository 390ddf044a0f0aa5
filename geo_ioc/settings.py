"""Django settings, all read from the environment with local defaults."""

from __future__ import annotations

import ipaddress
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from geo_ioc.core.config import BASE_DIR, env_bool, env_int, env_list, env_str

DEBUG = env_bool("DEBUG", False)

_secret = env_str("SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    _secret = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY: str = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    # Before our apps: their `tasks.py` modules register on its app at start-up.
    "procrastinate.contrib.django",
    "geo_ioc.core",
    "geo_ioc.cameras",
    "geo_ioc.operations",
    "geo_ioc.sensors",
    "geo_ioc.land",
    "geo_ioc.indicators",
    "geo_ioc.socioeconomic",
    "geo_ioc.search",
    "geo_ioc.walls",
    "geo_ioc.reports",
    "geo_ioc.client",
    "layers",
    "tiles",
    "fixtures",
]

MIDDLEWARE = [
    "geo_ioc.core.errors.JsonErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CSP and X-Frame-Options (Django's two middlewares for them, without their thread hops).
    "geo_ioc.core.headers.SecurityHeadersMiddleware",
    "geo_ioc.core.static.StaticFilesMiddleware",  # WhiteNoise, async capable
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "geo_ioc.core.auth.TokenAuthenticationMiddleware",
    "geo_ioc.core.limits.ThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "geo_ioc.core.errors.ApiErrorMiddleware",
]

ROOT_URLCONF = "geo_ioc.urls"
ASGI_APPLICATION = "geo_ioc.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# Under ASGI every request may run in a new thread, and Django's persistent connections are
# per thread: they pile up until "too many clients". A psycopg pool per process bounds them.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 10, minimum=0)
_db = dj_database_url.parse(
    env_str("DATABASE_URL", "postgis://root@127.0.0.1:5432/geoioc") or "",
    conn_max_age=0 if DB_POOL_SIZE else env_int("DB_CONN_MAX_AGE", 0, minimum=0),
    conn_health_checks=not DB_POOL_SIZE,
)
_db["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# JIT slows tile queries down (reference/tile-performance.md): keep it off on our connections.
_db.setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DB_POOL_SIZE:
    _db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 10}
# Each test run gets a database of its own, so concurrent runs on one machine never collide.
_db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or f"test_{_db['NAME']}_{os.getpid()}"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# The MQTT broker of station readings (`geo-ioc mqtt`, `geo-ioc simulate`); optional.
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883") or "mqtt://127.0.0.1:1883"
# Request bodies, refused with a 413 before they are read (geo_ioc/core/guard.py): any request,
# and the layer files of `POST /imports`.
GEO_IOC_MAX_BODY_BYTES = env_int("GEO_IOC_MAX_BODY_BYTES", 2_621_440, minimum=1024)
GEO_IOC_MAX_UPLOAD_BYTES = env_int("GEO_IOC_MAX_UPLOAD_BYTES", 200 * 2**20, minimum=1024)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh") or "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "static"
# MapLibre GL JS comes from npm (package.json) and is served by us: no CDN, works offline.
STATICFILES_DIRS = [("vendor/maplibre-gl", BASE_DIR / "node_modules" / "maplibre-gl" / "dist")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/admin/login/"
CSRF_FAILURE_VIEW = "geo_ioc.core.http.csrf_failure"

# --- Accounts, tokens and rate limits (geo_ioc.core.auth, geo_ioc.core.throttle) ----------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("GEO_IOC_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens expire this many days after they are issued (0: never); a rotated token stays
# valid this many hours beside its successor (0: revoked at once).
GEO_IOC_TOKEN_DAYS = env_int("GEO_IOC_TOKEN_DAYS", 90, minimum=0)
GEO_IOC_TOKEN_GRACE_HOURS = env_int("GEO_IOC_TOKEN_GRACE_HOURS", 24, minimum=0)
# Open WebSocket and SSE streams re-check their user's session or token this often (and at
# once when a token is revoked or a user logs out); a stream whose credential ended closes.
GEO_IOC_STREAM_RECHECK_SECONDS = env_int("GEO_IOC_STREAM_RECHECK_SECONDS", 30, minimum=1)


def _throttle(name: str, limit: int, seconds: int) -> tuple[int, int]:
    """GEO_IOC_THROTTLE_<NAME>=limit/seconds, e.g. 5/900."""
    raw = env_str(f"GEO_IOC_THROTTLE_{name.upper()}")
    if raw is None:
        return limit, seconds
    try:
        got_limit, got_seconds = (int(v) for v in raw.split("/"))
    except ValueError:
        raise ImproperlyConfigured(
            f"GEO_IOC_THROTTLE_{name.upper()}={raw!r}: use LIMIT/SECONDS"
        ) from None
    if got_limit < 1 or got_seconds < 1:
        raise ImproperlyConfigured(f"GEO_IOC_THROTTLE_{name.upper()}={raw!r}: both at least 1")
    return got_limit, got_seconds


# Limits per window: failed logins per account (then it is locked for the window) and per
# address, failed tokens per address, writes per user (or address), export starts per user.
GEO_IOC_THROTTLE = {
    "login_account": _throttle("login_account", 5, 900),
    "login_ip": _throttle("login_ip", 20, 900),
    "token_ip": _throttle("token_ip", 20, 300),
    "write": _throttle("write", 120, 60),
    "export": _throttle("export", 10, 600),
}

# --- Behind TLS (production) ---------------------------------------------------------------------
# GEO_IOC_HTTPS (default: on unless DEBUG) makes cookies secure, sends HSTS and redirects plain
# HTTP to HTTPS. Behind a TLS-terminating proxy, GEO_IOC_TRUSTED_PROXY=1 trusts its
# X-Forwarded-Proto header; set it only when the proxy is the sole way in (it overwrites the
# header), or a client could claim HTTPS for itself.
GEO_IOC_HTTPS = env_bool("GEO_IOC_HTTPS", not DEBUG)
if env_bool("GEO_IOC_TRUSTED_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies whose X-Forwarded-For is believed (CIDRs, e.g. "10.0.0.0/8,127.0.0.1/32"): only
# a request that comes from one of them is read from the header, right to left, the first
# address that is not itself a trusted proxy being the client (geo_ioc.core.throttle.client_ip).
GEO_IOC_TRUSTED_PROXIES = env_list("GEO_IOC_TRUSTED_PROXIES", [])
for _cidr in GEO_IOC_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"GEO_IOC_TRUSTED_PROXIES: {_cidr!r} is not an address or a CIDR network"
        ) from None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GEO_IOC_HTTPS
SECURE_SSL_REDIRECT = GEO_IOC_HTTPS
# Probes of the container platform speak plain HTTP to the server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("GEO_IOC_HSTS_SECONDS", 31536000, minimum=0) if GEO_IOC_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GEO_IOC_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GEO_IOC_HSTS_PRELOAD", False)
# Preloading is a commitment of the whole domain, made by its owner, not a default.
SILENCED_SYSTEM_CHECKS_EXTRA = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# X-Frame-Options is set by geo_ioc.core.headers, not by Django's middleware that W002 looks for.
SILENCED_SYSTEM_CHECKS_EXTRA.append("security.W002")
# An operator's shift, not two weeks; the browser forgets the session when it closes too.
SESSION_COOKIE_AGE = env_int("GEO_IOC_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("GEO_IOC_SESSION_BROWSER_CLOSE", False)
# Nothing of ours is meant to be framed (walls are full pages of their own).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The console's scripts are same-origin files (ES modules, MapLibre); MapLibre builds its
# workers from blob: URLs and draws images from blob:/data: URLs. 'self' in connect-src
# covers same-origin ws:/wss: too (CSP Level 3).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "child-src": ["'self'", "blob:"],
    "img-src": ["'self'", "data:", "blob:"],
    "style-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Admin pages only: where GeoDjango's map widget loads OpenLayers from, and its background tiles.
GEO_IOC_ADMIN_CSP_SOURCES = (
    env_str("GEO_IOC_ADMIN_CDN", "https://cdn.jsdelivr.net") or "https://cdn.jsdelivr.net",
    env_str("GEO_IOC_ADMIN_TILES", "https://tile.openstreetmap.org")
    or "https://tile.openstreetmap.org",
)

# GDAL < 3.9 cannot sandbox SRS lookups; we only ever hand it EPSG codes we validated.
SILENCED_SYSTEM_CHECKS = ["gis.W001", *SILENCED_SYSTEM_CHECKS_EXTRA]

# Where the demo city's open data lives (GEO_IOC_DATA_DIR, default ../shared/data).
GEO_IOC_DATA_DIR = env_str("GEO_IOC_DATA_DIR", str(BASE_DIR.parent / "shared" / "data"))
# Schema holding tables created by imports; kept apart from Django's own tables.
GEO_IOC_LAYER_SCHEMA = env_str("GEO_IOC_LAYER_SCHEMA", "layer_data") or "layer_data"
# Glyph ranges of the map labels (`GET /fonts/…`), one folder per font, built by
# scripts/build-glyphs.sh (run by scripts/setup.sh) from fonts installed by npm.
GEO_IOC_GLYPHS_DIR = env_str("GEO_IOC_GLYPHS_DIR") or str(BASE_DIR / "build" / "glyphs")
# Video walls of the control room (geo_ioc.walls): a file path; unset, the demo city's walls.
GEO_IOC_WALLS_FILE = env_str("GEO_IOC_WALLS_FILE") or str(
    BASE_DIR / "fixtures" / "demo" / "walls.yaml"
)
# Server-side tile cache: auto (Redis when REDIS_URL is set, else memory), redis, local or off.
GEO_IOC_TILE_CACHE = (env_str("GEO_IOC_TILE_CACHE", "auto") or "auto").lower()
if GEO_IOC_TILE_CACHE not in ("auto", "redis", "local", "off"):
    raise ImproperlyConfigured("GEO_IOC_TILE_CACHE must be auto, redis, local or off")
# Memory budget of the in-process tile cache, per server process.
GEO_IOC_TILE_CACHE_MB = env_int("GEO_IOC_TILE_CACHE_MB", 256, minimum=1)
# Tiles rendered at once per server process (tiles.threads), one database connection each.
GEO_IOC_TILE_THREADS = env_int("GEO_IOC_TILE_THREADS", os.cpu_count() or 2, minimum=1)
if DB_POOL_SIZE and GEO_IOC_TILE_THREADS > DB_POOL_SIZE:
    raise ImproperlyConfigured(
        f"GEO_IOC_TILE_THREADS={GEO_IOC_TILE_THREADS} is above DB_POOL_SIZE={DB_POOL_SIZE}:"
        " tile threads would wait for connections"
    )
# Anonymous tiles of public layers answered in front of Django (tiles.fastpath); off to compare.
GEO_IOC_TILE_FASTPATH = env_bool("GEO_IOC_TILE_FASTPATH", True)
# No tile is served above this size: over it, the layers' rules are applied more strictly.
GEO_IOC_TILE_MAX_BYTES = env_int("GEO_IOC_TILE_MAX_BYTES", 500 * 1024, minimum=1024)
# gzip level of tiles (1: cheap, and MVT gains little from more).
GEO_IOC_TILE_GZIP_LEVEL = env_int("GEO_IOC_TILE_GZIP_LEVEL", 1, minimum=1)
# Tile statements are prepared on each pooled connection (planning costs about as much as a
# small tile's execution); off behind a pooler in transaction mode (PgBouncer before 1.21).
GEO_IOC_TILE_PREPARE = env_bool("GEO_IOC_TILE_PREPARE", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "geo_ioc.core.logredact.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own handler would print each request warning a second time.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# Land parcels (geo_ioc.land). Areas are measured in the province's VN-2000 TM-3 zone, whose
# central meridian picks the EPSG code (Lâm Đồng: 107°45′ = EPSG:5899). The province boundary,
# for refusing clicks outside it, is the `admin_units` row with this code.
GEO_IOC_LAND_SRID = env_int("GEO_IOC_LAND_SRID", 5899, minimum=1)
GEO_IOC_LAND_PROVINCE_CODE = env_str("GEO_IOC_LAND_PROVINCE_CODE", "68") or "68"

# --- OGC API Features and exports (layers/ogc, layers/exports) -------------------------------
# Page sizes of /ogc/collections/{layer}/items: the default page and the largest a client may ask.
GEO_IOC_OGC_LIMIT_DEFAULT = env_int("GEO_IOC_OGC_LIMIT_DEFAULT", 10, minimum=1)
GEO_IOC_OGC_LIMIT_MAX = env_int("GEO_IOC_OGC_LIMIT_MAX", 10000, minimum=1)
if GEO_IOC_OGC_LIMIT_DEFAULT > GEO_IOC_OGC_LIMIT_MAX:
    raise ImproperlyConfigured(
        f"GEO_IOC_OGC_LIMIT_DEFAULT={GEO_IOC_OGC_LIMIT_DEFAULT} is above "
        f"GEO_IOC_OGC_LIMIT_MAX={GEO_IOC_OGC_LIMIT_MAX}"
    )
# Finished export files (and the temporary files of direct downloads) live here.
GEO_IOC_EXPORT_DIR = env_str("GEO_IOC_EXPORT_DIR", str(BASE_DIR / "var" / "exports")) or str(
    BASE_DIR / "var" / "exports"
)
# `GET /export/{layer}` streams at most this many features; larger exports are jobs (POST /exports).
GEO_IOC_EXPORT_SYNC_MAX = env_int("GEO_IOC_EXPORT_SYNC_MAX", 50000, minimum=1)
# Anonymous direct downloads are smaller: a larger export needs an account (and a job).
GEO_IOC_EXPORT_ANON_MAX = env_int("GEO_IOC_EXPORT_ANON_MAX", 10000, minimum=1)
# Direct downloads written at once per server process; more wait, then get a 429.
GEO_IOC_EXPORT_DIRECT_SLOTS = env_int("GEO_IOC_EXPORT_DIRECT_SLOTS", 2, minimum=1)
GEO_IOC_EXPORT_DIRECT_WAIT_SECONDS = env_int("GEO_IOC_EXPORT_DIRECT_WAIT_SECONDS", 20, minimum=0)
# Export jobs one user may have queued or running at once (429 beyond).
GEO_IOC_EXPORT_JOBS_PER_USER = env_int("GEO_IOC_EXPORT_JOBS_PER_USER", 3, minimum=1)
# Finished export files are deleted this many hours after they were made.
GEO_IOC_EXPORT_KEEP_HOURS = env_int("GEO_IOC_EXPORT_KEEP_HOURS", 24, minimum=1)
# pyogrio reports every written layer at INFO ("Created 2,844 records"): keep exports quiet.
LOGGING["loggers"]["pyogrio"] = {"level": "WARNING"}  # type: ignore[index]

# --- The live path (geo_ioc/core/live) ----------------------------------------------------------
# Entries of the event log are kept this long: a client that was away longer reloads instead of
# replaying what it missed.
GEO_IOC_EVENT_RETENTION_HOURS = env_int("GEO_IOC_EVENT_RETENTION_HOURS", 72, minimum=1)

# --- Jobs (geo_ioc.core.jobs: procrastinate on PostgreSQL) -------------------------------------
# Each app's `tasks.py` is discovered at start-up; the core's own tasks (stalled-job recovery) and
# any extra modules named in GEO_IOC_JOBS_MODULES (comma-separated) are imported by workers.
PROCRASTINATE_IMPORT_PATHS = ["geo_ioc.core.jobs", *env_list("GEO_IOC_JOBS_MODULES", [])]
# Jobs run at once by one `geo-ioc worker` process (its --concurrency overrides it).
GEO_IOC_JOBS_CONCURRENCY = env_int("GEO_IOC_JOBS_CONCURRENCY", 2, minimum=1)
# A failed job is tried again up to this many times, waiting BACKOFF**attempt seconds between.
GEO_IOC_JOBS_RETRIES = env_int("GEO_IOC_JOBS_RETRIES", 3, minimum=0)
GEO_IOC_JOBS_BACKOFF_SECONDS = env_int("GEO_IOC_JOBS_BACKOFF_SECONDS", 4, minimum=1)
# Workers beat every HEARTBEAT seconds; a worker silent for STALLED seconds is dead and its
# running jobs are queued again (checked every STALLED seconds by the `retry_stalled` task).
GEO_IOC_JOBS_HEARTBEAT_SECONDS = env_int("GEO_IOC_JOBS_HEARTBEAT_SECONDS", 10, minimum=1)
GEO_IOC_JOBS_STALLED_SECONDS = env_int("GEO_IOC_JOBS_STALLED_SECONDS", 60, minimum=2)
if GEO_IOC_JOBS_STALLED_SECONDS <= 2 * GEO_IOC_JOBS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        f"GEO_IOC_JOBS_STALLED_SECONDS={GEO_IOC_JOBS_STALLED_SECONDS} must be more than twice "
        f"GEO_IOC_JOBS_HEARTBEAT_SECONDS={GEO_IOC_JOBS_HEARTBEAT_SECONDS}: live workers would "
        "look dead"
    )
# Ended jobs are deleted from the queue after this many days (a daily periodic task).
GEO_IOC_JOBS_KEEP_DAYS = env_int("GEO_IOC_JOBS_KEEP_DAYS", 7, minimum=1)
# Files uploaded to POST /imports wait here for their import job (removed once it has run).
GEO_IOC_UPLOAD_DIR = env_str("GEO_IOC_UPLOAD_DIR") or str(BASE_DIR / "var" / "uploads")
# Seconds between the sweeps run by workers (alert rules of silence, station freshness).
GEO_IOC_SWEEP_SECONDS = env_int("GEO_IOC_SWEEP_SECONDS", 60, minimum=1)
LOGGING["loggers"]["procrastinate"] = {"level": env_str("GEO_IOC_JOBS_LOG_LEVEL", "WARNING")}  # type: ignore[index]

# Citizen reports (geo_ioc.reports): the layer whose polygons route a report (its deepest
# `level` among these first; a point in none of them is outside the province) …
GEO_IOC_REPORTS_AREA_LAYER = env_str("GEO_IOC_REPORTS_AREA_LAYER", "admin_units") or "admin_units"
GEO_IOC_REPORTS_AREA_LEVELS = [
    int(v) for v in env_list("GEO_IOC_REPORTS_AREA_LEVELS", ["3", "2"]) if v.strip()
]
# … the Open311 jurisdiction_id, the abuse limit (reports per IP per hour) and photo limits.
GEO_IOC_REPORTS_JURISDICTION = env_str("GEO_IOC_REPORTS_JURISDICTION", "lamdong.gov.vn") or ""
GEO_IOC_REPORTS_PER_IP_HOUR = env_int("GEO_IOC_REPORTS_PER_IP_HOUR", 10, minimum=1)
# How often the worker closes reports resolved longer ago than the reopening window (7 days).
GEO_IOC_REPORTS_CLOSE_SECONDS = env_int("GEO_IOC_REPORTS_CLOSE_SECONDS", 3600, minimum=60)
GEO_IOC_REPORTS_PHOTO_MAX_BYTES = env_int("GEO_IOC_REPORTS_PHOTO_MAX_BYTES", 8_000_000, minimum=1)
GEO_IOC_REPORTS_PHOTO_MAX_PIXELS = env_int(
    "GEO_IOC_REPORTS_PHOTO_MAX_PIXELS", 40_000_000, minimum=1
)

# Followers of a report are told of its public status changes (geo_ioc.reports.notify): e-mail
# through Django's mail backend (SMTP when EMAIL_HOST is set, else the console), SMS through an
# HTTP gateway (GEO_IOC_SMS_URL + token; unset: SMS rows are skipped), links on the public URL.
# The environment's EMAIL_* variables make Django's default mailer. Only a debug server without
# EMAIL_HOST prints mail to the console; a production one sends by SMTP, to the local mail
# server (localhost:25) unless EMAIL_HOST names another.
_email_host = env_str("EMAIL_HOST", "") or ""
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND")
        or (
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG and not _email_host
            else "django.core.mail.backends.smtp.EmailBackend"
        ),
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": env_int("EMAIL_PORT", 25, minimum=1),
            "username": env_str("EMAIL_HOST_USER", "") or "",
            "password": env_str("EMAIL_HOST_PASSWORD", "") or "",
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
        }
        if _email_host
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@localhost") or "no-reply@localhost"
GEO_IOC_PUBLIC_URL = (env_str("GEO_IOC_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
GEO_IOC_SMS_URL = env_str("GEO_IOC_SMS_URL", "") or ""
GEO_IOC_SMS_TOKEN = env_str("GEO_IOC_SMS_TOKEN", "") or ""
GEO_IOC_NOTIFY_RETRIES = env_int("GEO_IOC_NOTIFY_RETRIES", 5, minimum=0)
# The worker sends what is still queued this long after it was written (a lost job, a restart).
GEO_IOC_NOTIFY_SWEEP_SECONDS = env_int("GEO_IOC_NOTIFY_SWEEP_SECONDS", 300, minimum=10)

# --- cameras ----------------------------------------------------------------------------------
# No heartbeat for this long makes a camera offline (the health sweep runs every sweep period).
GEO_IOC_CAMERA_OFFLINE_SECONDS = env_int("GEO_IOC_CAMERA_OFFLINE_SECONDS", 120, minimum=10)
# Uploaded frames wait for their analysis job in Redis memory, never on disk (unmasked); this
# Redis must not persist (no RDB, no AOF). Defaults to REDIS_URL; unset: uploads answer 503.
GEO_IOC_CAMERA_FRAMES_REDIS = env_str("GEO_IOC_CAMERA_FRAMES_REDIS") or REDIS_URL
# At most Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), under which the body is read.
GEO_IOC_CAMERA_FRAME_MAX_BYTES = env_int(
    "GEO_IOC_CAMERA_FRAME_MAX_BYTES", 2_000_000, minimum=10_000
)
# Seconds between pulls of the cameras' snapshot URLs by the workers (0: never pull).
GEO_IOC_CAMERA_PULL_SECONDS = env_int("GEO_IOC_CAMERA_PULL_SECONDS", 0, minimum=0)
# Masked snapshots kept per camera (older ones are pruned unless attached to an event).
GEO_IOC_CAMERA_SNAPSHOTS_KEEP = env_int("GEO_IOC_CAMERA_SNAPSHOTS_KEEP", 50, minimum=1)
# A camera's masked snapshot is kept at most this often (event evidence besides); the frames in
# between are analysed without looking for faces and plates and never stored (needs the frames
# Redis, where their motion images stay; without it every frame is fully masked and kept).
GEO_IOC_CAMERA_SNAPSHOT_SECONDS = env_int("GEO_IOC_CAMERA_SNAPSHOT_SECONDS", 30, minimum=0)
# Days number-plate reads and cold-fine events are kept (personal data: a legal limit).
GEO_IOC_ANPR_RETENTION_DAYS = env_int("GEO_IOC_ANPR_RETENTION_DAYS", 30, minimum=1)
