// What the client draws over the catalogue's layers: station AQI badges, labels, the focus ring
// and the pulse of a new incident.

import { el } from "./dom.js";
import { LABEL_FONT, LABEL_FONT_BOLD } from "./style.js";

const maplibregl = window.maplibregl;
const DARK_TEXT_BANDS = new Set(["#00e400", "#ffff00", "#ff7e00"]);
const STALE = "#6b7280";

/** Air stations as AQI badges: a disc in the VN_AQI band colour with the value in it. */
export class StationsOverlay {
  constructor(map, { radius = 13, fontSize = 12, glyphs = false } = {}) {
    this.map = map;
    this.glyphs = glyphs;
    this.latest = [];
    map.addSource("station-aqi", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: "station-aqi:disc", type: "circle", source: "station-aqi",
      paint: {
        "circle-radius": radius,
        "circle-color": ["get", "colour"],
        "circle-stroke-color": ["case", ["get", "stale"], "#9ca3af", "#0d1117"],
        "circle-stroke-width": 2.5,
        "circle-opacity": 0.95,
      },
    });
    if (glyphs) {
      map.addLayer({
        id: "station-aqi:value", type: "symbol", source: "station-aqi",
        layout: {
          "text-field": ["get", "label"], "text-font": [LABEL_FONT_BOLD, LABEL_FONT],
          "text-size": fontSize, "text-allow-overlap": true, "text-ignore-placement": true,
        },
        paint: { "text-color": ["get", "text"] },
      });
    }
  }

  static feature(code, name, lon, lat, aqi, colour, stale) {
    const fill = stale || aqi == null ? STALE : colour;
    return {
      type: "Feature",
      geometry: { type: "Point", coordinates: [lon, lat] },
      properties: {
        code, name, aqi, stale: !!stale, colour: fill,
        label: aqi == null || stale ? "–" : String(aqi),
        text: DARK_TEXT_BANDS.has((fill || "").toLowerCase()) ? "#111827" : "#ffffff",
      },
    };
  }

  /** The latest AQI of every air station (GET /sensors/stations). */
  async refresh() {
    const response = await fetch("/sensors/stations", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const body = await response.json();
    this.latest = body.features
      .filter((f) => f.properties.kind === "air")
      .map((f) => StationsOverlay.feature(
        f.properties.code, f.properties.name, ...f.geometry.coordinates,
        f.properties.aqi, f.properties.band && f.properties.band.colour, f.properties.stale,
      ));
    if (!this.replaying) this.setFeatures(this.latest);
  }

  setFeatures(features) {
    const source = this.map.getSource("station-aqi");
    if (source) source.setData({ type: "FeatureCollection", features });
  }

  /** Show the stations as they were in one hour of a replay (null: back to now). */
  replay(features) {
    this.replaying = features != null;
    this.setFeatures(features || this.latest);
  }

  setVisible(on) {
    for (const id of ["station-aqi:disc", "station-aqi:value"]) {
      if (this.map.getLayer(id)) this.map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    }
  }
}

/** Place names for the map's scale: wards, streets and points of interest (needs glyphs). */
export function addLabels(map, catalogue, { scale = 1 } = {}) {
  const has = (slug) => catalogue.some((l) => l.slug === slug) && map.getSource(slug);
  const text = {
    "text-color": "#e6edf3", "text-halo-color": "#0d1117", "text-halo-width": 1.6 * scale,
  };
  const add = (layer) => {
    if (!map.getLayer(layer.id)) map.addLayer({ ...layer, metadata: { "geo-ioc:layer": layer.source, "geo-ioc:label": true } });
  };
  if (has("admin_units")) {
    add({
      id: "admin_units:ward-label", type: "symbol", source: "admin_units", "source-layer": "admin_units",
      minzoom: 11, filter: ["==", ["get", "level"], 3],
      layout: {
        "text-field": ["get", "name"], "text-font": [LABEL_FONT_BOLD, LABEL_FONT],
        "text-size": ["interpolate", ["linear"], ["zoom"], 11, 11 * scale, 15, 15 * scale],
        "text-transform": "uppercase", "text-letter-spacing": 0.08, "symbol-avoid-edges": true,
      },
      paint: { ...text, "text-color": "#c4b5fd", "text-opacity": 0.8 },
    });
  }
  if (has("roads")) {
    add({
      id: "roads:name", type: "symbol", source: "roads", "source-layer": "roads", minzoom: 14,
      layout: {
        "symbol-placement": "line", "text-field": ["get", "name"], "text-font": [LABEL_FONT],
        "text-size": ["interpolate", ["linear"], ["zoom"], 14, 10.5 * scale, 18, 14 * scale],
        "text-max-angle": 30,
      },
      paint: text,
    });
  }
  for (const layer of catalogue) {
    if (!layer.slug.startsWith("poi_") || !map.getSource(layer.slug)) continue;
    add({
      id: `${layer.slug}:name`, type: "symbol", source: layer.slug, "source-layer": layer.slug, minzoom: 15,
      layout: {
        "text-field": ["get", "name"], "text-font": [LABEL_FONT], "text-size": 11 * scale,
        "text-offset": [0, 1.1], "text-anchor": "top", "text-max-width": 9, "text-optional": true,
      },
      paint: { ...text, "text-color": "#cbd5e1" },
    });
  }
}

/** A pulsing ring where the operator looks: a searched place, a focused incident or alert. */
export class FocusRing {
  constructor(map) {
    this.map = map;
    this.marker = null;
  }

  show(lon, lat, label = "") {
    this.clear();
    const node = el("div", { class: "focus-ring", title: label },
      el("span", { class: "focus-ring-pulse" }), el("span", { class: "focus-ring-dot" }),
      label ? el("span", { class: "focus-ring-label", text: label }) : null);
    this.marker = new maplibregl.Marker({ element: node }).setLngLat([lon, lat]).addTo(this.map);
    this.position = [lon, lat];
  }

  clear() {
    if (this.marker) this.marker.remove();
    this.marker = null;
    this.position = null;
  }
}

/** A new incident rings on the map for a while, before its tile has even been redrawn. */
export function pulseIncident(map, feature, colour = "#ef4444", seconds = 90) {
  if (!feature || !feature.geometry) return null;
  const node = el("div", {
    class: "incident-pulse", "data-incident-id": String(feature.id),
    style: { "--pulse": colour },
  }, el("span"), el("span"), el("i"));
  const marker = new maplibregl.Marker({ element: node }).setLngLat(feature.geometry.coordinates).addTo(map);
  setTimeout(() => marker.remove(), seconds * 1000);
  return marker;
}
