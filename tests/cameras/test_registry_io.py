"""The camera registry as CSV and GeoPackage: exported over HTTP (admins) and by the command,
read by GDAL's own ogr2ogr, imported back all or nothing with a report per row."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from geo_ioc.cameras import registry
from geo_ioc.cameras.models import Camera
from tests.conftest import Users
from tests.helpers import auth

pytestmark = pytest.mark.django_db


def ogr_features(path: Path) -> list[dict]:  # type: ignore[type-arg]
    """The features of a file as GDAL's ogr2ogr reads them (GeoJSON on stdout)."""
    out = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)["features"]  # type: ignore[no-any-return]


def test_export_is_for_admins_and_ogr_reads_the_geopackage(
    http: httpx.Client, users: Users, tmp_path: Path
) -> None:
    url = "/cameras/registry/export?format=gpkg"
    assert http.get(url).status_code == 401
    refused = http.get(url, headers=auth(users.operator))
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    bad = http.get("/cameras/registry/export?format=xls", headers=auth(users.admin))
    assert bad.status_code == 400 and bad.json()["field"] == "format"

    got = http.get(url, headers=auth(users.admin))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/geopackage+sqlite3"
    assert got.headers["cache-control"] == "private, no-store"
    path = tmp_path / "cameras.gpkg"
    path.write_bytes(got.content)
    features = ogr_features(path)
    cams = {c.code: c for c in Camera.objects.all()}
    assert sorted(f["properties"]["code"] for f in features) == sorted(cams)
    for f in features:
        cam = cams[f["properties"]["code"]]
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert (lon, lat) == pytest.approx((cam.geom.x, cam.geom.y), abs=1e-7)
        assert f["properties"]["name"] == cam.name and f["properties"]["kind"] == cam.kind
        masks = f["properties"]["privacy_masks"]  # JSON text (GDAL may render it as JSON)
        assert (json.loads(masks) if isinstance(masks, str) else masks) == cam.privacy_masks
        assert f["properties"]["stream_url"] == cam.stream_url

    plain = http.get("/cameras/registry/export?urls=0", headers=auth(users.admin))
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    header = plain.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "code" in header and "lon" in header and "stream_url" not in header


def test_round_trip_unchanged_then_an_edit_and_a_new_camera(tmp_path: Path) -> None:
    # The GeoPackage back as it is, and once reprojected by GDAL (to UTM 49N): nothing changes.
    gpkg = tmp_path / "cameras.gpkg"
    call_command("cameras", "export", str(gpkg), "--with-urls", stdout=io.StringIO())
    utm = tmp_path / "utm.gpkg"
    subprocess.run(["ogr2ogr", "-t_srs", "EPSG:32649", str(utm), str(gpkg)], check=True, timeout=60)
    count = Camera.objects.count()
    for path in (gpkg, utm):
        report = registry.import_registry(path.read_bytes(), urls=True)
        assert report.ok and report.written
        assert report.count("unchanged") == count, [r for r in report.rows if r.changed]

    # The CSV, with one camera turned and one new camera, through the command.
    csv_path = tmp_path / "cameras.csv"
    call_command("cameras", "export", str(csv_path), stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    first = Camera.objects.exclude(heading_deg=None).order_by("code").first()
    assert first is not None and first.fov is not None
    before = first.fov.wkt
    turned = (first.heading_deg + 90) % 360  # type: ignore[operator]
    for row in rows:
        if row["code"] == first.code:
            row["heading_deg"] = str(turned)
    new = {k: "" for k in rows[0]}
    new.update(
        code="CAM-NEW-1",
        name="Camera mới (nhập từ tệp)",
        kind="traffic",
        lon=str(first.geom.x + 0.001),
        lat=str(first.geom.y),
        heading_deg="45",
        privacy_masks="[[[0,0],[0.2,0],[0.2,0.2]]]",
    )
    rows.append(new)
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    printed = io.StringIO()
    call_command("cameras", "import", str(csv_path), "--json", stdout=printed)
    text = printed.getvalue()
    report = json.loads(text[: text.rindex("}") + 1])
    assert (report["created"], report["updated"], report["error"]) == (1, 1, 0)
    by_code = {r["code"]: r for r in report["rows"]}
    assert by_code[first.code]["action"] == "updated"
    assert by_code[first.code]["changed"] == ["heading_deg"]
    first.refresh_from_db()
    assert first.heading_deg == turned
    assert first.fov is not None and first.fov.wkt != before, "the field of view recomputed"
    made = Camera.objects.get(code="CAM-NEW-1")
    assert made.fov is not None and made.privacy_masks == [[[0, 0], [0.2, 0], [0.2, 0.2]]]
    assert made.stream_url == "", "a CSV without URL columns leaves them empty"


def test_one_bad_row_and_nothing_is_written(http: httpx.Client, users: Users) -> None:
    body = (
        "code,name,kind,lon,lat,heading_deg,privacy_masks\n"
        "CAM-IO-OK,Camera tốt,traffic,108.44,11.94,90,[]\n"
        "CAM-IO-BAD,Camera sai,tank,108.44,95,400,\n"
        "CAM-IO-NOPOS,Chưa có vị trí,traffic,,,,\n"
        "CAM-IO-MASK,Mặt nạ sai,security,108.44,11.94,0,[[[0,0],[2,0],[0,1]]]\n"
        "CAM-IO-OK,Trùng mã,traffic,108.44,11.94,90,[]\n"
    ).encode()
    url = "/cameras/registry/import"
    headers = {**auth(users.admin), "Content-Type": "text/csv"}
    refused = http.post(url, content=body, headers={**auth(users.operator)})
    assert refused.status_code == 403
    got = http.post(url, content=body, headers=headers)
    assert got.status_code == 422, got.text
    err = got.json()
    assert err["code"] == "registry_rows_refused" and "nothing was imported" in err["message"]
    report = err["report"]
    assert report["written"] is False and report["error"] == 4
    rows = {(r["row"], r["code"]): r for r in report["rows"]}
    assert rows[(2, "CAM-IO-OK")]["action"] == "created"
    bad = {e["field"] for e in rows[(3, "CAM-IO-BAD")]["errors"]}
    assert bad == {"kind", "lat", "heading_deg"}
    assert {e["field"] for e in rows[(4, "CAM-IO-NOPOS")]["errors"]} == {"lon", "lat"}
    assert [e["field"] for e in rows[(5, "CAM-IO-MASK")]["errors"]] == ["privacy_masks"]
    assert [e["field"] for e in rows[(6, "CAM-IO-OK")]["errors"]] == ["code"]
    assert not Camera.objects.filter(code__startswith="CAM-IO-").exists()

    good = body.split(b"\n")[:2]
    dry = http.post(f"{url}?dry_run=1", content=b"\n".join(good), headers=headers)
    assert dry.status_code == 200 and dry.json()["dry_run"] and not dry.json()["written"]
    assert dry.json()["created"] == 1
    assert not Camera.objects.filter(code__startswith="CAM-IO-").exists()

    for junk in (
        b"",
        b"\xff\xfe\x00 not utf-8",
        b"name,kind\nx,traffic\n",
        b"SQLite format 3\x00xx",
    ):
        got = http.post(url, content=junk, headers=headers)
        assert got.status_code == 400 and got.json()["code"] == "invalid_registry_file", junk


def test_the_command_refuses_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "cameras.csv"
    path.write_text("code,name,lon,lat\nCAM-X,,108.4,11.9\n", "utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("cameras", "import", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"\.csv or \.gpkg"):
        call_command("cameras", "export", str(tmp_path / "cameras.xlsx"), stdout=io.StringIO())
    assert not Camera.objects.filter(code="CAM-X").exists()
