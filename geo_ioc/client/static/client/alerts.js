// The alert feed: open alerts, newest first; a new one flashes (and beeps when the sound is on)
// and stays until an operator acknowledges it (POST /alerts/{id}/acknowledge; the server records
// who). Kept current by the live channel.

import { ApiError, getJson, postJson } from "./api.js";
import { el } from "./dom.js";
import { ago, clock } from "./format.js";
import { onLangChange, t } from "./i18n.js";
import { beep, soundOn } from "./sound.js";

// CAP severity → colour of the card's edge.
export const CAP_COLOURS = { Extreme: "#dc2626", Severe: "#f97316", Moderate: "#eab308", Minor: "#38bdf8", Unknown: "#94a3b8" };

/** [[minLon, minLat], [maxLon, maxLat]] of a GeoJSON geometry. */
export function geometryBounds(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  if (geometry.type === "GeometryCollection") geometry.geometries.forEach((g) => walk(g.coordinates));
  else walk(geometry.coordinates);
  return [[b[0], b[1]], [b[2], b[3]]];
}

export function toast(message, kind = "info", seconds = 6) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = el("div", { class: `toast toast-${kind}`, role: kind === "alert" ? "alert" : "status", text: message });
  box.append(item);
  setTimeout(() => item.classList.add("is-leaving"), seconds * 1000);
  setTimeout(() => item.remove(), seconds * 1000 + 400);
}

export class AlertFeed {
  /**
   * @param {HTMLElement} root the pane
   * @param {{focusOn(target: object): void, dock: object, canAct: boolean, compact?: boolean}} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.alerts = new Map();
    this.fresh = new Set();
    this.pending = new Set();
    onLangChange(() => this.render());
    setInterval(() => this.render(), 30_000); // "5 minutes ago" moves on
  }

  async load() {
    const body = await getJson("/alerts?status=active,acknowledged");
    this.alerts = new Map(body.features.map((f) => [f.id, f]));
    this.render();
  }

  /** A live event of the alerts layer. */
  onEvent(msg) {
    const feature = msg.feature;
    if (!feature || feature.id == null) return;
    const status = feature.properties && feature.properties.status;
    if (status === "resolved") this.alerts.delete(feature.id);
    else this.alerts.set(feature.id, feature);
    if (msg.operation === "create" && status === "active") {
      this.fresh.add(feature.id);
      setTimeout(() => { this.fresh.delete(feature.id); this.render(); }, 12_000);
      this.flash(feature);
    }
    this.render();
  }

  flash(feature) {
    const p = feature.properties || {};
    const banner = el("div", { class: "ioc-alert-flash", role: "alert" },
      el("b", { text: t("newAlert") }), " ", p.headline || p.event || "");
    document.body.append(banner);
    setTimeout(() => banner.remove(), 8000);
    if (soundOn()) beep();
  }

  sorted() {
    const rank = (f) => (f.properties.status === "active" ? 0 : 1);
    return [...this.alerts.values()].sort((a, b) => rank(a) - rank(b)
      || String(b.properties.sent).localeCompare(String(a.properties.sent)));
  }

  activeCount() {
    return [...this.alerts.values()].filter((f) => f.properties.status === "active").length;
  }

  async acknowledge(id) {
    this.pending.add(id);
    this.render();
    try {
      const updated = await postJson(`/alerts/${id}/acknowledge`);
      this.alerts.set(updated.id, updated);
    } catch (err) {
      toast(t("ackFailed", { message: err instanceof ApiError ? err.message : String(err) }), "error");
    } finally {
      this.pending.delete(id);
      this.render();
    }
  }

  focus(feature) {
    const p = feature.properties;
    this.ctx.focusOn({
      bounds: geometryBounds(feature.geometry), label: p.event || p.headline, incident: p.incident || null,
    });
  }

  item(feature) {
    const p = feature.properties;
    const active = p.status === "active";
    const colour = CAP_COLOURS[p.severity] || CAP_COLOURS.Unknown;
    const actions = [];
    if (active && this.ctx.canAct) {
      actions.push(el("button", {
        type: "button", class: "ack", disabled: this.pending.has(feature.id),
        onclick: (e) => { e.stopPropagation(); this.acknowledge(feature.id); },
      }, t("acknowledge")));
    } else if (!active) {
      actions.push(el("span", { class: "acked", text: `✓ ${t("acknowledgedBy", { who: p.acknowledged_by || "—", time: clock(p.acknowledged_at) })}` }));
    }
    return el("li", {
      class: `feed-item alert-item${active ? " is-active" : " is-acknowledged"}${this.fresh.has(feature.id) ? " is-new" : ""}`,
      "data-alert-id": String(feature.id), "data-status": p.status, style: { "--edge": colour }, tabindex: "0",
      onclick: () => this.focus(feature),
      onkeydown: (e) => { if (e.key === "Enter") this.focus(feature); },
    },
    el("div", { class: "feed-head" },
      el("span", { class: "feed-kind", text: p.event || p.rule }),
      el("time", { datetime: p.sent, title: clock(p.sent), text: ago(p.sent) })),
    el("p", { class: "feed-title", text: p.headline }),
    p.area_desc ? el("p", { class: "feed-sub", text: p.area_desc }) : null,
    el("div", { class: "feed-actions" }, ...actions));
  }

  render() {
    const items = this.sorted();
    const list = items.length
      ? el("ul", { class: "feed" }, items.map((f) => this.item(f)))
      : el("p", { class: "pane-empty", text: t("noAlerts") });
    this.root.replaceChildren(list);
    const active = this.activeCount();
    if (this.ctx.dock) this.ctx.dock.setBadge("alerts", active);
    document.body.classList.toggle("has-active-alerts", active > 0);
  }
}
