// Citizen reports in the console's dock (operators and admins): hotline 1022 intake placed on the
// map, with the same duplicate check as the public form, and the live list of arriving reports.
// The caller's number goes to the server only (POST /reports/staff/hotline) and is never drawn
// in the list: the list shows what the public layer shows.

import { ApiError, getJson, postJson } from "../client/api.js";
import { el } from "../client/dom.js";
import { ago, clock } from "../client/format.js";
import { lang, onLangChange } from "../client/i18n.js";

const HANDLERS = new Set(["operator", "admin"]);
const LIST_SIZE = 30;
const TEXT = {
  vi: {
    hotline: "Tiếp nhận qua 1022", category: "Loại phản ánh", place: "Vị trí", pick: "Chọn trên bản đồ",
    picking: "Bấm vào bản đồ…", noPlace: "Chưa chọn vị trí", address: "Địa chỉ", description: "Nội dung",
    phone: "Số điện thoại người gọi (không công khai)", record: "Ghi nhận", recorded: "Đã ghi nhận {code}",
    nearby: "Phản ánh đang mở gần đây (cùng loại)", noNearby: "Không có phản ánh trùng trong 50 m",
    same: "Cùng sự việc: người gọi theo dõi", followed: "Người gọi đã theo dõi {code}",
    incoming: "Phản ánh mới", empty: "Chưa có phản ánh.", overdue: "Quá hạn",
    status: {
      received: "Đã tiếp nhận", routed: "Đã chuyển đơn vị", accepted: "Đơn vị đã nhận",
      in_progress: "Đang xử lý", resolved: "Đã xử lý", closed: "Đã đóng", rejected: "Từ chối",
    },
    source: { web: "Web", hotline: "1022", open311: "Open311" },
  },
  en: {
    hotline: "Hotline 1022 intake", category: "Category", place: "Place", pick: "Pick on the map",
    picking: "Click the map…", noPlace: "No place yet", address: "Address", description: "Description",
    phone: "Caller's number (private)", record: "Record", recorded: "Recorded {code}",
    nearby: "Open reports nearby (same category)", noNearby: "No duplicate within 50 m",
    same: "Same matter: caller follows it", followed: "The caller follows {code}",
    incoming: "Arriving reports", empty: "No reports yet.", overdue: "Overdue",
    status: {
      received: "Received", routed: "Routed", accepted: "Accepted", in_progress: "In progress",
      resolved: "Resolved", closed: "Closed", rejected: "Rejected",
    },
    source: { web: "Web", hotline: "1022", open311: "Open311" },
  },
};
const tx = (key, vars = {}) => String((TEXT[lang()] || TEXT.vi)[key]).replace(/{(\w+)}/g, (_, k) => vars[k] ?? "");
const txIn = (group, key) => ((TEXT[lang()] || TEXT.vi)[group] || {})[key] || key;

/** Both languages on a label: the current one first, the other small beside it. */
function label(key) {
  const other = lang() === "vi" ? "en" : "vi";
  return [tx(key), " ", el("small", { lang: other, text: String(TEXT[other][key]) })];
}

export class ReportsPane {
  /**
   * @param {HTMLElement} root the dock pane
   * @param {{map: object, dock: object, focusOn(target: object): void}} ctx
   */
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.categories = [];
    this.reports = new Map(); // code → feature, newest first by received_at
    this.fresh = new Set();
    this.point = null; // [lon, lat]
    this.picking = false;
    this.marker = null;
    this.nearby = null; // null: not checked yet; []: none
    this.message = null; // {kind: "ok"|"error", text}
    this.busy = false;
    this.form = { category: "", address: "", description: "", phone: "" };
    this.formHost = el("div", { class: "rp-form-host" });
    this.listHost = el("div", { class: "rp-list-host" });
    root.replaceChildren(this.formHost, this.listHost);
    ctx.map.on("click", (e) => {
      if (!this.picking) return;
      this.picking = false;
      this.place(e.lngLat.lng, e.lngLat.lat);
      // Other click handlers (parcels) may bring their tab forward: the intake stays in front.
      ctx.dock.show("reports", { reveal: false });
    });
    onLangChange(() => this.render());
    window.geoIocReports = this; // the browser tests place the pin as a map click would
  }

  async load() {
    const [categories, list] = await Promise.all([
      getJson("/reports/categories"), getJson(`/reports/staff?limit=${LIST_SIZE}`),
    ]);
    this.categories = categories.categories;
    if (!this.form.category && this.categories.length) this.form.category = this.categories[0].code;
    for (const f of list.features) this.reports.set(f.properties.code, f);
    this.root.dataset.ready = "1";
    this.render();
  }

  /** A live message of the `reports` layer: a report created or changed. */
  onEvent(msg) {
    const feature = msg.feature;
    if (!feature || feature.type !== "Feature") {
      // A bare change (the overdue sweep, a merge by SQL): read the list again.
      getJson(`/reports/staff?limit=${LIST_SIZE}`).then((list) => {
        for (const f of list.features) this.reports.set(f.properties.code, f);
        this.renderList();
      }).catch((err) => console.warn("reports:", err.message));
      return;
    }
    const code = feature.properties.code;
    this.reports.set(code, feature);
    if (msg.operation === "create") {
      this.fresh.add(code);
      setTimeout(() => { this.fresh.delete(code); this.renderList(); }, 15_000);
    }
    this.renderList();
  }

  /** Set the report's place (a map click while picking, or the tests). */
  place(lon, lat) {
    this.point = [lon, lat];
    const maplibregl = window.maplibregl;
    if (!this.marker && maplibregl) this.marker = new maplibregl.Marker({ color: "#f59e0b" });
    if (this.marker) this.marker.setLngLat([lon, lat]).addTo(this.ctx.map);
    this.check();
  }

  /** The duplicate check: open reports of the same category within 50 m. */
  async check() {
    this.nearby = null;
    delete this.root.dataset.nearbyChecked;
    this.render();
    if (!this.point || !this.form.category) return;
    const [lon, lat] = this.point;
    const params = new URLSearchParams({ category: this.form.category, lon, lat });
    try {
      const data = await getJson(`/reports/nearby?${params}`);
      this.nearby = data.features;
      this.root.dataset.nearbyChecked = String(this.nearby.length);
    } catch (err) {
      this.message = { kind: "error", text: err.message };
    }
    this.render();
  }

  async submit(event) {
    event.preventDefault();
    if (!this.point) {
      this.message = { kind: "error", text: tx("noPlace") };
      this.render();
      return;
    }
    this.busy = true;
    this.render();
    const body = {
      category: this.form.category, lon: this.point[0], lat: this.point[1],
      address: this.form.address, description: this.form.description,
      contact: this.form.phone ? { phone: this.form.phone } : {},
    };
    try {
      const done = await postJson("/reports/staff/hotline", body);
      const code = done.properties.code;
      // The list shows the public face only: the staff answer carries the contact.
      delete done.properties.contact;
      if (!this.reports.has(code)) this.reports.set(code, done);
      this.message = { kind: "ok", text: tx("recorded", { code }), code };
      this.reset();
    } catch (err) {
      this.message = { kind: "error", text: err instanceof ApiError ? err.message : String(err) };
    } finally {
      this.busy = false;
      this.render();
    }
  }

  /** The caller is reporting an open report already: they follow it instead of a new one. */
  async followInstead(feature) {
    const code = feature.properties.code;
    try {
      await postJson(`/reports/staff/${encodeURIComponent(code)}/follow`, { phone: this.form.phone });
      this.message = { kind: "ok", text: tx("followed", { code }), code };
      this.reset();
    } catch (err) {
      this.message = { kind: "error", text: err instanceof ApiError ? err.message : String(err) };
    }
    this.render();
  }

  reset() {
    this.form = { ...this.form, address: "", description: "", phone: "" };
    this.point = null;
    this.nearby = null;
    delete this.root.dataset.nearbyChecked;
    if (this.marker) this.marker.remove();
  }

  focus(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    this.ctx.focusOn({ lon, lat, zoom: 17, label: `${feature.properties.code} · ${this.categoryName(feature.properties)}` });
  }

  categoryName(p) {
    return lang() === "vi" ? p.category_vi : p.category_en;
  }

  field(key, control) {
    return el("label", { class: "rp-field" }, el("span", {}, ...label(key)), control);
  }

  input(name, attrs = {}) {
    const tag = attrs.rows ? "textarea" : "input";
    const node = el(tag, { id: `rp-${name}`, name, ...attrs, oninput: (e) => { this.form[name] = e.target.value; } });
    node.value = this.form[name];
    return node;
  }

  formView() {
    const select = el("select", {
      id: "rp-category", name: "category", required: true,
      onchange: (e) => { this.form.category = e.target.value; this.check(); },
    }, this.categories.map((c) => el("option", { value: c.code, text: lang() === "vi" ? c.name_vi : c.name_en })));
    select.value = this.form.category;
    const where = this.point
      ? `${this.point[1].toFixed(5)}°N ${this.point[0].toFixed(5)}°E`
      : tx(this.picking ? "picking" : "noPlace");
    const pickButton = el("button", {
      type: "button", id: "rp-pick", class: "step", "aria-pressed": String(this.picking),
      onclick: () => { this.picking = !this.picking; this.renderForm(); },
    }, tx("pick"));
    return el("form", { id: "rp-hotline", class: "rp-form", onsubmit: (e) => this.submit(e) },
      el("h3", {}, ...label("hotline")),
      this.field("category", select),
      el("div", { class: "rp-field" }, el("span", {}, ...label("place")),
        el("div", { class: "rp-place" }, el("output", { id: "rp-where", text: where }), pickButton)),
      this.nearbyView(),
      this.field("address", this.input("address", { maxlength: "300" })),
      this.field("description", this.input("description", { rows: "3", required: true, minlength: "5", maxlength: "4000" })),
      this.field("phone", this.input("phone", { type: "tel", autocomplete: "off", maxlength: "40" })),
      this.message ? el("p", {
        id: "rp-message", class: `rp-message ${this.message.kind}`, role: this.message.kind === "error" ? "alert" : "status",
        "data-code": this.message.code || null, text: this.message.text,
      }) : null,
      el("button", { type: "submit", id: "rp-record", class: "step primary", disabled: this.busy }, tx("record")));
  }

  nearbyView() {
    if (this.nearby === null) return null;
    if (!this.nearby.length) return el("p", { id: "rp-nearby", class: "rp-nearby none", text: tx("noNearby") });
    return el("div", { id: "rp-nearby", class: "rp-nearby" }, el("p", { text: tx("nearby") }),
      el("ul", {}, this.nearby.map((f) => {
        const p = f.properties;
        return el("li", { "data-code": p.code },
          el("a", { href: "#", onclick: (e) => { e.preventDefault(); this.focus(f); } }, el("b", { text: p.code })),
          ` · ${Math.round(p.distance_m)} m · ${txIn("status", p.status)} · ${p.description}`,
          el("button", { type: "button", class: "step", onclick: () => this.followInstead(f) }, tx("same")));
      })));
  }

  item(feature) {
    const p = feature.properties;
    return el("li", {
      class: `feed-item rp-item${this.fresh.has(p.code) ? " is-new" : ""}${p.overdue ? " overdue" : ""}`,
      "data-code": p.code, tabindex: "0",
      onclick: () => this.focus(feature),
      onkeydown: (e) => { if (e.key === "Enter") this.focus(feature); },
    },
    el("div", { class: "feed-head" },
      el("span", { class: "feed-kind", text: `${this.categoryName(p)} · ${txIn("source", p.source)}` }),
      el("time", { datetime: p.received_at, title: clock(p.received_at), text: ago(p.received_at) })),
    el("p", { class: "feed-title" }, el("span", { class: "code", text: p.code }), " ", p.description),
    el("p", { class: "feed-sub", text: [p.area_name, p.unit].filter(Boolean).join(" · ") }),
    el("div", { class: "feed-actions" },
      el("span", { class: `chip chip-${p.status}`, text: txIn("status", p.status) }),
      p.overdue ? el("span", { class: "chip rp-overdue", text: tx("overdue") }) : null));
  }

  /** The form again (its state changed: place, duplicates, message, language). */
  renderForm() {
    this.formHost.replaceChildren(this.formView());
  }

  /** The arriving reports, newest first (live messages call only this: typing is not disturbed). */
  renderList() {
    const items = [...this.reports.values()]
      .sort((a, b) => String(b.properties.received_at).localeCompare(String(a.properties.received_at)))
      .slice(0, LIST_SIZE);
    this.reports = new Map(items.map((f) => [f.properties.code, f]));
    this.listHost.replaceChildren(
      el("h3", { class: "rp-incoming-title" }, ...label("incoming")),
      items.length
        ? el("ul", { id: "rp-incoming", class: "feed" }, items.map((f) => this.item(f)))
        : el("p", { class: "pane-empty", text: tx("empty") }));
    this.ctx.dock.setBadge("reports", this.fresh.size);
  }

  render() {
    this.renderForm();
    this.renderList();
  }
}

/** The pane for operators and admins who see the reports layer; null for anyone else. */
export function initReports(root, ctx, { roles = [], slugs = new Set() } = {}) {
  if (!root || !slugs.has("reports") || !roles.some((r) => HANDLERS.has(r))) return null;
  const pane = new ReportsPane(root, ctx);
  pane.load().catch((err) => console.warn("reports:", err.message));
  return pane;
}
