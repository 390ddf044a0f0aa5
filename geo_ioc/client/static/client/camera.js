// Cameras in the client: the popup's newest masked snapshot, health and a congestion sparkline,
// and the `cameras` wall screen (a grid of the newest snapshots, tampered and offline first).
// Snapshots are always the server's masked ones; each view is audited by the server.

import { getJson, patchJson } from "./api.js";
import { el, svg } from "./dom.js";
import { lang } from "./i18n.js";

const TEXT = {
  vi: {
    snapshot: "Ảnh mới nhất (đã che vùng riêng tư)", none: "Chưa có ảnh", health: "Tình trạng",
    fps: "khung/giây", uptime: "hoạt động 24 giờ", congestion: "Tỉ lệ xe dừng (60 ảnh gần nhất)",
    heartbeat: "tín hiệu lúc", tamper: "Can thiệp", empty: "Không có camera trong khung nhìn",
    edit: "Chỉnh hướng nhìn", editHint: "Kéo chấm tròn để xoay hướng và đổi tầm nhìn", saved: "Đã lưu hướng nhìn",
    status: { online: "Trực tuyến", degraded: "Suy giảm", offline: "Mất kết nối", maintenance: "Bảo trì" },
    tampers: { covered: "Bị che ống kính", blurred: "Mờ hình", moved: "Bị xoay lệch", scene_change: "Đổi cảnh" },
  },
  en: {
    snapshot: "Newest snapshot (privacy masked)", none: "No snapshot yet", health: "Health",
    fps: "fps", uptime: "up over 24 h", congestion: "Stopped share (last 60 frames)",
    heartbeat: "heartbeat at", tamper: "Tampering", empty: "No camera in view",
    edit: "Edit view", editHint: "Drag the dot to turn the bearing and change the range", saved: "View saved",
    status: { online: "Online", degraded: "Degraded", offline: "Offline", maintenance: "Maintenance" },
    tampers: { covered: "Lens covered", blurred: "Blurred", moved: "Moved", scene_change: "Scene changed" },
  },
};
const tx = () => TEXT[lang()] || TEXT.vi;

/** A sparkline of values 0–1 (nulls are gaps) as inline SVG. */
export function sparkline(values, { width = 300, height = 40, colour = "#f97316" } = {}) {
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "sparkline", role: "img" });
  const step = width / Math.max(values.length - 1, 1);
  let path = "";
  values.forEach((v, i) => {
    if (v == null) return;
    const x = (i * step).toFixed(1);
    const y = (height - 2 - Math.min(1, Math.max(0, v)) * (height - 4)).toFixed(1);
    path += `${path && values[i - 1] != null ? "L" : "M"}${x} ${y} `;
  });
  root.append(svg("line", { x1: 0, x2: width, y1: height - 2, y2: height - 2, stroke: "rgba(148,163,184,.3)" }));
  if (path) root.append(svg("path", { d: path.trim(), fill: "none", stroke: colour, "stroke-width": 2 }));
  return root;
}

function healthLine(p) {
  const s = tx();
  const bits = [s.status[p.status] || p.status];
  const h = p.health || {};
  if (h.fps != null) bits.push(`${h.fps.toLocaleString(lang())} ${s.fps}`);
  if (p.uptime_24h != null) bits.push(`${Math.round(p.uptime_24h * 100)}% ${s.uptime}`);
  if (h.last_heartbeat_at) bits.push(`${s.heartbeat} ${new Date(h.last_heartbeat_at).toLocaleTimeString(lang())}`);
  return bits.join(" · ");
}

/** The camera part of a popup: filled once the camera and its measures arrive. */
export function cameraDetail(code) {
  const root = el("div", { class: "camera-detail", "data-camera": code });
  const url = `/cameras/${encodeURIComponent(code)}`;
  Promise.all([getJson(url), getJson(`${url}/metrics?limit=60`)])
    .then(([camera, metrics]) => {
      const p = camera.properties;
      const s = tx();
      const picture = p.snapshot
        ? el("img", { class: "camera-snapshot", src: p.snapshot, alt: s.snapshot, title: s.snapshot })
        : el("p", { class: "camera-none", text: s.none });
      const parts = [picture, el("p", { class: `camera-health status-${p.status}`, text: `${s.health}: ${healthLine(p)}` })];
      if (p.tamper) parts.push(el("p", { class: "camera-tamper", text: `${s.tamper}: ${s.tampers[p.tamper] || p.tamper}` }));
      parts.push(el("p", { class: "camera-caption", text: s.congestion }), sparkline(metrics.metrics.map((m) => m.stopped)));
      const edit = el("button", { type: "button", class: "camera-edit", text: s.edit, title: s.editHint });
      edit.addEventListener("click", () => edit.dispatchEvent(new CustomEvent("camera-edit", {
        bubbles: true,
        detail: { code, position: camera.geometry.coordinates, heading: p.heading_deg ?? 0, fov: p.fov_deg, range: p.range_m },
      })));
      parts.push(edit);
      root.replaceChildren(...parts);
      root.dataset.ready = "1";
    })
    .catch((err) => {
      root.replaceChildren(el("p", { class: "camera-none", text: err.message }));
      root.dataset.ready = "error";
    });
  return root;
}

/** The bbox [w, s, e, n] seen by a 1920 × 1080 screen centred on `center` at `zoom`. */
function bboxOf(center, zoom) {
  const degPerPx = 360 / (512 * 2 ** zoom);
  const [lon, lat] = center;
  const cos = Math.cos((lat * Math.PI) / 180);
  return [lon - 960 * degPerPx, lat - 540 * degPerPx * cos, lon + 960 * degPerPx, lat + 540 * degPerPx * cos];
}

/** The `cameras` wall screen: the newest snapshots of the cameras in the driven view. */
export class CameraGrid {
  constructor(root) {
    this.root = root;
    this.view = null;
    this.loads = 0;
  }

  follow(view) {
    if (view && view.center) this.view = view;
    return this.load();
  }

  async load() {
    const params = new URLSearchParams({ limit: "12" });
    if (this.view) params.set("bbox", bboxOf(this.view.center, this.view.zoom).map((v) => v.toFixed(5)).join(","));
    const body = await getJson(`/cameras/wall?${params}`);
    const s = tx();
    const tiles = body.cameras.map((c) => el("figure", {
      class: `camera-tile status-${c.status}${c.tamper ? " tampered" : ""}`, "data-camera": c.code,
    },
    c.snapshot ? el("img", { src: c.snapshot, alt: c.name }) : el("div", { class: "camera-none", text: s.none }),
    el("figcaption", {},
      el("strong", { text: c.code }), " ", el("span", { text: c.name }),
      el("span", { class: "camera-flag", text: c.tamper ? s.tampers[c.tamper] || c.tamper : s.status[c.status] || c.status }))));
    this.root.replaceChildren(tiles.length ? el("div", { class: "camera-grid" }, tiles) : el("p", { class: "wall-empty", text: s.empty }));
    this.loads += 1;
    this.root.dataset.loads = String(this.loads);
  }
}

// --- dragging a camera's sector in the console ------------------------------------------------

const EDIT_SOURCE = "camera-edit";
const HANDLE_LAYER = "camera-edit-handle";
const METRES_PER_DEGREE = 111320;

/** The point `metres` away from `[lon, lat]` along `bearing` (degrees from north; short range). */
function destination([lon, lat], bearing, metres) {
  const b = (bearing * Math.PI) / 180;
  const cos = Math.cos((lat * Math.PI) / 180);
  return [lon + (metres * Math.sin(b)) / (METRES_PER_DEGREE * cos), lat + (metres * Math.cos(b)) / METRES_PER_DEGREE];
}

/** Bearing (0–359) and distance (m) from `from` to `to`. */
function bearingAndRange(from, to) {
  const cos = Math.cos((from[1] * Math.PI) / 180);
  const dx = (to[0] - from[0]) * METRES_PER_DEGREE * cos;
  const dy = (to[1] - from[1]) * METRES_PER_DEGREE;
  const bearing = (Math.round((Math.atan2(dx, dy) * 180) / Math.PI) + 360) % 360;
  return [bearing, Math.hypot(dx, dy)];
}

function sector(position, heading, fov, range) {
  const ring = [position];
  const steps = Math.max(2, Math.ceil(fov / 5));
  for (let i = 0; i <= steps; i += 1) ring.push(destination(position, heading - fov / 2 + (fov * i) / steps, range));
  ring.push(position);
  return { type: "Polygon", coordinates: [ring] };
}

/**
 * The sector editor: "Edit view" in a camera's popup shows its sector with a handle at the end
 * of its bearing; dragging the handle turns the bearing and sets the range, and on release the
 * view is saved (PATCH) and the field of view the server computed (cut by buildings) is drawn.
 * The map container's `data-camera-edit` says where it is: `editing`, `saving`, `saved`, `error`.
 */
export class SectorEditor {
  constructor(map, onStart = () => {}) {
    this.map = map;
    this.onStart = onStart; // the popup gives the map back to the handle
    this.camera = null;
    this.dragging = false;
    this.fov = null;
    map.getContainer().addEventListener("camera-edit", (e) => this.start(e.detail));
    map.on("mousedown", HANDLE_LAYER, (e) => this.grab(e));
    map.on("mousemove", (e) => this.drag(e));
    map.on("mouseup", () => this.release());
    map.on("mouseenter", HANDLE_LAYER, () => { map.getCanvas().style.cursor = "grab"; });
  }

  state(value) {
    this.map.getContainer().dataset.cameraEdit = value;
  }

  ensureLayers() {
    const map = this.map;
    if (map.getSource(EDIT_SOURCE)) return;
    map.addSource(EDIT_SOURCE, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "camera-edit-fov", type: "fill", source: EDIT_SOURCE, filter: ["==", ["get", "part"], "fov"], paint: { "fill-color": "#22d3ee", "fill-opacity": 0.3 } });
    map.addLayer({ id: "camera-edit-sector", type: "line", source: EDIT_SOURCE, filter: ["==", ["get", "part"], "sector"], paint: { "line-color": "#f97316", "line-width": 2, "line-dasharray": [2, 1] } });
    map.addLayer({ id: HANDLE_LAYER, type: "circle", source: EDIT_SOURCE, filter: ["==", ["get", "part"], "handle"], paint: { "circle-radius": 9, "circle-color": "#f97316", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
  }

  draw() {
    const c = this.camera;
    const features = [
      { type: "Feature", properties: { part: "sector" }, geometry: sector(c.position, c.heading, c.fov, c.range) },
      { type: "Feature", properties: { part: "handle" }, geometry: { type: "Point", coordinates: destination(c.position, c.heading, c.range) } },
    ];
    if (this.fov) features.unshift({ type: "Feature", properties: { part: "fov" }, geometry: this.fov });
    this.map.getSource(EDIT_SOURCE).setData({ type: "FeatureCollection", features });
  }

  start(camera) {
    this.camera = { ...camera };
    this.fov = null;
    this.onStart();
    this.ensureLayers();
    this.draw();
    this.state("editing");
  }

  grab(e) {
    if (!this.camera) return;
    e.preventDefault();
    this.dragging = true;
    this.map.dragPan.disable();
    this.map.getCanvas().style.cursor = "grabbing";
  }

  drag(e) {
    if (!this.dragging) return;
    const [heading, range] = bearingAndRange(this.camera.position, [e.lngLat.lng, e.lngLat.lat]);
    this.camera.heading = heading;
    this.camera.range = Math.min(2000, Math.max(5, Math.round(range)));
    this.draw();
  }

  async release() {
    if (!this.dragging) return;
    this.dragging = false;
    this.map.dragPan.enable();
    this.map.getCanvas().style.cursor = "";
    const { code, heading, range } = this.camera;
    this.state("saving");
    try {
      const saved = await patchJson(`/cameras/${encodeURIComponent(code)}`, { heading_deg: heading, range_m: range });
      const p = saved.properties;
      Object.assign(this.camera, { heading: p.heading_deg, range: p.range_m, fov: p.fov_deg });
      this.fov = p.fov;
      this.draw();
      this.state(`saved:${p.heading_deg}:${Math.round(p.range_m)}`);
    } catch (err) {
      this.state(`error:${err.code || err.message}`);
    }
  }
}
