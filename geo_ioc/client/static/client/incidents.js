// Open incidents, newest first, with the next step of the workflow one click away
// (POST /incidents/{id}/transition). A new incident appears at once and rings on the map.

import { ApiError, getJson, postJson } from "./api.js";
import { toast } from "./alerts.js";
import { el } from "./dom.js";
import { ago, clock } from "./format.js";
import { onLangChange, pick, t } from "./i18n.js";
import { pulseIncident } from "./overlays.js";
import { INCIDENT_STATUS, INCIDENT_TYPES, NEXT_STEP, SEVERITY_COLOURS } from "./strings.js";

const OPEN = new Set(["new", "acknowledged", "dispatched"]);

export function incidentType(type) {
  return INCIDENT_TYPES[type] || INCIDENT_TYPES.other;
}

export class IncidentList {
  /**
   * @param {HTMLElement} root the pane
   * @param {{map: object, focusOn(target: object): void, dock?: object, canAct: boolean}} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.incidents = new Map();
    this.fresh = new Set();
    this.pending = new Set();
    onLangChange(() => this.render());
    setInterval(() => this.render(), 30_000);
  }

  async load() {
    const body = await getJson("/incidents?status=new,acknowledged,dispatched&limit=500");
    this.incidents = new Map(body.features.map((f) => [f.id, f]));
    this.render();
  }

  onEvent(msg) {
    const feature = msg.feature;
    if (!feature || feature.id == null) return;
    if (OPEN.has(feature.properties.status)) this.incidents.set(feature.id, feature);
    else this.incidents.delete(feature.id);
    if (msg.operation === "create") {
      this.fresh.add(feature.id);
      setTimeout(() => { this.fresh.delete(feature.id); this.render(); }, 15_000);
      if (this.ctx.map) pulseIncident(this.ctx.map, feature, incidentType(feature.properties.type).colour);
      const p = feature.properties;
      toast(`${t("newIncident")}: ${pick(incidentType(p.type))}${p.road_name ? ` — ${p.road_name}` : ""}`, "incident");
    }
    this.render();
  }

  async advance(feature) {
    const step = NEXT_STEP[feature.properties.status];
    if (!step) return;
    this.pending.add(feature.id);
    this.render();
    try {
      const updated = await postJson(`/incidents/${feature.id}/transition`, { status: step[0] });
      if (OPEN.has(updated.properties.status)) this.incidents.set(updated.id, updated);
      else this.incidents.delete(updated.id);
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), "error");
    } finally {
      this.pending.delete(feature.id);
      this.render();
    }
  }

  focus(feature) {
    const p = feature.properties;
    const [lon, lat] = feature.geometry.coordinates;
    this.ctx.focusOn({ lon, lat, zoom: 16.5, label: `${p.code} · ${pick(incidentType(p.type))}`, incident: feature.id });
  }

  item(feature) {
    const p = feature.properties;
    const type = incidentType(p.type);
    const step = NEXT_STEP[p.status];
    return el("li", {
      class: `feed-item incident-item status-${p.status}${this.fresh.has(feature.id) ? " is-new" : ""}`,
      "data-incident-id": String(feature.id), style: { "--edge": type.colour }, tabindex: "0",
      onclick: () => this.focus(feature),
      onkeydown: (e) => { if (e.key === "Enter") this.focus(feature); },
    },
    el("div", { class: "feed-head" },
      el("span", { class: "feed-kind" }, el("i", { class: "dot", style: { background: type.colour } }), pick(type)),
      el("time", { datetime: p.reported_at, title: clock(p.reported_at), text: ago(p.reported_at) })),
    el("p", { class: "feed-title" },
      el("span", { class: "code", text: p.code }), " ",
      p.road_name || p.description || ""),
    el("div", { class: "feed-actions" },
      el("span", { class: "sev", style: { "--sev": SEVERITY_COLOURS[p.severity] }, title: t("severity"), text: t("severityN", { n: p.severity }) }),
      el("span", { class: `chip chip-${p.status}`, text: pick(INCIDENT_STATUS[p.status], p.status) }),
      step && this.ctx.canAct ? el("button", {
        type: "button", class: "step", disabled: this.pending.has(feature.id),
        onclick: (e) => { e.stopPropagation(); this.advance(feature); },
      }, pick(step[1])) : null));
  }

  render() {
    const order = { new: 0, acknowledged: 1, dispatched: 2 };
    const items = [...this.incidents.values()].sort((a, b) =>
      (order[a.properties.status] ?? 3) - (order[b.properties.status] ?? 3)
      || b.properties.severity - a.properties.severity
      || String(b.properties.reported_at).localeCompare(String(a.properties.reported_at)));
    this.root.replaceChildren(items.length
      ? el("ul", { class: "feed" }, items.map((f) => this.item(f)))
      : el("p", { class: "pane-empty", text: t("noIncidents") }));
    if (this.ctx.dock) this.ctx.dock.setBadge("incidents", items.length);
  }
}
