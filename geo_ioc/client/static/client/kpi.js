// Indicators computed by the server (GET /indicators): the KPI strip and the charts behind it.
// Refreshed every minute and shortly after any live event.

import { getJson } from "./api.js";
import { hourlyBars, stackedBar } from "./charts.js";
import { debounce, el } from "./dom.js";
import { hour, num } from "./format.js";
import { lang, onLangChange, pick, t } from "./i18n.js";
import { SEVERITY_COLOURS } from "./strings.js";

const REFRESH_MS = 60_000;
export const AQI_LIMITS = [
  { value: 50, colour: "#00e400" }, { value: 100, colour: "#ffff00" },
  { value: 150, colour: "#ff7e00" }, { value: 200, colour: "#ff0000" },
];
export const CAMERA_COLOURS = { online: "#1a9850", offline: "#d73027", maintenance: "#fdae61" };

/** Fetches the indicators and hands them to whoever draws them. */
export class Indicators {
  constructor(hours = 24) {
    this.hours = hours;
    this.data = null;
    this.views = [];
    this.refreshSoon = debounce(() => this.refresh(), 1500);
    onLangChange(() => this.draw());
    setInterval(() => this.refresh(), REFRESH_MS);
  }

  /** fn(data) is called on every refresh. */
  subscribe(fn) {
    this.views.push(fn);
    if (this.data) fn(this.data);
  }

  async refresh() {
    try {
      this.data = await getJson(`/indicators?hours=${this.hours}`);
      window.geoIocIndicators = this.data;
      this.draw();
    } catch (err) {
      console.warn("indicators:", err.message);
    }
  }

  draw() {
    if (this.data) this.views.forEach((fn) => fn(this.data));
  }
}

function tile(kind, label, value, sub, { tone = null, onPick = null } = {}) {
  return el("div", {
    class: `kpi kpi-${kind}${tone ? ` tone-${tone}` : ""}`, role: "listitem", "data-kpi": kind, title: label,
    tabindex: onPick ? "0" : null,
    onclick: onPick ? () => onPick(kind) : null,
    onkeydown: onPick ? (e) => { if (e.key === "Enter") onPick(kind); } : null,
  },
  el("span", { class: "kpi-label", text: label }),
  el("span", { class: "kpi-value" }, value),
  sub ? el("span", { class: "kpi-sub" }, sub) : null);
}

function severityPips(bySeverity) {
  return el("span", { class: "pips" }, [4, 3, 2, 1].map((s) => el("span", {
    class: "pip", style: { "--pip": SEVERITY_COLOURS[s] }, title: t("severityN", { n: s }),
    text: num(bySeverity[String(s)] || 0),
  })));
}

/** The KPI tiles, from the most urgent: incidents, alerts, air, cameras, readings. */
export function kpiTiles(data, { onPick = null, wall = false } = {}) {
  const tiles = [];
  if (data.incidents) {
    const i = data.incidents;
    tiles.push(tile("incidents", t("kpiIncidents"), num(i.open), severityPips(i.by_severity), {
      tone: i.by_severity["4"] ? "critical" : i.by_severity["3"] ? "warn" : null, onPick,
    }));
  }
  if (data.alerts) {
    const a = data.alerts;
    tiles.push(tile("alerts", t("kpiAlerts"), num(a.active),
      a.acknowledged ? t("acknowledgedN", { n: num(a.acknowledged) }) : t("active"),
      { tone: a.active ? "critical" : "ok", onPick }));
  }
  if (data.air) {
    const w = data.air.worst;
    const value = w
      ? el("span", { class: "aqi-chip", style: { "--aqi": w.band.colour } }, num(w.aqi))
      : "—";
    const sub = w ? `${pick(w.band)} · ${w.code}` : t("noData");
    tiles.push(tile("air", t("kpiAir"), value, data.air.stale ? `${sub} · ${t("stationsStale", { n: data.air.stale })}` : sub, { onPick }));
  }
  if (data.cameras) {
    const c = data.cameras;
    tiles.push(tile("cameras", t("kpiCameras"),
      el("span", {}, num(c.online), el("small", { text: `/${num(c.total)}` })),
      c.offline ? t("offlineN", { n: num(c.offline) }) : null,
      { tone: c.offline ? "warn" : null, onPick }));
  }
  if (data.reports) {
    // Citizen reports: received today, overdue now, the share resolved on time (24 h window).
    const r = data.reports;
    const parts = [t("overdueN", { n: num(r.overdue) })];
    if (r.resolved_on_time_pct != null) parts.push(t("onTimePct", { p: num(r.resolved_on_time_pct) }));
    tiles.push(tile("reports", t("kpiReports"), num(r.received_today), parts.join(" · "),
      { tone: r.overdue ? "warn" : null, onPick }));
  }
  if (data.air && !wall) {
    tiles.push(tile("readings", t("kpiReadings"), num(data.air.readings_last_hour),
      `${t("stationsOnline", { n: data.air.reporting, total: data.air.stations })}`, { onPick }));
  }
  if (data.incidents && data.incidents.minutes_to_acknowledge != null && wall) {
    // The unit small, as for the cameras: on the wall the value is read from afar, the unit known.
    const minutes = num(data.incidents.minutes_to_acknowledge, { maximumFractionDigits: 0 });
    tiles.push(tile("ack", t("kpiAck"), el("span", {}, minutes, el("small", { text: ` ${t("minutesUnit")}` })), null));
  }
  return tiles;
}

function section(title, ...body) {
  return el("section", { class: "ind-section" }, el("h3", { text: title }), ...body);
}

/** Cameras by status, as parts of a proportion bar. */
export function cameraParts(c) {
  return [
    { value: c.online, colour: CAMERA_COLOURS.online, label: t("camerasOnline") },
    { value: c.maintenance, colour: CAMERA_COLOURS.maintenance, label: t("camerasMaintenance") },
    { value: c.offline, colour: CAMERA_COLOURS.offline, label: t("camerasOffline") },
  ];
}

/** Proportion parts as a legend: swatch, label, value. */
export function legendRow(parts) {
  return el("ul", { class: "ind-legend" }, parts.map((p) => el("li", {},
    el("i", { style: { background: p.colour } }), `${p.label} `, el("b", { text: num(p.value) }))));
}

/** Hourly incident counts as chart points. */
export function incidentPoints(data) {
  return data.incidents.per_hour.map((h) => ({ label: hour(h.hour), value: h.count, title: hour(h.hour) }));
}

/** Hourly AQI of the worst station as chart points. */
export function aqiPoints(data) {
  return data.air.per_hour.map((h) => ({ label: hour(h.hour), value: h.aqi, colour: h.colour, title: hour(h.hour) }));
}

/** The indicator charts of the dock (also drawn, larger, on the wall's alert screen). */
export function indicatorSections(data, stations = []) {
  const out = [];
  if (data.incidents) {
    const i = data.incidents;
    out.push(section(t("chartIncidents"),
      hourlyBars(incidentPoints(data), { colour: "#f97316" }),
      el("p", { class: "ind-note", text: t("total24h", { n: num(i.reported), r: num(i.resolved) }) })));
    const parts = [4, 3, 2, 1].map((s) => ({ value: i.by_severity[String(s)] || 0, colour: SEVERITY_COLOURS[s], label: t("severityN", { n: s }) }));
    out.push(section(t("chartSeverity"), stackedBar(parts), legendRow(parts)));
  }
  if (data.air && data.air.worst) {
    out.push(section(t("chartAqi", { name: data.air.worst.name }),
      hourlyBars(aqiPoints(data), { bands: AQI_LIMITS, colour: "#22c55e" })));
  }
  if (stations.length) {
    const ranked = [...stations].sort((a, b) => (b.properties.aqi ?? -1) - (a.properties.aqi ?? -1));
    out.push(section(t("chartStations"), el("ul", { class: "station-list" }, ranked.map((f) => {
      const p = f.properties;
      return el("li", { "data-station": p.code },
        el("span", { class: "aqi-chip", style: { "--aqi": p.stale || p.aqi == null ? "#6b7280" : p.colour } }, p.label),
        el("span", { class: "station-name", text: p.name }),
        el("span", { class: "station-code", text: p.code }));
    }))));
  }
  if (data.cameras) {
    const c = data.cameras;
    const parts = cameraParts(c);
    out.push(section(t("chartCameras"), stackedBar(parts), legendRow(parts)));
  }
  return out;
}

/** The KPI strip of the console's top bar. */
export function drawKpiStrip(root, data, onPick) {
  root.replaceChildren(...kpiTiles(data, { onPick }));
  root.setAttribute("lang", lang());
}
