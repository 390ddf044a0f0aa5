"""HTTP API of cameras: registry, health, frames, snapshots (audited), coverage, ANPR."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo_ioc.cameras import anpr, coverage, frames, health, queries, registry, services, tasks
from geo_ioc.cameras.errors import (
    FramesUnavailable,
    FrameTooLarge,
    InvalidAnpr,
    InvalidFrame,
    InvalidHeartbeats,
    InvalidRegistryFile,
    RegistryRowsRefused,
)
from geo_ioc.cameras.models import Camera, Health, Snapshot
from geo_ioc.core import jobs
from geo_ioc.core.errors import InvalidParameter, NotAuthenticated, NotFound, PermissionDenied
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.params import bbox_param, int_param, time_param
from geo_ioc.core.roles import Role, user_roles
from layers.access import get_visible_layer

LAYER = "cameras"
# Gateways and the video-management system send with a token of an operator or admin user.
SENDERS = {Role.OPERATOR.value, Role.ADMIN.value}
ANPR_SENDERS = {Role.POLICE.value, Role.ADMIN.value}


def _camera(code: str) -> Camera:
    found = Camera.objects.filter(code=code).first()
    if found is None:
        raise NotFound(f"No camera {code!r}.", field="camera")
    return found


def _is_admin(request: HttpRequest) -> bool:
    return Role.ADMIN.value in user_roles(request.user)


def _require(request: HttpRequest, roles: set[str], what: str) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated(f"{what} requires an API token.")
    if not user_roles(request.user) & roles:
        raise PermissionDenied(f"{what} is for {', '.join(sorted(roles))}.")


def _json_list(
    request: HttpRequest, key: str, error: type[InvalidHeartbeats | InvalidAnpr], most: int
) -> list[Any]:
    try:
        body = json.loads(request.body or b"null")
    except json.JSONDecodeError as exc:
        raise error(f"The body is not valid JSON: {exc.msg} at {exc.pos}.") from None
    batch = body.get(key) if isinstance(body, dict) else body
    if not isinstance(batch, list) or not batch:
        raise error()
    if len(batch) > most:
        raise error(f"A batch holds at most {most} items, got {len(batch)}.", field=key)
    return batch


@allow("GET")
def cameras(request: HttpRequest) -> HttpResponse:
    """All cameras (in `bbox` if given) as GeoJSON; stream and snapshot URLs for admins only."""
    get_visible_layer(request.user, LAYER)
    box = bbox_param(request)
    qs = Camera.objects.order_by("code")
    if box is not None:
        qs = qs.filter(geom__intersects=Polygon.from_bbox(tuple(box)))  # type: ignore[arg-type]
    admin = _is_admin(request)
    features = [queries.camera_feature(c, admin=admin) for c in qs]
    return json_response({"type": "FeatureCollection", "features": features})


@allow("GET", "PATCH")
def camera(request: HttpRequest, code: str) -> HttpResponse:
    """One camera with its health, latest snapshot link and uptime over 24 h; PATCH edits."""
    get_visible_layer(request.user, LAYER)
    if request.method == "PATCH":
        return _edit(request, code)
    cam = _camera(code)
    feature = queries.camera_feature(
        cam,
        admin=_is_admin(request),
        health=Health.objects.filter(camera=cam).first(),
        snapshot_id=queries.latest_snapshot_id(cam),
    )
    per_camera, _ = queries.uptime(timezone.now(), 24)
    feature["properties"]["uptime_24h"] = per_camera.get(cam.code)
    return json_response(feature)


@allow("GET")
def snapshot(request: HttpRequest, code: str) -> HttpResponse:
    """A masked snapshot (`id`, default the newest) as JPEG; every view is audited."""
    get_visible_layer(request.user, LAYER)
    cam = _camera(code)
    qs = Snapshot.objects.filter(camera=cam).select_related("camera")
    raw = request.GET.get("id")
    if raw is not None:
        if not raw.isdigit():
            raise NotFound(f"No snapshot {raw!r}.", field="id")
        found = qs.filter(pk=int(raw)).first()
    else:
        found = qs.order_by("-taken_at", "-id").first()
    if found is None:
        raise NotFound(f"Camera {code} has no such snapshot.", field="id")
    services.audit_snapshot_view(request.user, found, request.get_full_path())
    response = HttpResponse(bytes(found.jpeg), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"  # each view must reach the audit log
    response["X-Snapshot-Id"] = str(found.pk)
    response["X-Taken-At"] = found.taken_at.isoformat()
    return response


@allow("GET")
def metrics(request: HttpRequest, code: str) -> HttpResponse:
    """The newest frame measures of a camera, oldest first (`limit` ≤ 500, default 60)."""
    get_visible_layer(request.user, LAYER)
    cam = _camera(code)
    limit = int_param(request, "limit", 60, 1, 500)
    return json_response({"camera": cam.code, "metrics": queries.metrics_series(cam, limit)})


@allow("POST")
def heartbeats(request: HttpRequest) -> HttpResponse:
    """Heartbeats from cameras or the video-management system; statuses follow."""
    get_visible_layer(request.user, LAYER)
    _require(request, SENDERS, "Sending heartbeats")
    report = health.record_heartbeats(
        _json_list(request, "heartbeats", InvalidHeartbeats, health.MAX_BATCH)
    )
    return json_response(
        report.as_dict(), status=422 if report.rejected and not report.accepted else 200
    )


@allow("POST")
def upload_frame(request: HttpRequest, code: str) -> HttpResponse:
    """One JPEG from a gateway: parked in memory for a worker to mask and analyse (202)."""
    get_visible_layer(request.user, LAYER)
    _require(request, SENDERS, "Sending frames")
    cam = _camera(code)
    if request.content_type not in ("image/jpeg", "application/octet-stream"):
        raise InvalidFrame(field="Content-Type")
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > settings.GEO_IOC_CAMERA_FRAME_MAX_BYTES:
        raise FrameTooLarge()
    data = request.body
    if not data.startswith(frames.JPEG_MAGIC):
        raise InvalidFrame("The body is not a JPEG (it must start with FF D8 FF).")
    taken_at = time_param(request, "taken_at")
    client = frames.frames_redis()
    if client is None:
        raise FramesUnavailable()
    key = frames.park(client, data)
    job = jobs.defer(
        tasks.analyse_upload,
        camera=cam.code,
        key=key,
        taken_at=taken_at.isoformat() if taken_at else None,
    )
    return json_response({"camera": cam.code, "job": job, "bytes": len(data)}, status=202)


class ViewChange(BaseModel):
    """A new bearing, angle or range (the console's sector drag)."""

    model_config = ConfigDict(extra="forbid")
    heading_deg: int | None = Field(default=None, ge=0, le=359)
    fov_deg: int | None = Field(default=None, ge=1, le=360)
    range_m: float | None = Field(default=None, gt=0, le=2000)
    in_maintenance: bool | None = None


def _edit(request: HttpRequest, code: str) -> HttpResponse:
    """Turn a camera's view or put it in maintenance (operators and admins)."""
    _require(request, SENDERS, "Editing cameras")
    cam = _camera(code)
    try:
        change = ViewChange.model_validate_json(request.body or b"{}")
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidParameter(
            f"{err['msg']}", field=".".join(map(str, err["loc"])) or None
        ) from None
    if change.in_maintenance is not None:
        health.set_maintenance(cam, change.in_maintenance)
    if {change.heading_deg, change.fov_deg, change.range_m} != {None}:
        services.update_view(
            cam, heading_deg=change.heading_deg, fov_deg=change.fov_deg, range_m=change.range_m
        )
    cam.refresh_from_db()
    feature = queries.camera_feature(cam, admin=_is_admin(request))
    # The field of view as recomputed (cut by buildings), for the console to draw at once.
    feature["properties"]["fov"] = json.loads(cam.fov.geojson) if cam.fov else None
    return json_response(feature)


@allow("GET")
def coverage_report(request: HttpRequest) -> HttpResponse:
    """Per commune: road length and places no camera sees (`working=1`: live cameras only)."""
    get_visible_layer(request.user, "camera_coverage")
    working = request.GET.get("working", "0")
    if working not in ("0", "1", "true", "false"):
        raise InvalidParameter("working must be 0 or 1.", field="working")
    try:
        rows = coverage.report(working=working in ("1", "true"))
    except coverage.MissingLayer as exc:
        raise NotFound(f"The coverage report needs the layer {exc.args[0]!r}.") from None
    return json_response(
        {"working_only": working in ("1", "true"), "communes": [r.as_dict() for r in rows]}
    )


@allow("GET")
def uptime(request: HttpRequest) -> HttpResponse:
    """Share of time online or degraded per camera and per owner unit (`hours` 1–720, 24)."""
    get_visible_layer(request.user, LAYER)
    hours = int_param(request, "hours", 24, 1, 720)
    per_camera, per_unit = queries.uptime(timezone.now(), hours)
    return json_response({"hours": hours, "cameras": per_camera, "owner_units": per_unit})


@allow("GET")
def wall(request: HttpRequest) -> HttpResponse:
    """The cameras in `bbox` with their newest snapshot link, tampered and offline first."""
    get_visible_layer(request.user, LAYER)
    box = bbox_param(request)
    limit = int_param(request, "limit", 12, 1, 48)
    qs = Camera.objects.all()
    if box is not None:
        qs = qs.filter(geom__intersects=Polygon.from_bbox(tuple(box)))  # type: ignore[arg-type]
    cams = sorted(qs, key=lambda c: (not c.tamper, c.status != Camera.Status.OFFLINE, c.code))[
        :limit
    ]
    latest = queries.latest_snapshots([c.pk for c in cams])
    tiles = []
    for c in cams:
        tiles.append(
            {
                "code": c.code,
                "name": c.name,
                "status": c.status,
                "tamper": c.tamper,
                "congestion": c.congestion,
                "snapshot": f"/cameras/{c.code}/snapshot?id={latest[c.pk][0]}"
                if c.pk in latest
                else None,
                "taken_at": latest[c.pk][1].isoformat() if c.pk in latest else None,
            }
        )
    return json_response({"cameras": tiles})


@allow("POST")
def anpr_events(request: HttpRequest) -> HttpResponse:
    """Plate reads and cold-fine violations from the external system (police and admins)."""
    get_visible_layer(request.user, anpr.LAYER)
    _require(request, ANPR_SENDERS, "Sending plate reads")
    report = anpr.ingest(_json_list(request, "events", InvalidAnpr, anpr.MAX_BATCH))
    usable = report["inserted"] + report["duplicates"]
    return json_response(report, status=422 if report["rejected"] and not usable else 200)


# --- the registry as a file (CSV or GeoPackage) ---------------------------------------------------
ADMINS = {Role.ADMIN.value}
REGISTRY_MAX_BYTES = 20_000_000


@allow("GET")
def registry_export(request: HttpRequest) -> HttpResponse:
    """The camera registry as `format=csv` (default) or `gpkg`; admins only, with the URLs."""
    _require(request, ADMINS, "Exporting the camera registry")
    fmt = request.GET.get("format", "csv")
    if fmt not in registry.FORMATS:
        raise InvalidParameter("format is csv or gpkg.", field="format")
    urls = request.GET.get("urls", "1") != "0"
    data = registry.export(fmt, urls=urls)  # type: ignore[arg-type]
    response = HttpResponse(data, content_type=registry.FORMATS[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cameras-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"  # it holds the stream URLs
    return response


@allow("POST")
def registry_import(request: HttpRequest) -> HttpResponse:
    """Create and update cameras from a CSV or GeoPackage body, all or nothing (admins only).

    `?dry_run=1` checks and reports without writing. `200` with the per-row report; `422` with
    it when a row is wrong (nothing written).
    """
    _require(request, ADMINS, "Importing the camera registry")
    data = request.body
    if not data:
        raise InvalidRegistryFile()
    if len(data) > REGISTRY_MAX_BYTES:
        raise InvalidRegistryFile(f"A registry file is at most {REGISTRY_MAX_BYTES} bytes.")
    dry_run = request.GET.get("dry_run", "0") not in ("0", "", "false")
    try:
        report = registry.import_registry(data, urls=True, dry_run=dry_run)
    except registry.RegistryFileError as exc:
        raise InvalidRegistryFile(str(exc)) from None
    if not report.ok:
        raise RegistryRowsRefused(report.as_dict())
    return json_response(report.as_dict())
