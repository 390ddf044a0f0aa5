// The map both pages draw: the catalogue's style, visibility and opacity per catalogue layer.

import { lang } from "./i18n.js";
import { buildStyle } from "./style.js";

const maplibregl = window.maplibregl;

// MapLibre's control tooltips, in Vietnamese (read once, when the map is made).
const VI_CONTROLS = {
  "NavigationControl.ZoomIn": "Phóng to",
  "NavigationControl.ZoomOut": "Thu nhỏ",
  "NavigationControl.ResetBearing": "Đặt lại hướng bắc",
  "FullscreenControl.Enter": "Toàn màn hình",
  "FullscreenControl.Exit": "Thoát toàn màn hình",
  "Popup.Close": "Đóng",
  "AttributionControl.ToggleAttribution": "Nguồn dữ liệu",
};

const OPACITY_PROPERTIES = {
  fill: ["fill-opacity"],
  line: ["line-opacity"],
  circle: ["circle-opacity", "circle-stroke-opacity"],
  symbol: ["text-opacity", "icon-opacity"],
  "fill-extrusion": ["fill-extrusion-opacity"],
  heatmap: ["heatmap-opacity"],
  raster: ["raster-opacity"],
};

export async function loadCatalogue(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()).layers || [];
}

/** A MapLibre map of these catalogue layers. */
export function createMap(container, layers, { glyphs = false, ...options } = {}) {
  return new maplibregl.Map({
    container,
    style: buildStyle(layers, { glyphs }),
    attributionControl: false,
    maxPitch: 60,
    locale: lang() === "vi" ? VI_CONTROLS : {},
    ...options,
  });
}

/** Ids of the style layers drawn for a catalogue layer. */
export function styleLayerIds(map, slug) {
  return map.getStyle().layers
    .filter((l) => l.metadata && l.metadata["geo-ioc:layer"] === slug)
    .map((l) => l.id);
}

export function setLayerVisible(map, slug, on) {
  for (const id of styleLayerIds(map, slug)) {
    map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  }
}

/**
 * An opacity value scaled by k. Zoom ramps must stay the outermost expression, so their stops
 * are scaled one by one; anything else is wrapped in a product.
 */
export function scaleOpacity(value, k) {
  if (value == null) return k;
  if (typeof value === "number") return value * k;
  if (Array.isArray(value)) {
    const [op] = value;
    const zoomRamp = (op === "interpolate" || op === "step")
      && Array.isArray(value[op === "step" ? 1 : 2]) && value[op === "step" ? 1 : 2][0] === "zoom";
    if (zoomRamp && op === "interpolate") {
      return value.map((v, i) => (i >= 4 && i % 2 === 0 ? scaleOpacity(v, k) : v));
    }
    if (zoomRamp && op === "step") {
      return value.map((v, i) => (i >= 2 && i % 2 === 0 ? scaleOpacity(v, k) : v));
    }
    return ["*", value, k];
  }
  return k;
}

/** Set a catalogue layer's opacity (0–1) relative to its style. */
export function setLayerOpacity(map, layers, slug, k) {
  const fragments = new Map();
  for (const styleLayer of map.getStyle().layers) {
    if (!styleLayer.metadata || styleLayer.metadata["geo-ioc:layer"] !== slug) continue;
    fragments.set(styleLayer.id, styleLayer);
  }
  const original = map.__geoIocOriginalPaint || (map.__geoIocOriginalPaint = new Map());
  for (const [id, styleLayer] of fragments) {
    if (!original.has(id)) original.set(id, { ...(styleLayer.paint || {}) });
    const paint = original.get(id);
    for (const prop of OPACITY_PROPERTIES[styleLayer.type] || []) {
      map.setPaintProperty(id, prop, scaleOpacity(paint[prop], k));
    }
  }
}

/** A square around a point, for generous clicking. */
export function hitBox(p, r = 4) {
  return [[p.x - r, p.y - r], [p.x + r, p.y + r]];
}

/** The catalogue's style layers that are drawn now (for queries). */
export function drawnLayerIds(map) {
  return map.getStyle().layers
    .filter((l) => l.type !== "background" && l.metadata && l.metadata["geo-ioc:layer"]
      && (l.layout || {}).visibility !== "none")
    .map((l) => l.id);
}

/** Resolves when the map has loaded its style. */
export function whenLoaded(map) {
  return new Promise((resolve) => (map.loaded() ? resolve(map) : map.once("load", () => resolve(map))));
}
