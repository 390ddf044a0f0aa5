// Cameras in the client: the popup's newest masked snapshot, health and a congestion sparkline,
// and the `cameras` wall screen (a grid of the newest snapshots, tampered and offline first).
// Snapshots are always the server's masked ones; each view is audited by the server.

import { getJson } from "./api.js";
import { el, svg } from "./dom.js";
import { lang } from "./i18n.js";

const TEXT = {
  vi: {
    snapshot: "Ảnh mới nhất (đã che vùng riêng tư)", none: "Chưa có ảnh", health: "Tình trạng",
    fps: "khung/giây", uptime: "hoạt động 24 giờ", congestion: "Tỉ lệ xe dừng (60 ảnh gần nhất)",
    heartbeat: "tín hiệu lúc", tamper: "Can thiệp", empty: "Không có camera trong khung nhìn",
    status: { online: "Trực tuyến", degraded: "Suy giảm", offline: "Mất kết nối", maintenance: "Bảo trì" },
    tampers: { covered: "Bị che ống kính", blurred: "Mờ hình", moved: "Bị xoay lệch", scene_change: "Đổi cảnh" },
  },
  en: {
    snapshot: "Newest snapshot (privacy masked)", none: "No snapshot yet", health: "Health",
    fps: "fps", uptime: "up over 24 h", congestion: "Stopped share (last 60 frames)",
    heartbeat: "heartbeat at", tamper: "Tampering", empty: "No camera in view",
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
