// The operator's console: the city map with the layer tree, the KPI strip, the dock (alerts,
// incidents, indicators, parcels), search, the 24-hour replay, wall driving and shortcuts.

import { AlertFeed } from "./alerts.js";
import { Dock } from "./dock.js";
import { el, throttle } from "./dom.js";
import { lang, onLangChange, otherLang, pick, setLang, t } from "./i18n.js";
import { IncidentList } from "./incidents.js";
import { Indicators, drawKpiStrip, indicatorSections } from "./kpi.js";
import { initLand } from "./land.js";
import { initStatistics } from "./statistics.js";
import { initReports } from "../reports/console.js";
import { Live, liveLayers, refreshSource } from "./live.js";
import {
  createMap, drawnLayerIds, hitBox, loadCatalogue, loadStyle, setLayerOpacity, setLayerVisible,
  styleUrl, whenLoaded,
} from "./mapview.js";
import { FocusRing, StationsOverlay } from "./overlays.js";
import { LayerPanel } from "./panel.js";
import { popupContent } from "./popup.js";
import { SectorEditor } from "./camera.js";
import { SearchBox } from "./search.js";
import { setSound, soundOn } from "./sound.js";
import { Timebar } from "./timeline.js";

const maplibregl = window.maplibregl;
const body = document.body;
const config = body.dataset;
const session = JSON.parse(document.getElementById("session-data").textContent);
const statusEl = document.getElementById("status");
// A console sends its view to the wall at most this often (the server merges faster ones too).
const DRIVE_INTERVAL_MS = 50;
// The server's style of every layer the user may see.
const STYLE = "all";

const SHORTCUTS = [
  ["/", "keySearch"], ["L", "keyLayers"], ["A", "keyAlerts"], ["I", "keyIndicators"],
  ["T", "keyTime"], ["F", "keyFullscreen"], ["D", "keyDrive"], ["M", "keySound"],
  ["G", "keyLang"], ["?", "keyHelp"], ["Esc", "keyEscape"],
];

/** Fill every element marked with data-i18n* in the current language. */
function applyStaticText() {
  document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
  document.querySelectorAll("[data-i18n-label]").forEach((n) => n.setAttribute("aria-label", t(n.dataset.i18nLabel)));
  document.querySelectorAll("[data-i18n-title]").forEach((n) => {
    n.title = t(n.dataset.i18nTitle);
    n.setAttribute("aria-label", n.title);
  });
  document.querySelectorAll("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang())));
  const toggle = document.getElementById("panel-toggle");
  const hidden = body.classList.contains("panels-hidden");
  toggle.title = t(hidden ? "showPanel" : "hidePanel");
  toggle.setAttribute("aria-label", toggle.title);
  toggle.setAttribute("aria-expanded", String(!hidden));
  const sound = document.getElementById("sound-toggle");
  sound.setAttribute("aria-pressed", String(soundOn()));
  sound.title = `${t(soundOn() ? "soundOff" : "soundOn")} (M)`;
}

function showStatus(key) {
  statusEl.textContent = key ? t(key) : "";
  statusEl.hidden = !key;
}

/** The cursor position and zoom, next to the scale bar. */
class CoordsControl {
  onAdd() {
    this.el = el("div", { class: "maplibregl-ctrl coords", "aria-hidden": "true" });
    return this.el;
  }

  onRemove() {
    this.el.remove();
  }

  show(lngLat, zoom) {
    this.el.textContent = `${lngLat.lat.toFixed(5)}°N ${lngLat.lng.toFixed(5)}°E · z${zoom.toFixed(1)}`;
  }
}

/** Room the floating panels take, so fitted areas are not drawn under them. */
function padding() {
  const side = (id, hiddenClass) => {
    const node = document.getElementById(id);
    return body.classList.contains(hiddenClass) || !node || !node.offsetWidth ? 24 : node.offsetWidth + 36;
  };
  const half = window.innerWidth / 2.5;
  return {
    top: 96, bottom: 96,
    left: Math.min(side("layer-panel", "panels-hidden"), half),
    right: Math.min(side("dock", "dock-hidden"), half),
  };
}

/**
 * The console drives a wall: every view change goes to the wall's screens through the live
 * channel, and focusing something points the wall at it.
 */
class WallDriver {
  constructor(map, live, walls) {
    this.map = map;
    this.live = live;
    this.walls = walls;
    this.wall = null;
    this.button = document.getElementById("drive-toggle");
    this.sendView = throttle(() => this.push(), DRIVE_INTERVAL_MS);
    map.on("move", () => { if (this.wall) this.sendView(); });
    if (this.button) this.button.addEventListener("click", () => this.toggle());
    onLangChange(() => this.render());
    this.render();
  }

  toggle() {
    if (!this.walls.length) return;
    if (this.wall) this.stop();
    else this.start(this.walls[0].name);
  }

  start(name) {
    this.wall = name;
    body.classList.add("driving");
    this.push();
    this.render();
  }

  stop() {
    this.wall = null;
    body.classList.remove("driving");
    this.render();
  }

  push() {
    if (!this.wall) return;
    const c = this.map.getCenter();
    this.live.send({
      type: "wall_view",
      wall: this.wall,
      view: { center: [c.lng, c.lat], zoom: this.map.getZoom(), bearing: this.map.getBearing(), pitch: this.map.getPitch() },
    });
  }

  focus(target) {
    if (!this.wall || target.lon == null) return;
    this.live.send({
      type: "wall_focus",
      wall: this.wall,
      focus: {
        lon: target.lon, lat: target.lat, ...(target.zoom != null ? { zoom: target.zoom } : {}),
        ...(target.incident ? { incident: target.incident } : {}), label: (target.label || "").slice(0, 200),
      },
    });
  }

  render() {
    if (!this.button) return;
    const wall = this.walls.find((w) => w.name === this.wall);
    this.button.setAttribute("aria-pressed", String(!!this.wall));
    const label = this.button.querySelector(".drive-label");
    label.textContent = wall ? `${t("driving")}: ${pick(wall.title, wall.name)}` : t("driveOff");
    this.button.title = t("drive");
  }
}

function helpDialog() {
  const backdrop = document.getElementById("help");
  const dialog = backdrop.querySelector(".help");
  const render = () => dialog.replaceChildren(
    el("h2", { id: "help-title", text: t("helpTitle") }),
    el("table", {}, el("tbody", {}, SHORTCUTS.map(([key, label]) => el("tr", {},
      el("td", {}, el("kbd", { text: key })), el("td", { text: t(label) }))))),
    el("button", { type: "button", class: "help-close", onclick: () => close() }, t("close")),
  );
  const close = () => { backdrop.hidden = true; };
  backdrop.addEventListener("click", (e) => { if (e.target === backdrop) close(); });
  onLangChange(render);
  render();
  return {
    toggle() { backdrop.hidden = !backdrop.hidden; if (!backdrop.hidden) dialog.querySelector("button").focus(); },
    close,
    get open() { return !backdrop.hidden; },
  };
}

function typing(e) {
  const target = e.target;
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/**
 * The style follows the language: the legend of the style asked in the new one replaces the old
 * (the drawn layers carry no language, so the map keeps its toggles, opacity and overlays).
 */
function followLanguage(panel) {
  let asked = 0;
  onLangChange(async () => {
    const generation = ++asked;
    const url = styleUrl(STYLE);
    try {
      const style = await loadStyle(url);
      if (generation !== asked) return; // a later switch is on its way
      window.geoIocStyleUrl = url;
      panel.setStyle(style);
    } catch (err) {
      console.warn("style:", err.message);
    }
  });
}

function start(layers, style) {
  const slugs = new Set(layers.map((l) => l.slug));
  const layersBySlug = new Map(layers.map((l) => [l.slug, l]));
  const bounds = style.metadata && style.metadata["geo-ioc:bounds"];
  const map = createMap("map", style, {
    hash: true,
    ...(bounds && !location.hash
      ? { bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]], fitBoundsOptions: { padding: padding(), maxZoom: 16 } }
      : { center: [Number(config.centerLon), Number(config.centerLat)], zoom: 12 }),
  });
  window.geoIocMap = map;
  window.geoIocCatalogue = layers;

  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
  map.addControl(new maplibregl.FullscreenControl({ container: document.documentElement }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric", maxWidth: 120 }), "bottom-left");
  const coords = new CoordsControl();
  map.addControl(coords, "bottom-left");
  map.addControl(new maplibregl.AttributionControl({ compact: false }), "bottom-right");
  map.on("error", (e) => {
    // Aborted tile requests (the view moved on) are not errors worth reporting.
    if (e.error && e.error.name === "AbortError") return;
    console.error("map error:", e.error ? e.error.message : e);
  });

  // Made once the map has loaded; the layer tree's switches consult them.
  let stations = null;
  let timebar = null;
  const REPLAYED = new Set(["incidents", "alerts"]);
  const panel = new LayerPanel(document.getElementById("layer-tree"), layers, style, {
    setVisible: (slug, on) => {
      setLayerVisible(map, slug, on && !(timebar && timebar.replaying && REPLAYED.has(slug)));
      if (slug === "env_stations" && stations) stations.setVisible(on);
    },
    setOpacity: (slug, k) => setLayerOpacity(map, slug, k),
    zoomTo: (layer) => { if (layer.extent) map.fitBounds(layer.extent, { padding: padding(), maxZoom: 17 }); },
    zoom: () => map.getZoom(),
    bounds: () => map.getBounds().toArray().flat(),
  });
  map.on("zoomend", () => panel.updateZoom());
  map.on("moveend", () => panel.updateCounts());
  whenLoaded(map).then(() => panel.updateCounts());

  const dock = new Dock(document.getElementById("dock"), { onChange: () => setTimeout(() => map.resize(), 0) });
  const ring = new FocusRing(map);
  const live = new Live();
  const driver = new WallDriver(map, live, session.walls || []);
  window.geoIocDriver = driver;

  /** Fly to a place, an incident or an alert's area, ring it, and point the wall at it. */
  function focusOn(target) {
    if (target.bounds) {
      map.fitBounds(target.bounds, { padding: padding(), maxZoom: target.zoom || 16.5, duration: 900 });
      const [[w, s], [e, n]] = target.bounds;
      Object.assign(target, { lon: (w + e) / 2, lat: (s + n) / 2 });
    } else {
      map.flyTo({ center: [target.lon, target.lat], zoom: Math.max(map.getZoom(), target.zoom || 16), duration: 900 });
    }
    ring.show(target.lon, target.lat, target.label || "");
    driver.focus(target);
  }

  const ctx = { map, dock, focusOn, canAct: !!session.can_act };
  const alerts = slugs.has("alerts") ? new AlertFeed(document.getElementById("pane-alerts"), ctx) : null;
  const incidents = slugs.has("incidents") ? new IncidentList(document.getElementById("pane-incidents"), ctx) : null;
  if (!alerts) dock.disable("alerts");
  if (!incidents) dock.disable("incidents");
  window.geoIocAlerts = alerts;
  window.geoIocIncidents = incidents;

  const land = initLand(map, layersBySlug, document.getElementById("pane-land"));
  if (!land) dock.disable("land");
  else map.on("click", () => { if (land.parcelsShown()) dock.show("land", { reveal: false }); });

  const statistics = initStatistics(document.getElementById("pane-statistics"), map, layersBySlug, (slug, on) => {
    panel.setLayer(slug, on);
    panel.render();
  });
  if (!statistics) dock.disable("statistics");

  const reports = initReports(document.getElementById("pane-reports"), ctx, { roles: session.roles || [], slugs });
  if (!reports) dock.disable("reports");

  const indicators = new Indicators(24);
  const kpis = document.getElementById("kpis");
  const onPick = (kind) => {
    if (kind === "alerts" && alerts) dock.show("alerts");
    else if (kind === "incidents" && incidents) dock.show("incidents");
    else if (kind === "reports" && reports) dock.show("reports");
    else dock.show("indicators");
  };
  indicators.subscribe((data) => {
    drawKpiStrip(kpis, data, onPick);
    const stationFeatures = stations ? stations.latest.map((f) => ({ properties: f.properties })) : [];
    document.getElementById("pane-indicators").replaceChildren(...indicatorSections(data, stationFeatures));
  });

  whenLoaded(map).then(async () => {
    if (slugs.has("env_stations")) {
      stations = new StationsOverlay(map);
      await stations.refresh();
      indicators.draw();
    }
    timebar = new Timebar(document.getElementById("timebar"), {
      map,
      stations,
      canSeeIncidents: slugs.has("incidents"),
      setLiveIncidents: (on) => {
        for (const slug of REPLAYED) if (slugs.has(slug)) setLayerVisible(map, slug, on && panel.visible.has(slug));
      },
    });
    window.geoIocTimebar = timebar;
  });

  indicators.refresh();
  if (alerts) alerts.load().catch((err) => console.warn("alerts:", err.message));
  if (incidents) incidents.load().catch((err) => console.warn("incidents:", err.message));

  // Live: the layers' tiles refresh in place; the feeds and the KPIs follow.
  live.on("event", (msg) => {
    refreshSource(map, msg.layer, msg.seq);
    if (msg.layer === "alerts" && alerts) alerts.onEvent(msg);
    if (msg.layer === "incidents" && incidents) incidents.onEvent(msg);
    if (msg.layer === "reports" && reports) reports.onEvent(msg);
    if (msg.layer === "env_stations" && stations) stations.refresh();
    indicators.refreshSoon();
  });
  live.on("status", ({ connected }) => body.classList.toggle("offline", !connected));
  live.subscribe(liveLayers(layers));

  const search = new SearchBox(document.getElementById("search-input"), document.getElementById("search-results"), {
    onSelect: (r) => {
      if (r.bbox) focusOn({ bounds: [[r.bbox[0], r.bbox[1]], [r.bbox[2], r.bbox[3]]], label: r.title, incident: r.kind === "incident" ? r.id : null, zoom: r.kind === "parcel" ? 18 : 16.5 });
      else focusOn({ lon: r.lon, lat: r.lat, zoom: r.kind === "parcel" ? 18 : 16.5, label: r.title, incident: r.kind === "incident" ? r.id : null });
      if (r.kind === "parcel" && land) land.selectById(r.id).then(() => dock.show("land"));
      if (r.kind === "incident" && incidents) dock.show("incidents");
    },
  });

  // Identify: every drawn feature under the click.
  const popup = new maplibregl.Popup({ maxWidth: "340px", className: "ioc-popup", focusAfterOpen: false });
  new SectorEditor(map, () => popup.remove()); // "Edit view" in a camera's popup: drag its sector
  map.on("click", (e) => {
    const features = map.queryRenderedFeatures(hitBox(e.point), { layers: drawnLayerIds(map) });
    if (!features.length) { popup.remove(); return; }
    popup.setLngLat(e.lngLat).setDOMContent(popupContent(features, layersBySlug)).addTo(map);
  });
  let pending = null;
  map.on("mousemove", (e) => {
    coords.show(e.lngLat, map.getZoom());
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      const hit = map.queryRenderedFeatures(hitBox(e.point, 3), { layers: drawnLayerIds(map) }).length > 0;
      map.getCanvas().style.cursor = hit ? "pointer" : "";
    });
  });
  map.on("mouseout", () => { map.getCanvas().style.cursor = ""; });
  onLangChange(() => { panel.render(); popup.remove(); });
  followLanguage(panel);

  const help = helpDialog();
  document.getElementById("help-toggle").addEventListener("click", () => help.toggle());
  document.getElementById("panel-toggle").addEventListener("click", () => setTimeout(() => map.resize(), 0));

  // Operators' keys (never while typing in a field).
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      if (help.open) help.close();
      popup.remove();
      ring.clear();
      return;
    }
    if (typing(e)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const actions = {
      "/": () => search.focus(),
      l: () => document.getElementById("panel-toggle").click(),
      a: () => { if (dock.isShowing("alerts")) dock.toggle(); else dock.show("alerts"); },
      i: () => dock.show("indicators"),
      t: () => { if (timebar) timebar.togglePlay(); },
      f: () => { if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen().catch(() => {}); },
      d: () => driver.toggle(),
      m: () => document.getElementById("sound-toggle").click(),
      g: () => setLang(otherLang()),
      "?": () => help.toggle(),
    };
    if (actions[key]) {
      e.preventDefault();
      actions[key]();
    }
  });
  return map;
}

function wireChrome() {
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
  document.getElementById("panel-toggle").addEventListener("click", () => {
    body.classList.toggle("panels-hidden");
    applyStaticText();
  });
  document.getElementById("sound-toggle").addEventListener("click", () => {
    setSound(!soundOn());
    applyStaticText();
  });
  onLangChange(applyStaticText);
  applyStaticText();
}

wireChrome();
showStatus("loading");
window.geoIocStyleUrl = styleUrl(STYLE);
Promise.all([loadCatalogue(config.catalogueUrl), loadStyle(window.geoIocStyleUrl)])
  .then(([layers, style]) => {
    showStatus(layers.length ? null : "empty");
    start(layers, style);
  })
  .catch((err) => {
    showStatus("failed");
    console.error(err);
  });
