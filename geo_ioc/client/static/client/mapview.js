// The map both pages draw: the server's style document (`GET /styles/{name}.json`) as it is,
// with visibility, opacity and text size set per catalogue layer. The look, the labels and the
// legend are made on the server only; every style layer names its catalogue layer in
// `metadata["geo-ioc:layer"]`.

import { lang } from "./i18n.js";

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

/** The URL of a server style, its legend in the current language; `layers` keeps only those. */
export function styleUrl(name, { layers = null } = {}) {
  const params = new URLSearchParams({ lang: lang() });
  if (layers) params.set("layers", layers.join(","));
  return `/styles/${encodeURIComponent(name)}.json?${params}`;
}

/** The server's style document. */
export async function loadStyle(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

/** The legend of a style document: one entry per catalogue layer, rows named in its language. */
export function legendOf(style) {
  return (style.metadata && style.metadata["geo-ioc:legend"]) || [];
}

/** A MapLibre map drawing a server style document. */
export function createMap(container, style, options = {}) {
  return new maplibregl.Map({
    container,
    style,
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
 * A style value (`fallback` when unset) scaled by k. Zoom ramps must stay the outermost
 * expression, so their stops are scaled one by one; anything else is wrapped in a product.
 */
export function scaleValue(value, k, fallback = 1) {
  if (value == null) return fallback * k;
  if (typeof value === "number") return value * k;
  if (Array.isArray(value)) {
    const [op] = value;
    const zoomRamp = (op === "interpolate" || op === "step")
      && Array.isArray(value[op === "step" ? 1 : 2]) && value[op === "step" ? 1 : 2][0] === "zoom";
    if (zoomRamp && op === "interpolate") {
      return value.map((v, i) => (i >= 4 && i % 2 === 0 ? scaleValue(v, k, fallback) : v));
    }
    if (zoomRamp && op === "step") {
      return value.map((v, i) => (i >= 2 && i % 2 === 0 ? scaleValue(v, k, fallback) : v));
    }
    return ["*", value, k];
  }
  return fallback * k;
}

/** The catalogue's style layers of one slug (all of them for null). */
function catalogueLayers(map, slug = null) {
  return map.getStyle().layers.filter((l) => l.metadata && l.metadata["geo-ioc:layer"]
    && (slug == null || l.metadata["geo-ioc:layer"] === slug));
}

/** Set a catalogue layer's opacity (0–1) relative to its style. */
export function setLayerOpacity(map, slug, k) {
  const original = map.__geoIocOriginalPaint || (map.__geoIocOriginalPaint = new Map());
  for (const styleLayer of catalogueLayers(map, slug)) {
    if (!original.has(styleLayer.id)) original.set(styleLayer.id, { ...(styleLayer.paint || {}) });
    const paint = original.get(styleLayer.id);
    for (const prop of OPACITY_PROPERTIES[styleLayer.type] || []) {
      map.setPaintProperty(styleLayer.id, prop, scaleValue(paint[prop], k));
    }
  }
}

/**
 * A style document with every label's text scaled by k (a wall is read from metres away). Done
 * on the document before the map draws it: changing a symbol layout later lays every tile out again.
 */
export function withTextScale(style, k) {
  const layers = style.layers.map((styleLayer) => {
    const layout = styleLayer.layout || {};
    if (styleLayer.type !== "symbol" || !layout["text-field"]) return styleLayer;
    // MapLibre's default text size is 16 px.
    return { ...styleLayer, layout: { ...layout, "text-size": scaleValue(layout["text-size"], k, 16) } };
  });
  return { ...style, layers };
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
