// The time slider: replays the last 24 hours on the map — the incidents open at each moment
// (GeoJSON replay layer, filtered by reported and ended times) and the hourly VN_AQI of the air
// stations — from GET /indicators/timeline. "Live" puts the map back to now.

import { getJson } from "./api.js";
import { el } from "./dom.js";
import { clock, hour, num } from "./format.js";
import { onLangChange, t } from "./i18n.js";
import { StationsOverlay } from "./overlays.js";

const STEP_MIN = 5;
const PLAY_SECONDS = 24; // the whole window, played
const TICK_MS = 100;
const STALE_MS = 5 * 60_000;

// The server style's layer of live incidents: the replay draws past ones the same way.
const LIVE_INCIDENTS = "incidents:circle";

/** A paint property of the live incidents' style layer (the fallback if the style has none). */
function incidentPaint(map, prop, fallback) {
  return (map.getLayer(LIVE_INCIDENTS) && map.getPaintProperty(LIVE_INCIDENTS, prop)) || fallback;
}

export class Timebar {
  /**
   * @param {HTMLElement} root
   * @param {{map: object, stations: StationsOverlay | null, setLiveIncidents(on: boolean): void,
   *          canSeeIncidents: boolean}} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.data = null;
    this.loadedAt = 0;
    this.minutes = null; // null: live
    this.timer = null;
    this.build();
    onLangChange(() => this.update());
  }

  build() {
    this.playButton = el("button", { type: "button", class: "tb-play", onclick: () => this.togglePlay() });
    this.range = el("input", {
      type: "range", min: "0", max: String(24 * 60), step: String(STEP_MIN), value: String(24 * 60),
      class: "tb-range", "aria-valuetext": t("timeLive"),
      oninput: () => this.seek(Number(this.range.value)),
    });
    this.label = el("span", { class: "tb-label" });
    this.count = el("span", { class: "tb-count" });
    this.liveButton = el("button", { type: "button", class: "tb-live", onclick: () => this.live() });
    this.ticks = el("div", { class: "tb-ticks", "aria-hidden": "true" });
    this.root.replaceChildren(this.playButton,
      el("div", { class: "tb-track" }, this.range, this.ticks),
      el("div", { class: "tb-readout" }, this.label, this.count), this.liveButton);
    this.update();
  }

  get replaying() {
    return this.minutes !== null;
  }

  async ensureData() {
    if (this.data && Date.now() - this.loadedAt < STALE_MS) return;
    this.data = await getJson("/indicators/timeline?hours=24");
    this.loadedAt = Date.now();
    this.start = new Date(this.data.start).getTime();
    this.end = new Date(this.data.end).getTime();
    const span = Math.max(STEP_MIN, Math.round((this.end - this.start) / 60_000));
    this.range.max = String(span);
    this.incidents = (this.data.incidents || []).map((i) => ({
      ...i, from: new Date(i.reported_at).getTime(), to: i.ended_at ? new Date(i.ended_at).getTime() : Infinity,
    }));
  }

  addLayers() {
    const map = this.ctx.map;
    if (map.getSource("replay-incidents")) return;
    map.addSource("replay-incidents", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: "replay-incidents:halo", type: "circle", source: "replay-incidents",
      filter: ["<", ["get", "age_min"], 60],
      paint: {
        "circle-radius": 16, "circle-color": incidentPaint(map, "circle-color", "#ef4444"),
        "circle-opacity": 0.25, "circle-blur": 0.4,
      },
    });
    map.addLayer({
      id: "replay-incidents", type: "circle", source: "replay-incidents",
      paint: {
        "circle-radius": incidentPaint(map, "circle-radius", 6),
        "circle-color": incidentPaint(map, "circle-color", "#ef4444"),
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.2,
      },
    });
  }

  async seek(minutes) {
    await this.ensureData();
    this.addLayers();
    if (!this.replaying) this.ctx.setLiveIncidents(false);
    this.minutes = minutes;
    const at = this.start + minutes * 60_000;
    const open = this.incidents.filter((i) => i.from <= at && at < i.to);
    this.ctx.map.getSource("replay-incidents").setData({
      type: "FeatureCollection",
      features: open.map((i) => ({
        type: "Feature", id: i.id, geometry: { type: "Point", coordinates: [i.lon, i.lat] },
        properties: { code: i.code, type: i.type, severity: i.severity, age_min: (at - i.from) / 60_000 },
      })),
    });
    this.openCount = open.length;
    if (this.ctx.stations && this.data.stations) {
      const index = Math.min(Math.floor((at - this.start) / 3_600_000), this.data.hours - 1);
      this.ctx.stations.replay(this.data.stations.map((s) => {
        const h = s.series[Math.max(index, 0)] || {};
        return StationsOverlay.feature(s.code, s.name, s.lon, s.lat, h.aqi ?? null, h.colour, h.aqi == null);
      }));
    }
    document.body.classList.add("replaying");
    this.at = at;
    this.update();
  }

  live() {
    this.pause();
    if (!this.replaying) return;
    this.minutes = null;
    const map = this.ctx.map;
    for (const id of ["replay-incidents:halo", "replay-incidents"]) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource("replay-incidents")) map.removeSource("replay-incidents");
    this.ctx.setLiveIncidents(true);
    if (this.ctx.stations) this.ctx.stations.replay(null);
    this.range.value = this.range.max;
    document.body.classList.remove("replaying");
    this.update();
  }

  togglePlay() {
    if (this.timer) this.pause();
    else this.play();
  }

  async play() {
    await this.ensureData();
    const max = Number(this.range.max);
    let minutes = this.replaying && this.minutes < max ? this.minutes : 0;
    const step = (max / PLAY_SECONDS) * (TICK_MS / 1000);
    this.timer = setInterval(() => {
      minutes = Math.min(max, minutes + step);
      this.range.value = String(minutes);
      this.seek(minutes);
      if (minutes >= max) this.pause();
    }, TICK_MS);
    this.update();
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.update();
  }

  update() {
    this.playButton.textContent = this.timer ? "❚❚" : "▶";
    this.playButton.title = this.timer ? t("pause") : t("play");
    this.playButton.setAttribute("aria-label", this.playButton.title);
    this.liveButton.textContent = t("timeLive");
    this.liveButton.setAttribute("aria-pressed", String(!this.replaying));
    this.range.setAttribute("aria-label", t("timeReplay"));
    if (this.replaying) {
      this.label.textContent = clock(this.at);
      this.range.setAttribute("aria-valuetext", t("replayAt", { time: clock(this.at) }));
      this.count.textContent = this.ctx.canSeeIncidents ? t("openAt", { n: num(this.openCount) }) : "";
    } else {
      this.label.textContent = t("timeReplay");
      this.range.setAttribute("aria-valuetext", t("timeLive"));
      this.count.textContent = "";
    }
    const now = Date.now();
    this.ticks.replaceChildren(...[24, 18, 12, 6, 0].map((h) => el("span", { text: hour(now - h * 3_600_000) })));
  }
}
