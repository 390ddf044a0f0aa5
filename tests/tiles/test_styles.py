"""Map styles and glyphs over real HTTP: complete, valid to the MapLibre spec, access-checked."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers.models import Layer
from tests.conftest import ROOT, Users
from tiles.styles import BASEMAP_DOMAINS, style_names

pytestmark = pytest.mark.django_db

VALIDATOR = ROOT / "node_modules" / ".bin" / "gl-style-validate"
OSM = "OpenStreetMap"
# Code points of Vietnamese text and the glyph range each lives in.
VIETNAMESE = {
    "0-255": "àáâãèéêìíòóôõùúýÀÂÊÔ",
    "256-511": "ăđơư",
    "768-1023": "\u0300\u0301\u0303\u0309\u0323",  # combining grave, acute, tilde, hook, dot
    "7680-7935": "ạảấầẩẫậỹ",
}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def _style(http: httpx.Client, name: str, token: str | None = None) -> dict[str, Any]:
    r = http.get(f"/styles/{name}.json", headers=_auth(token) if token else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def _slugs(style: dict[str, Any]) -> set[str]:
    return {entry["layer"] for entry in style["metadata"]["geo-ioc:legend"]}


def _glyph_ids(body: bytes) -> set[int]:
    """Code points in a glyphs protobuf (fontstacks=1 → glyphs=3 → id=1), decoded by hand."""

    def varint(buf: bytes, i: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = buf[i]
            value |= (byte & 0x7F) << shift
            i, shift = i + 1, shift + 7
            if byte < 0x80:
                return value, i

    def fields(buf: bytes) -> list[tuple[int, int | bytes]]:
        out: list[tuple[int, int | bytes]] = []
        i = 0
        while i < len(buf):
            key, i = varint(buf, i)
            if key & 7 == 0:
                value, i = varint(buf, i)
                out.append((key >> 3, value))
            elif key & 7 == 2:
                size, i = varint(buf, i)
                out.append((key >> 3, buf[i : i + size]))
                i += size
            else:
                raise AssertionError(f"unexpected wire type {key & 7}")
        return out

    ids = set()
    for number, stack in fields(body):
        assert number == 1 and isinstance(stack, bytes)
        for field, glyph in fields(stack):
            if field == 3:
                assert isinstance(glyph, bytes)
                ids |= {v for n, v in fields(glyph) if n == 1 and isinstance(v, int)}
    return ids


def test_every_style_passes_the_maplibre_validator(
    http: httpx.Client, users: Users, tmp_path: Path
) -> None:
    assert VALIDATOR.exists(), "npm packages missing: run scripts/setup.sh"
    files = []
    for name in style_names():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(_style(http, name, users.admin)), "utf-8")
        files.append(str(path))
    run = subprocess.run([str(VALIDATOR), *files], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_style_names_and_their_layers(http: httpx.Client, users: Users) -> None:
    catalogue = list(Layer.objects.values_list("slug", "domain"))
    basemap = {slug for slug, domain in catalogue if domain in BASEMAP_DOMAINS}
    assert {"admin_units", "land_use", "roads", "buildings"} <= basemap
    assert _slugs(_style(http, "basemap", users.admin)) == basemap
    assert _slugs(_style(http, "all", users.admin)) == {slug for slug, _ in catalogue}
    for name in style_names():
        if name in ("basemap", "all"):
            continue
        own = {slug for slug, domain in catalogue if domain == name}
        assert _slugs(_style(http, name, users.admin)) == basemap | own, name
    assert {"parcels", "planning_zones"} <= _slugs(_style(http, "land", users.admin))


def test_a_style_holds_only_layers_the_caller_may_see(http: httpx.Client, users: Users) -> None:
    anonymous = _slugs(_style(http, "security"))
    assert "poi_police" in anonymous
    assert not {"incidents", "alerts", "cameras"} & anonymous
    planner = _slugs(_style(http, "security", users.planner))
    assert {"incidents", "alerts"} <= planner and "cameras" not in planner
    operator = _style(http, "security", users.operator)
    assert {"incidents", "alerts", "cameras"} <= _slugs(operator)
    # Nothing of a hidden layer leaks through sources or style layers either.
    anon = _style(http, "all")
    hidden = {"incidents", "alerts", "cameras"}
    assert not hidden & {layer.get("source-layer") for layer in anon["layers"]}
    assert not any(s in source["url"] for source in anon["sources"].values() for s in hidden)


def test_style_document_is_complete_and_absolute(http: httpx.Client, live_url: str) -> None:
    style = _style(http, "all")
    assert style["version"] == 8
    assert style["glyphs"] == f"{live_url}/fonts/{{fontstack}}/{{range}}.pbf"
    lon, lat = style["center"]
    assert 108.2 < lon < 108.7 and 11.7 < lat < 12.2, "centred on Đà Lạt"
    assert style["layers"][0]["type"] == "background"
    # Every source is this server's TileJSON, which answers; every layer's source exists.
    for source in style["sources"].values():
        assert source["type"] == "vector" and source["url"].startswith(f"{live_url}/tiles/")
        tilejson = http.get(source["url"])
        assert tilejson.status_code == 200, source["url"]
        assert tilejson.json()["tiles"][0].startswith(f"{live_url}/tiles/")
    layer_sources = {layer["source"] for layer in style["layers"][1:]}
    assert layer_sources == set(style["sources"])
    # The static basemap travels in one composite source; live layers keep their own.
    assert "," in style["sources"]["basemap-tiles"]["url"]
    assert "poi_tourism" in style["sources"]
    ids = [layer["id"] for layer in style["layers"]]
    assert len(ids) == len(set(ids))


def test_osm_attribution_is_kept(http: httpx.Client) -> None:
    style = _style(http, "basemap")
    attribution = style["sources"]["basemap-tiles"]["attribution"]
    assert OSM in attribution and "ODbL" in attribution
    for source in _style(http, "all")["sources"].values():
        assert source.get("attribution"), source["url"]


def test_draw_order_is_areas_lines_points_labels(http: httpx.Client, users: Users) -> None:
    types = [layer["type"] for layer in _style(http, "all", users.admin)["layers"][1:]]
    rank = {"fill": 0, "line": 1, "circle": 2, "symbol": 3}
    assert [rank[t] for t in types] == sorted(rank[t] for t in types)


def test_named_features_get_labels_with_served_fonts(http: httpx.Client) -> None:
    style = _style(http, "all")
    labels = {
        layer["source-layer"]: layer
        for layer in style["layers"]
        if layer["type"] == "symbol" and "text-field" in layer.get("layout", {})
    }
    # Areas are labelled from their label points (one per feature), the rest from themselves.
    named = {"roads", "admin_units_label", "buildings_label", "poi_tourism", "poi_health"}
    assert named <= set(labels)
    assert labels["roads"]["layout"]["symbol-placement"] == "line"
    assert labels["roads"]["layout"]["text-field"] == ["get", "name"]
    # Wards are labelled, not the province and the district around them: the fill's filter.
    assert labels["admin_units_label"]["filter"] == ["==", ["get", "level"], 3]
    for layer in labels.values():
        stack = ",".join(layer["layout"]["text-font"])
        r = http.get(f"/fonts/{stack}/0-255.pbf")
        assert r.status_code == 200, (stack, r.text)


def test_legend_reads_the_fragments(http: httpx.Client) -> None:
    legend = {e["layer"]: e for e in _style(http, "all")["metadata"]["geo-ioc:legend"]}
    roads = legend["roads"]
    assert roads["title_vi"] == "Đường giao thông" and roads["title_en"] == "Roads"
    assert roads["domain"] == "transport" and roads["source"] == "basemap-tiles"
    motorway = next(r for r in roads["rows"] if r["label"] == "motorway, motorway_link")
    assert motorway == {
        "kind": "line",
        "label": "motorway, motorway_link",
        "field": "highway",
        "values": ["motorway", "motorway_link"],
        "colour": "#e31a1c",
        "stroke": None,
        "opacity": None,
        "is_default": False,
        "text": "Đường cao tốc, Nhánh nối cao tốc",
    }
    assert any(r["is_default"] and r["colour"] == "#ffffff" for r in roads["rows"])
    heritage = legend["heritage_buildings"]["rows"]
    assert heritage == [  # the outline is decoration, not a class
        {
            "kind": "fill",
            "label": None,
            "field": None,
            "values": [],
            "colour": "#b15928",
            "stroke": None,
            "opacity": 0.6,
            "is_default": False,
            "text": "Công trình kiến trúc Pháp",
        }
    ]
    stations = {r["label"]: r["colour"] for r in legend["env_stations"]["rows"]}
    assert stations["true"] == "#d9d9d9"  # stale first: a silent station is not good air


def test_unknown_style_is_a_json_404(http: httpx.Client) -> None:
    r = http.get("/styles/nope.json")
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "unknown_style" and "basemap" in body["message"]
    r = http.post("/styles/all.json")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_style_is_revalidated_by_etag(http: httpx.Client) -> None:
    first = http.get("/styles/basemap.json")
    assert first.headers["cache-control"] == "public, max-age=60"
    again = http.get("/styles/basemap.json", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("stack", ["Noto Sans Regular", "Noto Sans Bold"])
def test_glyphs_cover_vietnamese(http: httpx.Client, stack: str) -> None:
    for glyph_range, text in VIETNAMESE.items():
        r = http.get(f"/fonts/{stack}/{glyph_range}.pbf")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/x-protobuf"
        assert r.headers["cache-control"] == "public, max-age=31536000"
        assert stack.encode() in r.content
        missing = {c for c in text if ord(c) not in _glyph_ids(r.content)}
        assert not missing, (glyph_range, missing)


def test_fontstack_falls_back_to_the_first_served_font(http: httpx.Client) -> None:
    r = http.get("/fonts/Open Sans Semibold,Noto Sans Bold,Noto Sans Regular/0-255.pbf")
    assert r.status_code == 200
    assert b"Noto Sans Bold" in r.content and b"Noto Sans Regular" not in r.content


def test_glyphs_are_gzipped_on_request(http: httpx.Client) -> None:
    r = http.get("/fonts/Noto Sans Regular/7680-7935.pbf", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert 0x1EA1 in _glyph_ids(r.content)  # ạ, decompressed by the client


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/fonts/Comic Sans/0-255.pbf", "unknown_font"),
        ("/fonts/.building/0-255.pbf", "unknown_font"),
        # An encoded slash is decoded before routing: no route, nothing read from the disk.
        ("/fonts/..%2F..%2Fgeo_ioc/0-255.pbf", "not_found"),
        ("/fonts/Noto Sans Regular/5-10.pbf", "unknown_glyph_range"),
        ("/fonts/Noto Sans Regular/256-255.pbf", "unknown_glyph_range"),
        ("/fonts/Noto Sans Regular/65536-65791.pbf", "unknown_glyph_range"),
        ("/fonts/Noto Sans Regular/a-b.pbf", "unknown_glyph_range"),
    ],
)
def test_missing_fonts_and_ranges_are_json_404(http: httpx.Client, path: str, code: str) -> None:
    r = http.get(path)
    assert r.status_code == 404, r.text
    assert r.json()["code"] == code


def test_assembly_queries_do_not_grow_with_the_catalogue(
    users: Users, django_assert_max_num_queries: Any
) -> None:
    from django.contrib.auth import get_user_model

    from tiles.styles import StyleUrls, build_style

    admin = get_user_model().objects.get(username="test_admin")
    urls = StyleUrls("http://x/tiles/{layers}.json", "http://x/fonts/{fontstack}/{range}.pbf")
    with django_assert_max_num_queries(3):
        style = build_style(admin, "all", urls)
    assert len(style["sources"]) > 5


def test_symbols_are_made_drawable_offline() -> None:
    from tiles.labels import FONT_REGULAR, with_fonts

    icon_only = {"id": "icon", "type": "symbol", "layout": {"icon-image": "marker"}}
    assert with_fonts(icon_only) is None
    text = {"type": "symbol", "layout": {"text-field": "x", "text-font": ["Open Sans Bold"]}}
    assert with_fonts(text)["layout"]["text-font"] == ["Open Sans Bold", FONT_REGULAR]
    plain = {"type": "symbol", "layout": {"text-field": "x", "icon-image": "marker"}}
    assert with_fonts(plain)["layout"] == {"text-field": "x", "text-font": [FONT_REGULAR]}


def test_legend_of_steps_and_zoom_ramps() -> None:
    from tiles.legend import legend_rows

    step = {
        "type": "circle",
        "paint": {"circle-color": ["step", ["get", "aqi"], "#0f0", 51, "#ff0"]},
    }
    ramp = {
        "type": "line",
        "paint": {"line-color": ["interpolate", ["linear"], ["zoom"], 10, "#111", 16, "#222"]},
    }
    casing = {"id": "casing", "type": "line", "paint": {"line-color": "#000"}}
    rows = legend_rows([step, ramp, casing])
    assert [(r["kind"], r["label"], r["colour"]) for r in rows] == [
        ("circle", "< 51", "#0f0"),
        ("circle", "≥ 51", "#ff0"),
        ("line", None, "#222"),
    ]


def _legend(http: httpx.Client, query: str, token: str | None = None) -> dict[str, Any]:
    r = http.get(f"/styles/all.json?{query}", headers=_auth(token) if token else {})
    assert r.status_code == 200, r.text
    return {e["layer"]: e for e in r.json()["metadata"]["geo-ioc:legend"]}


def _text(entry: dict[str, Any], value: str) -> str:
    return str(next(r["text"] for r in entry["rows"] if value in r["values"]))


def test_legend_names_values_from_the_catalogue_in_vi_and_en(
    http: httpx.Client, users: Users
) -> None:
    vi = _legend(http, "lang=vi", users.operator)
    en = _legend(http, "lang=en", users.operator)
    assert _text(vi["incidents"], "traffic_accident") == "Tai nạn giao thông"
    assert _text(en["incidents"], "traffic_accident") == "Traffic accident"
    assert _text(vi["roads"], "motorway") == "Đường cao tốc, Nhánh nối cao tốc"
    assert _text(en["roads"], "motorway") == "Motorway, Motorway link"
    assert _text(vi["cameras"], "online") == "Trực tuyến"
    assert _text(en["cameras"], "offline") == "Offline"
    assert _text(vi["parcels"], "ODT") == "Đất ở tại đô thị"
    assert _text(en["planning_zones"], "RPH") == "Protection forest"
    # The stations' bands: the AQI step inside the style's `case`, named by the catalogue.
    assert _text(vi["env_stations"], "≥ 151") == "Xấu (151–200)"
    assert _text(en["env_stations"], "null") == "No VN_AQI yet"
    assert _text(en["env_stations"], "true") == "Not reporting"
    # A default class is "other"; the titles follow the language too.
    assert next(r["text"] for r in en["roads"]["rows"] if r["is_default"]) == "Other"
    assert next(r["text"] for r in vi["roads"]["rows"] if r["is_default"]) == "Khác"
    assert (vi["roads"]["title"], en["roads"]["title"]) == ("Đường giao thông", "Roads")


def test_every_styled_value_of_the_demo_has_a_label(http: httpx.Client, users: Users) -> None:
    labels = dict(Layer.objects.values_list("slug", "labels"))
    for lang in ("vi", "en"):
        for slug, entry in _legend(http, f"lang={lang}", users.admin).items():
            for row in entry["rows"]:
                if not row["field"]:
                    continue
                own = labels[slug].get(row["field"], {})
                missing = [v for v in row["values"] if v not in own]
                assert not missing, (slug, row["field"], missing)
                names = [own[v][lang] for v in row["values"]]
                assert row["text"] == ", ".join(dict.fromkeys(names)), (slug, row)


def test_style_language_comes_from_the_query_then_the_browser(http: httpx.Client) -> None:
    def lang_of(query: str = "", accept: str | None = None) -> str:
        headers = {"Accept-Language": accept} if accept is not None else {}
        r = http.get(f"/styles/basemap.json{query}", headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-language"] == r.json()["metadata"]["geo-ioc:lang"]
        return str(r.json()["metadata"]["geo-ioc:lang"])

    assert lang_of() == "vi"
    assert lang_of(accept="en-GB,en;q=0.9") == "en"
    assert lang_of(accept="fr-FR, en;q=0.4, vi;q=0.8") == "vi"
    assert lang_of(accept="fr, de") == "vi"
    assert lang_of("?lang=en", accept="vi") == "en"
    r = http.get("/styles/basemap.json?lang=fr")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_parameter" and r.json()["field"] == "lang"


def test_etag_varies_with_the_language(http: httpx.Client) -> None:
    vi = http.get("/styles/basemap.json?lang=vi")
    en = http.get("/styles/basemap.json?lang=en")
    assert vi.headers["etag"] != en.headers["etag"]
    assert "Accept-Language" in vi.headers["vary"]
    stale = http.get("/styles/basemap.json?lang=en", headers={"If-None-Match": vi.headers["etag"]})
    assert stale.status_code == 200
    same = http.get("/styles/basemap.json?lang=en", headers={"If-None-Match": en.headers["etag"]})
    assert same.status_code == 304


def test_a_view_keeps_only_the_named_layers_it_may_see(http: httpx.Client, users: Users) -> None:
    query = "layers=roads,incidents,no_such_layer"
    assert set(_legend(http, query)) == {"roads"}
    operator = http.get(f"/styles/all.json?{query}", headers=_auth(users.operator)).json()
    assert {e["layer"] for e in operator["metadata"]["geo-ioc:legend"]} == {"roads", "incidents"}
    assert {layer.get("source-layer") for layer in operator["layers"][1:]} == {
        "roads",
        "incidents",
    }
    assert set(operator["sources"]) == {"basemap-tiles", "incidents"}


def test_style_metadata_carries_bounds_and_domain_colours(http: httpx.Client) -> None:
    from layers.styles import DOMAIN_COLOURS

    style = _style(http, "all")
    minx, miny, maxx, maxy = style["metadata"]["geo-ioc:bounds"]
    assert minx < style["center"][0] < maxx and miny < style["center"][1] < maxy
    assert style["metadata"]["geo-ioc:domains"] == DOMAIN_COLOURS


@pytest.mark.parametrize(
    ("geometry", "kinds"),
    [("Point", ["circle"]), ("MultiLineString", ["line"]), ("Polygon", ["fill", "line"])],
)
def test_a_layer_without_fragments_gets_the_one_default_look(
    users: Users, geometry: str, kinds: list[str]
) -> None:
    from django.contrib.auth import get_user_model

    from layers.definitions import LayerDefinition
    from layers.styles import DOMAIN_COLOURS, default_style
    from tiles.styles import StyleUrls, build_style

    Layer.upsert(
        LayerDefinition.model_validate(
            {
                "slug": "unstyled",
                "title_vi": "Lớp chưa có kiểu",
                "title_en": "Unstyled layer",
                "domain": "health",
                "geometry_type": geometry,
                "source": {"kind": "table", "table": "unstyled"},
                "fields": [{"name": "name"}],
            }
        )
    )
    admin = get_user_model().objects.get(username="test_admin")
    urls = StyleUrls("http://x/tiles/{layers}.json", "http://x/fonts/{fontstack}/{range}.pbf")
    style = build_style(admin, "health", urls, "en")
    drawn = [
        layer
        for layer in style["layers"]
        if layer.get("source-layer") == "unstyled" and layer["type"] != "symbol"
    ]
    expected = default_style(geometry, "health")
    assert [layer["type"] for layer in drawn] == kinds == [f["type"] for f in expected]
    by_id = {f"unstyled:{f['id']}": f for f in expected}
    for layer in drawn:
        assert layer["paint"] == by_id[layer["id"]]["paint"]
    # The legend reads the same default: one swatch in the domain's colour, named by the title.
    entry = next(e for e in style["metadata"]["geo-ioc:legend"] if e["layer"] == "unstyled")
    assert [(r["kind"], r["colour"], r["text"]) for r in entry["rows"]] == [
        (kinds[0], DOMAIN_COLOURS["health"], "Unstyled layer")
    ]


def test_value_labels_are_validated_data() -> None:
    from pydantic import ValidationError

    from layers.definitions import LayerDefinition

    base = {
        "slug": "labelled",
        "title_vi": "Có nhãn",
        "title_en": "Labelled",
        "domain": "security",
        "geometry_type": "Point",
        "source": {"kind": "table", "table": "labelled"},
        "fields": [{"name": "stale", "type": "boolean"}, {"name": "level", "type": "integer"}],
    }
    # YAML reads `true:` and `3:` as a bool and an int: keyed as the legend names them.
    ok = LayerDefinition.model_validate(
        {
            **base,
            "labels": {
                "stale": {True: {"vi": "Mất tín hiệu", "en": "Not reporting"}},
                "level": {3: {"vi": "Phường", "en": "Ward"}},
            },
        }
    )
    assert ok.labels["stale"]["true"].en == "Not reporting"
    assert ok.labels["level"]["3"].vi == "Phường"
    for bad, words in [
        ({"nope": {"a": {"vi": "A", "en": "A"}}}, "unknown fields ['nope']"),
        ({"level": {"1": {"vi": "A", "en": "A", "fr": "A"}}}, "fr"),
        ({"level": {"1": {"vi": "A"}}}, "en"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(words)):
            LayerDefinition.model_validate({**base, "labels": bad})
