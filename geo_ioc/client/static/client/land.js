// Land parcels: search by ward/sheet/parcel, click-to-identify, and the plan overlay report.

import { lang, onLangChange } from "./i18n.js";

const TEXT = {
  vi: {
    title: "Tra cứu thửa đất", ward: "Phường/xã", sheet: "Số tờ", parcel: "Số thửa",
    search: "Tìm", close: "Đóng", notFound: "Không tìm thấy thửa đất.", failed: "Lỗi tra cứu",
    use: "Hiện trạng", legal: "Diện tích pháp lý", measured: "Diện tích đo", diff: "Chênh lệch",
    address: "Địa chỉ", plan: "Đối chiếu quy hoạch", share: "tỷ lệ", conflict: "Không phù hợp quy hoạch",
    agrees: "Phù hợp quy hoạch", holder: "Chủ sử dụng", certificate: "Số GCN",
    showHolder: "Xem chủ sử dụng (ghi nhật ký)", hidden: "Chỉ cán bộ địa chính được xem",
    hint: "Bấm vào bản đồ để tra thửa đất",
  },
  en: {
    title: "Parcel lookup", ward: "Ward", sheet: "Sheet", parcel: "Parcel",
    search: "Find", close: "Close", notFound: "No such parcel.", failed: "Lookup failed",
    use: "Current use", legal: "Legal area", measured: "Measured area", diff: "Difference",
    address: "Address", plan: "Against the land-use plan", share: "share", conflict: "Conflicts with the plan",
    agrees: "Agrees with the plan", holder: "Holder", certificate: "Certificate",
    showHolder: "Show holder (audited)", hidden: "Land officers only",
    hint: "Click the map to identify a parcel",
  },
};
const tx = (key) => (TEXT[lang()] || TEXT.vi)[key];
const m2 = (v) => `${Number(v).toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 })} m²`;
const pct = (v) => `${(100 * v).toFixed(1)} %`;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.message || response.status), { body });
  return body;
}

function bounds(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of geometry.coordinates) for (const ring of poly) for (const [x, y] of ring) {
    b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
  }
  return [[b[0], b[1]], [b[2], b[3]]];
}

/** The land panel: a search form on top, the selected parcel's report below. */
export class LandPanel {
  /** `container`: where the panel goes (the console's dock); the page body when none. */
  constructor(map, layersBySlug, container = null) {
    this.map = map;
    this.layers = layersBySlug;
    this.feature = null;
    this.report = null;
    this.holder = null;
    this.message = null;
    this.root = container
      ? el("div", { id: "land-panel", "aria-live": "polite" })
      : el("aside", { id: "land-panel", class: "glass", "aria-live": "polite" });
    (container || document.body).append(this.root);
    map.on("load", () => this.addHighlight());
    if (map.loaded()) this.addHighlight();
    map.on("click", (e) => this.identify(e.lngLat));
    onLangChange(() => this.render());
    this.render();
  }

  // The outline of the selected parcel, drawn from the parcels tiles (feature id = parcel id).
  addHighlight() {
    if (this.map.getLayer("land-highlight") || !this.map.getSource("parcels")) return;
    this.map.addLayer({ id: "land-highlight", type: "line", source: "parcels", "source-layer": "parcels",
      filter: ["==", ["id"], -1], paint: { "line-color": "#22d3ee", "line-width": 3 } });
  }

  highlight(id) {
    this.addHighlight();
    if (this.map.getLayer("land-highlight")) this.map.setFilter("land-highlight", ["==", ["id"], id]);
  }

  parcelsShown() {
    return this.layers.has("parcels") && this.map.getZoom() >= (this.layers.get("parcels").min_zoom || 0)
      && this.map.getStyle().layers.some((l) => l.metadata && l.metadata["geo-ioc:layer"] === "parcels"
        && (l.layout || {}).visibility !== "none");
  }

  async identify(lngLat) {
    if (!this.parcelsShown()) return;
    const url = `/land/parcels/at?lon=${lngLat.lng.toFixed(7)}&lat=${lngLat.lat.toFixed(7)}&tolerance=1`;
    try {
      const found = await getJson(url);
      if (found.features.length) await this.select(found.features[0], false);
    } catch (err) {
      this.show(`${tx("failed")}: ${err.message}`);
    }
  }

  async search(form) {
    const data = new FormData(form);
    const query = new URLSearchParams({ ward: data.get("ward"), sheet: data.get("sheet"), parcel: data.get("parcel") });
    try {
      await this.select(await getJson(`/land/parcels/lookup?${query}`), true);
    } catch (err) {
      this.show(err.body && err.body.code && err.body.code.endsWith("not_found") ? tx("notFound") : `${tx("failed")}: ${err.message}`);
    }
  }

  async select(feature, fly) {
    this.feature = feature;
    this.holder = null;
    this.message = null;
    this.report = await getJson(`/land/parcels/${feature.id}/overlay`);
    this.highlight(feature.id);
    if (fly) this.map.fitBounds(bounds(feature.geometry), { padding: 120, maxZoom: 18, duration: 0 });
    this.render();
  }

  /** Select a parcel by its id (a search result) and fly to it. */
  async selectById(id) {
    try {
      await this.select(await getJson(`/land/parcels/${encodeURIComponent(id)}`), true);
    } catch (err) {
      this.show(`${tx("failed")}: ${err.message}`);
    }
  }

  async showHolder() {
    const detail = await getJson(`/land/parcels/${this.feature.id}`);
    this.holder = "holder_name" in detail.properties ? detail.properties : false;
    this.render();
  }

  show(message) {
    this.message = message;
    this.render();
  }

  clear() {
    this.feature = this.report = this.holder = this.message = null;
    this.highlight(-1);
    this.render();
  }

  form() {
    const last = this.feature ? this.feature.properties : {};
    const input = (name, value, size) => el("label", {}, el("span", {}, tx(name)),
      el("input", { name, value: value ?? "", size: String(size), required: "", "data-land": name }));
    return el("form", { class: "land-search", onsubmit: (e) => { e.preventDefault(); this.search(e.target); } },
      input("ward", last.ward_code || "672.01", 7), input("sheet", last.sheet, 3), input("parcel", last.number, 4),
      el("button", { type: "submit" }, tx("search")));
  }

  body() {
    if (this.message) return el("p", { class: "land-message" }, this.message);
    if (!this.feature || !this.report) return el("p", { class: "land-hint" }, tx("hint"));
    const p = this.feature.properties;
    const r = this.report;
    const row = (k, v) => el("tr", {}, el("th", {}, tx(k)), el("td", {}, v));
    const zones = r.zones.map((z) => el("li", { class: z.agrees ? "agrees" : "conflicts" },
      `${z.code} · ${lang() === "vi" ? z.name_vi : z.name_en} — ${m2(z.overlap_m2)} (${tx("share")} ${pct(z.share)})`));
    const holder = this.holder === null
      ? el("button", { type: "button", class: "land-holder", onclick: () => this.showHolder() }, tx("showHolder"))
      : this.holder === false ? el("p", { class: "land-hint" }, tx("hidden"))
        : el("table", {}, row("holder", this.holder.holder_name), row("certificate", this.holder.certificate_no || "—"));
    return el("div", { class: "land-report", "data-parcel": String(this.feature.id) },
      el("h3", {}, `${p.label || `${p.ward_code}/${p.sheet}/${p.number}`}`),
      el("table", {},
        row("use", `${p.land_use} · ${lang() === "vi" ? p.land_use_vi : p.land_use_en}`),
        row("address", p.address || "—"),
        row("legal", m2(r.legal_area_m2)),
        row("measured", `${m2(r.measured_area_m2)} (${r.crs})`),
        row("diff", `${r.area_difference_m2 > 0 ? "+" : ""}${m2(r.area_difference_m2)} (${r.area_difference_pct.toFixed(2)} %)`)),
      el("h4", {}, tx("plan")),
      el("p", { class: r.conflict ? "land-conflict" : "land-agrees", "data-conflict": String(r.conflict) },
        r.conflict ? `${tx("conflict")} (${pct(r.conflict_share)})` : tx("agrees")),
      el("ul", { class: "land-zones" }, ...zones),
      holder);
  }

  render() {
    const close = this.feature || this.message
      ? el("button", { type: "button", class: "land-close", "aria-label": tx("close"), onclick: () => this.clear() }, "×") : null;
    this.root.replaceChildren(el("h2", {}, tx("title"), close), this.form(), this.body());
  }
}

/** Add the land panel to the map when the catalogue has parcels. */
export function initLand(map, layersBySlug, container = null) {
  if (!layersBySlug.has("parcels")) return null;
  const panel = new LandPanel(map, layersBySlug, container);
  window.geoIocLand = panel;
  return panel;
}
