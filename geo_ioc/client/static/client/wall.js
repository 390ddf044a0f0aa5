// One screen of a video wall (/wall/{name}?screen=N): the view that the wall's layout puts on it,
// following the console that drives the wall through the live channel. A map spread over several
// screens is one map cut into screens: each screen centres on the shared centre moved by its
// place in the view, in pixels at the shared zoom, so that the edges meet exactly.

import { AlertFeed } from "./alerts.js";
import { CameraGrid } from "./camera.js";
import { hourlyBars, stackedBar } from "./charts.js";
import { el } from "./dom.js";
import { clock, longDate } from "./format.js";
import { lang, onLangChange, pick, t } from "./i18n.js";
import { IncidentList } from "./incidents.js";
import { indicatorsScreen } from "./indicators_wall.js";
import { AQI_LIMITS, Indicators, aqiPoints, cameraParts, incidentPoints, kpiTiles, legendRow } from "./kpi.js";
import { Live, liveLayers, refreshSource } from "./live.js";
import {
  createMap, legendOf, loadCatalogue, loadStyle, styleUrl, whenLoaded, withTextScale,
} from "./mapview.js";
import { FocusRing, StationsOverlay } from "./overlays.js";

const body = document.body;
const screen = JSON.parse(document.getElementById("screen-data").textContent);
const view = screen.view;
const content = document.getElementById("wall-content");
const badge = document.querySelector(".wall-badge");
const focusBanner = document.querySelector(".wall-focus");
const MAP_KINDS = new Set(["map", "environment", "security", "indicators"]);
const TILE_SIZE = 512; // MapLibre's world is 512 px wide at zoom 0
const FOCUS_SECONDS = 30;
// Labels read from metres away: the style's text sizes times this.
const TEXT_SCALE = 1.6;

// What the tests (and a curious installer, in the browser console) can read.
const state = { joined: false, views: 0, focus: null, center: null, zoom: null, by: null };
window.geoIocWall = state;

/** Web Mercator world pixels of a [lon, lat] at zoom z, and back. */
function project([lon, lat], z) {
  const size = TILE_SIZE * 2 ** z;
  const phi = (Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180;
  return [((lon + 180) / 360) * size, ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * size];
}

function unproject([x, y], z) {
  const size = TILE_SIZE * 2 ** z;
  const n = Math.PI - (2 * Math.PI * y) / size;
  return [(x / size) * 360 - 180, (180 / Math.PI) * Math.atan(Math.sinh(n))];
}

/**
 * The centre of this screen's part of a view centred on `center`: the screen's offset from the
 * middle of the view (bezels included), turned with the map's bearing, in pixels at `zoom`.
 */
export function screenCenter(center, zoom, bearing = 0) {
  const span = screen.span || { column: 0, row: 0, columns: 1, rows: 1 };
  const dx = (span.column - (span.columns - 1) / 2) * (window.innerWidth + screen.bezel.x);
  const dy = (span.row - (span.rows - 1) / 2) * (window.innerHeight + screen.bezel.y);
  const b = (bearing * Math.PI) / 180;
  const [x, y] = project(center, zoom);
  return unproject([x + dx * Math.cos(b) - dy * Math.sin(b), y + dx * Math.sin(b) + dy * Math.cos(b)], zoom);
}

function spansScreens() {
  return screen.span && screen.span.columns * screen.span.rows > 1;
}

function setLink(up) {
  const dot = badge.querySelector(".wall-link");
  dot.classList.toggle("is-up", up);
  dot.classList.toggle("is-down", !up);
}

function renderBadge() {
  badge.querySelector("[data-i18n-screen]").textContent = t("wallScreen", { n: screen.screen });
  badge.querySelector(".wall-name").firstChild.textContent = `${pick(screen.title)} · `;
  badge.querySelector(".wall-view-title").textContent = view ? pick(view.title) : "";
  badge.querySelector(".wall-following").textContent = state.by ? t("wallFollowing", { who: state.by }) : "";
}

function tickClock() {
  const now = new Date();
  const node = badge.querySelector(".wall-clock");
  node.textContent = `${longDate(now)} · ${clock(now, true)}`;
  node.setAttribute("datetime", now.toISOString());
}

/**
 * A map view: the server's style of the layers the layout names (those the user may see), its
 * labels enlarged, never interactive. Returned at once, so that the screen joins its wall without waiting for tiles;
 * `ready` resolves when the map has loaded, with its station badges.
 */
async function mapScreen(catalogue) {
  const url = styleUrl("all", { layers: view.layers });
  const style = await loadStyle(url);
  window.geoIocStyleUrl = url;
  const shown = new Set(legendOf(style).map((entry) => entry.layer));
  const layers = catalogue.filter((l) => shown.has(l.slug));
  // No centre in the layout: the city's (the same setting the console opens on).
  const center = view.center || [Number(body.dataset.centerLon), Number(body.dataset.centerLat)];
  const zoom = view.zoom ?? 13;
  const map = createMap("map", withTextScale(style, TEXT_SCALE), {
    interactive: false, fadeDuration: 0, pitchWithRotate: false,
    center: screenCenter(center, zoom), zoom,
  });
  window.geoIocMap = map;
  map.addControl(new window.maplibregl.AttributionControl({ compact: false }), "bottom-right");
  const screenMap = { map, ring: new FocusRing(map), stations: null, layers };
  screenMap.ready = whenLoaded(map).then(async () => {
    if (layers.some((l) => l.slug === "env_stations")) {
      screenMap.stations = new StationsOverlay(map, { radius: 22, fontSize: 19 });
      await screenMap.stations.refresh();
    }
    return screenMap;
  });
  return screenMap;
}

/** Move the map to a driven view: the console's centre, this view's zoom offset, this screen's part. */
function follow(mapState, driven) {
  if (!mapState || !driven) return;
  const zoom = Math.max(0, Math.min(22, driven.zoom + (view.zoom_offset || 0)));
  // Bearing and pitch only where one screen shows the view: a tilted map cannot be cut into screens.
  const bearing = spansScreens() ? 0 : driven.bearing || 0;
  const center = screenCenter(driven.center, zoom, bearing);
  mapState.map.jumpTo({ center, zoom, bearing, pitch: spansScreens() ? 0 : driven.pitch || 0 });
  mapState.lastDriven = driven;
  state.center = center;
  state.zoom = zoom;
  state.views += 1;
}

function showFocus(mapState, focus, by) {
  if (!focus) return;
  state.focus = focus;
  focusBanner.replaceChildren(el("b", { text: "◎ " }), focus.label || `${focus.lat.toFixed(5)}, ${focus.lon.toFixed(5)}`,
    by ? el("small", { text: ` · ${by}` }) : null);
  focusBanner.hidden = false;
  clearTimeout(showFocus.timer);
  showFocus.timer = setTimeout(() => { focusBanner.hidden = true; }, FOCUS_SECONDS * 1000);
  if (mapState) mapState.ring.show(focus.lon, focus.lat, focus.label || "");
  document.querySelectorAll(".is-focused").forEach((n) => n.classList.remove("is-focused"));
  if (focus.incident) {
    const item = document.querySelector(`[data-incident-id="${focus.incident}"]`);
    if (item) item.classList.add("is-focused");
  }
}

function section(cls, title, ...children) {
  return el("section", { class: `wall-section ${cls}` }, el("h2", { text: title }), ...children);
}

/** The alerts screen: KPIs, the alert feed, incidents per hour, the worst station's AQI. */
function alertsBoard(indicators, feeds) {
  const kpis = el("div", { class: "wall-kpis", role: "list" });
  const charts = el("div", { class: "wall-charts" });
  const alertsRoot = el("div", { class: "wall-alerts" });
  const incidentsRoot = el("div", { class: "wall-incidents" });
  content.replaceChildren(el("div", { class: "wall-board" },
    kpis,
    section("wall-feed", t("activeAlerts"), alertsRoot),
    charts,
    section("wall-latest", t("latestIncidents"), incidentsRoot)));
  feeds.alerts = new AlertFeed(alertsRoot, { focusOn: () => {}, dock: null, canAct: false });
  feeds.incidents = new IncidentList(incidentsRoot, { map: null, focusOn: () => {}, dock: null, canAct: false });
  indicators.subscribe((data) => {
    kpis.replaceChildren(...kpiTiles(data, { wall: true }));
    const parts = [];
    if (data.incidents) {
      parts.push(el("section", { class: "wall-chart" }, el("h3", { text: t("chartIncidents") }),
        hourlyBars(incidentPoints(data), { width: 640, height: 220, colour: "#f97316" })));
    }
    if (data.air && data.air.worst) {
      parts.push(el("section", { class: "wall-chart" }, el("h3", { text: t("chartAqi", { name: data.air.worst.name }) }),
        hourlyBars(aqiPoints(data), { width: 640, height: 220, bands: AQI_LIMITS, colour: "#22c55e" })));
    }
    charts.replaceChildren(...parts);
  });
}

/** Beside a map: the station ranking (environment) or cameras and incidents (security). */
function sidePanel(mapState, indicators, feeds) {
  const side = el("aside", { class: "wall-side glass" });
  content.replaceChildren(side);
  if (view.kind === "environment") {
    const draw = () => {
      const ranked = [...(mapState.stations ? mapState.stations.latest : [])]
        .sort((a, b) => (b.properties.stale ? -1 : b.properties.aqi ?? -1) - (a.properties.stale ? -1 : a.properties.aqi ?? -1));
      side.replaceChildren(section("wall-stations", t("chartStations"), el("ul", { class: "station-list" },
        ranked.map((f) => el("li", { "data-station": f.properties.code },
          el("span", { class: "aqi-chip", style: { "--aqi": f.properties.colour } }, f.properties.label),
          el("span", { class: "station-name", text: f.properties.name }),
          el("span", { class: "station-code", text: f.properties.code }))))));
    };
    feeds.redrawStations = draw;
    onLangChange(draw);
    mapState.ready.then(draw);
    return;
  }
  const cameras = el("div");
  const incidentsRoot = el("div", { class: "wall-incidents" });
  side.replaceChildren(section("wall-cameras", t("chartCameras"), cameras), section("wall-latest", t("latestIncidents"), incidentsRoot));
  feeds.incidents = new IncidentList(incidentsRoot, { map: mapState.map, focusOn: () => {}, dock: null, canAct: false });
  indicators.subscribe((data) => {
    if (!data.cameras) { cameras.replaceChildren(el("p", { class: "pane-empty", text: t("noData") })); return; }
    const parts = cameraParts(data.cameras);
    cameras.replaceChildren(stackedBar(parts, { width: 560, height: 26 }), legendRow(parts));
  });
}

async function main() {
  renderBadge();
  tickClock();
  setInterval(tickClock, 1000);
  onLangChange(renderBadge);
  document.documentElement.lang = lang();
  if (!view) {
    content.replaceChildren(el("p", { class: "wall-empty", text: t("wallScreen", { n: screen.screen }) }));
    return;
  }
  const catalogue = await loadCatalogue(body.dataset.catalogueUrl);
  const slugs = new Set(catalogue.map((l) => l.slug));
  const indicators = new Indicators(24);
  const feeds = {};
  let mapState = null;
  if (MAP_KINDS.has(view.kind)) {
    mapState = await mapScreen(catalogue);
    if (view.kind === "indicators") feeds.screen = indicatorsScreen(view, mapState, content);
    else if (view.kind !== "map") sidePanel(mapState, indicators, feeds);
  } else if (view.kind === "cameras") {
    const root = el("section", { class: "wall-camera-grid" });
    content.replaceChildren(root);
    feeds.cameras = new CameraGrid(root);
    state.cameras = feeds.cameras;
    feeds.cameras.load().catch((e) => console.warn("cameras:", e.message));
  } else {
    alertsBoard(indicators, feeds);
  }
  indicators.refresh();
  if (feeds.alerts && slugs.has("alerts")) feeds.alerts.load().catch((e) => console.warn("alerts:", e.message));
  if (feeds.incidents && slugs.has("incidents")) feeds.incidents.load().catch((e) => console.warn("incidents:", e.message));

  const live = new Live();
  live.on("status", ({ connected }) => setLink(connected));
  live.on("event", (msg) => {
    if (mapState) refreshSource(mapState.map, msg.layer, msg.seq);
    if (msg.layer === "alerts" && feeds.alerts) feeds.alerts.onEvent(msg);
    if (msg.layer === "incidents" && feeds.incidents) feeds.incidents.onEvent(msg);
    if (feeds.screen) feeds.screen.onEvent(msg);
    if (msg.layer === "cameras" && feeds.cameras) feeds.cameras.load().catch(() => {});
    if (msg.layer === "env_stations" && mapState && mapState.stations) {
      mapState.stations.refresh().then(() => feeds.redrawStations && feeds.redrawStations());
    }
    indicators.refreshSoon();
  });
  const following = view.follow === "console";
  live.on("wall", (msg) => {
    if (msg.type === "wall_joined") {
      state.joined = true;
      state.by = msg.by || null;
      if (following && msg.view) follow(mapState, msg.view);
      if (feeds.cameras && msg.view) feeds.cameras.follow(msg.view).catch(() => {});
      if (msg.focus) showFocus(mapState, msg.focus, msg.by);
    } else if (msg.type === "wall_view") {
      state.by = msg.by;
      if (following) follow(mapState, msg.view);
      if (feeds.cameras) feeds.cameras.follow(msg.view).catch(() => {});
    } else if (msg.type === "wall_focus") {
      state.by = msg.by;
      showFocus(mapState, msg.focus, msg.by);
    }
    renderBadge();
  });
  const followed = mapState ? liveLayers(mapState.layers) : liveLayers(catalogue);
  if (feeds.cameras && slugs.has("cameras")) followed.push("cameras");
  if (feeds.screen) followed.push(...feeds.screen.liveSlugs().filter((s) => slugs.has(s)));
  live.subscribe(followed);
  live.joinWall(screen.wall, screen.screen);
  // A resized browser window moves this screen's part of the view.
  window.addEventListener("resize", () => {
    if (!mapState) return;
    if (mapState.lastDriven) follow(mapState, mapState.lastDriven);
    else if (view.center) mapState.map.jumpTo({ center: screenCenter(view.center, mapState.map.getZoom()) });
  });
}

main().catch((err) => console.error("wall:", err));
