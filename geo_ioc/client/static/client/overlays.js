// What the client draws over the server's style: live station AQI badges, the focus ring and the
// pulse of a new incident. The catalogue's layers and their labels are all in the style.

import { el } from "./dom.js";

const maplibregl = window.maplibregl;
const DARK_TEXT_BANDS = new Set(["#00e400", "#ffff00", "#ff7e00"]);
const STALE = "#6b7280";
// Fonts the server serves its glyphs in (tiles/labels.py), the style's `glyphs` URL.
const BADGE_FONT = ["Noto Sans Bold", "Noto Sans Regular"];

/** Air stations as AQI badges: a disc in the VN_AQI band colour with the value in it. */
export class StationsOverlay {
  constructor(map, { radius = 13, fontSize = 12 } = {}) {
    this.map = map;
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
    map.addLayer({
      id: "station-aqi:value", type: "symbol", source: "station-aqi",
      layout: {
        "text-field": ["get", "label"], "text-font": BADGE_FONT,
        "text-size": fontSize, "text-allow-overlap": true, "text-ignore-placement": true,
      },
      paint: { "text-color": ["get", "text"] },
    });
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
