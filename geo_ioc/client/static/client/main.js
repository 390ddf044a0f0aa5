// The control-room map: reads the layer catalogue, builds the style, wires the panel and popups.

import { onLangChange, setLang, lang, t } from "./i18n.js";
import { initLand } from "./land.js";
import { LayerPanel } from "./panel.js";
import { popupContent } from "./popup.js";
import { buildStyle, initialBounds } from "./style.js";

const maplibregl = window.maplibregl;
const body = document.body;
const config = body.dataset;
const panelEl = document.getElementById("layer-panel");
const treeEl = document.getElementById("layer-tree");
const statusEl = document.getElementById("status");

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

function applyStaticText() {
  document.querySelectorAll("[data-i18n]").forEach((node) => {
    node.textContent = t(node.dataset.i18n);
  });
  document.querySelectorAll("[data-lang]").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang()));
  });
  const toggle = document.getElementById("panel-toggle");
  const hidden = body.classList.contains("panels-hidden");
  toggle.title = t(hidden ? "showPanel" : "hidePanel");
  toggle.setAttribute("aria-label", toggle.title);
  toggle.setAttribute("aria-expanded", String(!hidden));
}

/** The cursor position and zoom, next to the scale bar. */
class CoordsControl {
  onAdd() {
    this.el = document.createElement("div");
    this.el.className = "maplibregl-ctrl coords";
    this.el.setAttribute("aria-hidden", "true");
    return this.el;
  }

  onRemove() {
    this.el.remove();
  }

  show(lngLat, zoom) {
    this.el.textContent = `${lngLat.lat.toFixed(5)}°N ${lngLat.lng.toFixed(5)}°E · z${zoom.toFixed(1)}`;
  }
}

function showStatus(key) {
  statusEl.textContent = key ? t(key) : "";
  statusEl.hidden = !key;
}

/** Room the floating panel takes on the left, so fitted areas are not drawn under it. */
function padding() {
  const left = body.classList.contains("panels-hidden") ? 24 : panelEl.offsetWidth + 40;
  return { top: 80, right: 64, bottom: 48, left: Math.min(left, window.innerWidth / 2) };
}

async function loadCatalogue() {
  const response = await fetch(config.catalogueUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${config.catalogueUrl}: ${response.status}`);
  return (await response.json()).layers || [];
}

function styleLayerIds(map, slug) {
  return map.getStyle().layers
    .filter((l) => l.metadata && l.metadata["geo-ioc:layer"] === slug)
    .map((l) => l.id);
}

function start(layers) {
  const layersBySlug = new Map(layers.map((l) => [l.slug, l]));
  const bounds = initialBounds(layers);
  const fallbackCenter = [Number(config.centerLon), Number(config.centerLat)];
  const map = new maplibregl.Map({
    container: "map",
    style: buildStyle(layers),
    ...(bounds && !location.hash
      ? { bounds, fitBoundsOptions: { padding: padding(), maxZoom: 16 } }
      : { center: fallbackCenter, zoom: 12 }),
    hash: true,
    attributionControl: false,
    maxPitch: 60,
    locale: lang() === "vi" ? VI_CONTROLS : {},
  });
  window.geoIocMap = map;
  window.geoIocCatalogue = layers;

  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
  map.addControl(new maplibregl.FullscreenControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric", maxWidth: 120 }), "bottom-left");
  const coords = new CoordsControl();
  map.addControl(coords, "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ compact: false }), "bottom-right");

  map.on("error", (e) => {
    // Aborted tile requests (the view moved on) are not errors worth reporting.
    if (e.error && e.error.name === "AbortError") return;
    console.error("map error:", e.error ? e.error.message : e);
  });

  const interactiveIds = () => map.getStyle().layers
    .filter((l) => l.type !== "background" && (l.layout || {}).visibility !== "none")
    .map((l) => l.id);

  const hitBox = (p, r = 4) => [[p.x - r, p.y - r], [p.x + r, p.y + r]];

  const panel = new LayerPanel(treeEl, layers, {
    setVisible(slug, on) {
      for (const id of styleLayerIds(map, slug)) {
        map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
      }
    },
    zoomTo(layer) {
      if (layer.extent) map.fitBounds(layer.extent, { padding: padding(), maxZoom: 17 });
    },
    zoom: () => map.getZoom(),
  });
  map.on("zoomend", () => panel.updateZoom());
  initLand(map, layersBySlug);

  const popup = new maplibregl.Popup({ maxWidth: "340px", className: "ioc-popup", focusAfterOpen: false });
  map.on("click", (e) => {
    const features = map.queryRenderedFeatures(hitBox(e.point), { layers: interactiveIds() });
    if (!features.length) { popup.remove(); return; }
    popup.setLngLat(e.lngLat).setDOMContent(popupContent(features, layersBySlug)).addTo(map);
  });

  let pending = null;
  map.on("mousemove", (e) => {
    coords.show(e.lngLat, map.getZoom());
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      const hit = map.queryRenderedFeatures(hitBox(e.point, 3), { layers: interactiveIds() }).length > 0;
      map.getCanvas().style.cursor = hit ? "pointer" : "";
    });
  });
  map.on("mouseout", () => { map.getCanvas().style.cursor = ""; });

  onLangChange(() => {
    panel.render();
    popup.remove();
  });
  document.getElementById("panel-toggle").addEventListener("click", () => map.resize());
  return map;
}

function wireChrome() {
  document.querySelectorAll("[data-lang]").forEach((b) => {
    b.addEventListener("click", () => setLang(b.dataset.lang));
  });
  document.getElementById("panel-toggle").addEventListener("click", () => {
    body.classList.toggle("panels-hidden");
    applyStaticText();
  });
  onLangChange(applyStaticText);
  applyStaticText();
}

wireChrome();
showStatus("loading");
loadCatalogue()
  .then((layers) => {
    showStatus(layers.length ? null : "empty");
    start(layers);
  })
  .catch((err) => {
    showStatus("failed");
    console.error(err);
  });
