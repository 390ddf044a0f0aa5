// Socio-economic indicators in the dock: groups and search, one indicator's map at a time with a
// period slider (the map tile carries every period; the slider only changes the column the
// server's style reads), and a unit's card: its indicators against target, a sparkline of the
// last twelve months and its rank among the communes.

import { lang, onLangChange } from "./i18n.js";
import { el } from "./dom.js";
import { num } from "./format.js";
import { styleLayerIds } from "./mapview.js";
import { ReportForm } from "./report_form.js";

const TEXT = {
  vi: {
    search: "Tìm chỉ tiêu…", all: "Tất cả nhóm", period: "Kỳ", none: "Chọn một chỉ tiêu để xem bản đồ.",
    card: "Bấm vào một xã, phường trên bản đồ", target: "Kế hoạch", rank: "Xếp hạng", of: "trên",
    synthetic: "Dữ liệu giả lập", change: "so với kỳ trước",
    compare: "So sánh", off: "Không so sánh", abs: "Thay đổi", pct: "% thay đổi", base: "Kỳ gốc",
  },
  en: {
    search: "Find an indicator…", all: "All groups", period: "Period", none: "Pick an indicator to map it.",
    card: "Click a commune on the map", target: "Target", rank: "Rank", of: "of",
    synthetic: "Synthetic data", change: "vs previous period",
    compare: "Compare", off: "No comparison", abs: "Change", pct: "% change", base: "Base period",
  },
};
const GROUPS = {
  economy: ["Kinh tế", "Economy"], budget: ["Ngân sách", "Budget"], investment: ["Đầu tư", "Investment"],
  industry: ["Công nghiệp", "Industry"], trade_tourism: ["Thương mại, du lịch", "Trade and tourism"],
  agriculture: ["Nông nghiệp", "Agriculture"], labour: ["Lao động, xã hội", "Labour and society"],
  health: ["Y tế", "Health"], education: ["Giáo dục", "Education"], environment: ["Môi trường", "Environment"],
  public_services: ["Dịch vụ công", "Public services"], security: ["An ninh, trật tự", "Security"],
};
const COMPARE_LAYER = "se-compare";
const tx = (key) => (TEXT[lang()] || TEXT.vi)[key];
const groupName = (g) => (GROUPS[g] || [g, g])[lang() === "vi" ? 0 : 1];
const periodText = (key) => (key.length === 6 ? `${key.slice(4)}/${key.slice(0, 4)}` : key);

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.status);
  return body;
}

/** An inline SVG sparkline of values (nulls skipped), last point marked. */
export function sparkline(values, { width = 160, height = 36 } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "se-spark");
  const pts = values.map((v, i) => [i, v]).filter(([, v]) => v != null);
  if (pts.length < 2) return svg;
  const lo = Math.min(...pts.map(([, v]) => v));
  const hi = Math.max(...pts.map(([, v]) => v));
  const x = (i) => 2 + (i / (values.length - 1)) * (width - 4);
  const y = (v) => height - 3 - ((v - lo) / (hi - lo || 1)) * (height - 6);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", pts.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#22d3ee");
  line.setAttribute("stroke-width", "1.5");
  const [li, lv] = pts[pts.length - 1];
  const dot = document.createElementNS(ns, "circle");
  Object.entries({ cx: x(li), cy: y(lv), r: 2.5, fill: "#f59e0b" }).forEach(([k, v]) => dot.setAttribute(k, v));
  svg.append(line, dot);
  svg.dataset.points = String(pts.length);
  return svg;
}

/**
 * Point the style layers of an indicator's map (and its symbols) at a period's column: the same
 * tiles, another property. The server may draw a class per style layer (a filter on the column
 * each, for clients without `step`): the column changes in paint and filters alike.
 */
export function pointAtPeriod(map, code, key) {
  const field = `v_${key}`;
  const column = (name) => typeof name === "string" && /^v_\d{6}/.test(name);
  const swap = (expr) => {
    if (!Array.isArray(expr)) return expr;
    if ((expr[0] === "get" || expr[0] === "has") && column(expr[1])) return [expr[0], field];
    return expr.map(swap);
  };
  const ids = [`ind_${code}`, `ind_${code}_sym`].flatMap((s) => styleLayerIds(map, s));
  for (const id of ids) {
    const layer = map.getLayer(id);
    const prop = { fill: "fill-color", circle: "circle-radius" }[layer.type];
    if (prop) {
      map.setPaintProperty(id, prop, swap(map.getPaintProperty(id, prop)));
      map.setFilter(id, swap(map.getFilter(id) || ["has", field]));
    }
  }
}

/** The monthly periods (YYYYMM) an indicator's map holds, oldest first, from its catalogue entry. */
export function mapPeriods(layer) {
  return ((layer && layer.fields) || []).map((f) => f.name)
    .filter((n) => /^v_\d{6}$/.test(n)).map((n) => n.slice(2));
}

export class StatisticsPanel {
  constructor(root, map, catalogue, showLayer) {
    this.root = root;
    this.map = map;
    this.catalogue = catalogue; // slug → catalogue layer
    this.showLayer = showLayer;
    this.indicators = [];
    this.group = "";
    this.query = "";
    this.current = null; // the indicator shown
    this.periods = [];
    this.period = null;
    this.unit = null;
    this.compare = ""; // "", "abs" (change) or "pct" (% change) between this.base and this.period
    this.base = null;
    this.report = new ReportForm();
    map.on("click", (e) => this.identify(e.point));
    onLangChange(() => this.render());
  }

  async load() {
    this.indicators = (await getJson("/socioeconomic/indicators")).indicators
      .filter((i) => this.catalogue.has(`ind_${i.code}`));
    this.render();
    return this;
  }

  /** Show an indicator's map (hiding the one before) and set the slider to its periods. */
  select(code) {
    if (this.current) {
      this.dropCompare();
      this.showLayer(`ind_${this.current.code}`, false);
      if (this.catalogue.has(`ind_${this.current.code}_sym`)) this.showLayer(`ind_${this.current.code}_sym`, false);
    }
    this.current = this.indicators.find((i) => i.code === code) || null;
    if (!this.current) return this.render();
    const layer = this.catalogue.get(`ind_${code}`);
    this.periods = mapPeriods(layer);
    this.period = this.periods[this.periods.length - 1];
    this.base = this.periods[Math.max(0, this.periods.length - 13)]; // a year before, if held
    this.showLayer(`ind_${code}`, true);
    // A count is also drawn as proportional symbols at the units' label points.
    if (this.catalogue.has(`ind_${code}_sym`)) this.showLayer(`ind_${code}_sym`, true);
    this.render();
    if (this.unit) this.showCard(this.unit);
  }

  /** Point the map's style at a period's column: the same tiles, another property. */
  setPeriod(key) {
    this.period = key;
    pointAtPeriod(this.map, this.current.code, key);
    this.root.querySelector(".se-period-label").textContent = periodText(key);
    this.root.dataset.period = key;
    this.applyCompare();
    if (this.unit) this.showCard(this.unit);
  }

  /** The server's class layers of the current map (one `fill` per class). */
  classLayers() {
    return styleLayerIds(this.map, `ind_${this.current.code}`).filter((id) => this.map.getLayer(id).type === "fill");
  }

  /** Remove the comparison layer and show the classes again. */
  dropCompare() {
    if (this.map.getLayer(COMPARE_LAYER)) this.map.removeLayer(COMPARE_LAYER);
    if (!this.current) return;
    for (const id of this.classLayers()) this.map.setLayoutProperty(id, "visibility", "visible");
  }

  /**
   * Colour the units by the change from the base period to the period: the same tiles (they
   * carry every period), a client-side `step` over the server's diverging stops
   * (`geo-ioc:compare` in the fill's metadata), in a layer of its own over the same source.
   */
  applyCompare() {
    this.root.dataset.compare = this.compare;
    if (!this.current || !this.compare || !this.base) return this.dropCompare();
    const classes = this.classLayers();
    if (!classes.length) return;
    const first = this.map.getLayer(classes[0]);
    const params = ((first.metadata || {})["geo-ioc:compare"] || {})[this.compare];
    if (!params) return this.dropCompare();
    const a = ["get", `v_${this.base}`];
    const b = ["get", `v_${this.period}`];
    const diff = ["-", b, a];
    const value = this.compare === "pct" ? ["*", 100, ["/", diff, ["abs", a]]] : diff;
    const colour = ["step", value, params.colours[0]];
    params.stops.forEach((stop, i) => colour.push(stop, params.colours[i + 1]));
    const filter = ["all", ["has", `v_${this.base}`], ["has", `v_${this.period}`]];
    if (this.compare === "pct") filter.push(["!=", a, 0]);
    if (this.map.getLayer(COMPARE_LAYER)) {
      this.map.setPaintProperty(COMPARE_LAYER, "fill-color", colour);
      this.map.setFilter(COMPARE_LAYER, filter);
    } else {
      const lines = styleLayerIds(this.map, `ind_${this.current.code}`).filter((id) => this.map.getLayer(id).type === "line");
      this.map.addLayer({
        id: COMPARE_LAYER, type: "fill", source: first.source, "source-layer": first.sourceLayer,
        filter, paint: { "fill-color": colour, "fill-opacity": 0.8 },
        metadata: { "geo-ioc:compare-of": this.current.code },
      }, lines[0]);
    }
    for (const id of classes) this.map.setLayoutProperty(id, "visibility", "none");
    this.renderCompareLegend(params);
  }

  /** A diverging legend: classes below and above zero, in the console's number format. */
  renderCompareLegend(params) {
    const box = this.root.querySelector(".se-compare-legend");
    if (!box) return;
    const unit = this.compare === "pct" ? " %" : ` ${this.current.unit_of_measure || ""}`;
    const f = (x) => `${num(x, { maximumFractionDigits: 2 })}${unit}`;
    const { stops, colours } = params;
    const labels = colours.map((_, i) => {
      if (i === 0) return `< ${f(stops[0])}`;
      if (i === stops.length) return `≥ ${f(stops[i - 1])}`;
      return `${f(stops[i - 1])} – ${f(stops[i])}`;
    });
    box.replaceChildren(
      el("p", { class: "se-note", text: `${tx(this.compare)}: ${periodText(this.base)} → ${periodText(this.period)}` }),
      ...colours.map((c, i) => {
        const swatch = el("span", { class: "se-swatch" });
        swatch.style.background = c; // a CSSOM property: the page's CSP forbids style attributes
        return el("li", { "data-colour": c }, swatch, el("span", { text: labels[i] }));
      }),
    );
  }

  identify(point) {
    if (!this.current) return;
    const ids = this.classLayers();
    if (this.map.getLayer(COMPARE_LAYER)) ids.push(COMPARE_LAYER);
    const hit = this.map.queryRenderedFeatures([[point.x - 2, point.y - 2], [point.x + 2, point.y + 2]], { layers: ids })[0];
    if (hit) this.showCard({ code: hit.properties.code, name: hit.properties[lang() === "vi" ? "name_vi" : "name_en"] });
  }

  async showCard(unit) {
    this.unit = unit;
    const card = this.root.querySelector(".se-card");
    const code = this.current.code;
    const dx = this.indicators.filter((i) => i.kpi_group === this.current.kpi_group).map((i) => i.code);
    const [own, series, peers] = await Promise.all([
      getJson(`/socioeconomic/analytics?dx=${dx.join(",")}&pe=${this.period}&ou=${encodeURIComponent(unit.code)}`),
      getJson(`/socioeconomic/analytics?dx=${code}&pe=LAST_12_MONTHS&ou=${encodeURIComponent(unit.code)}`),
      getJson(`/socioeconomic/analytics?dx=${code}&pe=${this.period}&ou=68&level=commune`),
    ]);
    const ranked = peers.rows.filter((r) => r.value != null)
      .sort((a, b) => (this.current.higher_is_better ? b.value - a.value : a.value - b.value));
    const rank = ranked.findIndex((r) => r.unit === unit.code) + 1;
    const names = new Map(this.indicators.map((i) => [i.code, i]));
    const rows = own.rows.map((r) => {
      const ind = names.get(r.indicator);
      const att = r.attainment;
      return el("tr", { "data-indicator": r.indicator, class: att != null && att < 100 ? "se-below" : "" },
        el("td", { text: lang() === "vi" ? ind.name_vi : ind.name_en }),
        el("td", { class: "num", text: `${num(r.value, { maximumFractionDigits: 1 })} ${ind.unit_of_measure}` }),
        el("td", { class: "num", text: att == null ? "—" : `${num(att, { maximumFractionDigits: 1 })} %` }));
    });
    card.replaceChildren(
      el("h3", { text: unit.name || unit.code }),
      el("p", { class: "se-rank", text: `${tx("rank")} ${rank || "—"} ${tx("of")} ${ranked.length} · ${periodText(this.period)}` }),
      sparkline(series.rows.map((r) => r.value)),
      el("table", { class: "se-table" }, el("tbody", {}, ...rows)),
    );
    card.dataset.unit = unit.code;
  }

  render() {
    const groups = [...new Set(this.indicators.map((i) => i.kpi_group))];
    const select = el("select", { class: "se-group", onchange: (e) => { this.group = e.target.value; this.render(); } },
      el("option", { value: "", text: tx("all") }),
      ...groups.map((g) => el("option", { value: g, text: groupName(g) })));
    select.value = this.group;
    const search = el("input", { type: "search", class: "se-search", placeholder: tx("search"), value: this.query });
    search.addEventListener("input", (e) => { this.query = e.target.value; this.renderList(); });
    this.list = el("ul", { class: "se-list" });
    const parts = [el("div", { class: "se-filter" }, select, search), this.list];
    if (this.current) {
      const slider = el("input", { type: "range", class: "se-period", min: "0", max: String(this.periods.length - 1),
        value: String(this.periods.indexOf(this.period)), "aria-label": tx("period") });
      slider.addEventListener("input", (e) => this.setPeriod(this.periods[Number(e.target.value)]));
      parts.push(el("div", { class: "se-slider" }, el("span", { text: tx("period") }), slider,
        el("b", { class: "se-period-label", text: periodText(this.period) })));
      const mode = el("select", { class: "se-compare", "aria-label": tx("compare"),
        onchange: (e) => { this.compare = e.target.value; this.render(); if (!this.compare) this.applyCompare(); } },
        ...["", "abs", "pct"].map((m) => el("option", { value: m, text: tx(m || "off") })));
      mode.value = this.compare;
      parts.push(el("div", { class: "se-compare-box" }, el("span", { text: tx("compare") }), mode));
      if (this.compare) {
        const base = el("input", { type: "range", class: "se-base", min: "0", max: String(this.periods.length - 1),
          value: String(this.periods.indexOf(this.base)), "aria-label": tx("base") });
        base.addEventListener("input", (e) => {
          this.base = this.periods[Number(e.target.value)];
          this.root.querySelector(".se-base-label").textContent = periodText(this.base);
          this.applyCompare();
        });
        parts.push(el("div", { class: "se-slider" }, el("span", { text: tx("base") }), base,
          el("b", { class: "se-base-label", text: periodText(this.base) })));
        parts.push(el("ul", { class: "se-compare-legend" }));
      }
      if (this.current.synthetic) parts.push(el("p", { class: "se-note", text: tx("synthetic") }));
    } else {
      parts.push(el("p", { class: "se-note", text: tx("none") }));
    }
    parts.push(el("div", { class: "se-card" }, el("p", { class: "se-note", text: tx("card") })));
    parts.push(this.report.root);
    this.root.replaceChildren(...parts);
    this.root.dataset.indicator = this.current ? this.current.code : "";
    if (this.period) this.root.dataset.period = this.period;
    this.renderList();
    if (this.compare && this.current) this.applyCompare(); // the legend, in the language shown
  }

  renderList() {
    const q = this.query.trim().toLowerCase();
    const shown = this.indicators.filter((i) => (!this.group || i.kpi_group === this.group)
      && (!q || `${i.name_vi} ${i.name_en} ${i.code}`.toLowerCase().includes(q)));
    this.list.replaceChildren(...shown.map((i) => el("li", {},
      el("button", { type: "button", "data-indicator": i.code, class: this.current && this.current.code === i.code ? "on" : "",
        onclick: () => this.select(i.code), text: lang() === "vi" ? i.name_vi : i.name_en }))));
  }
}

/** The panel when the catalogue has indicator maps; null otherwise. */
export function initStatistics(root, map, layersBySlug, showLayer) {
  if (![...layersBySlug.keys()].some((s) => s.startsWith("ind_"))) return null;
  const panel = new StatisticsPanel(root, map, layersBySlug, showLayer);
  window.geoIocStatistics = panel;
  panel.load().catch((err) => console.warn("indicators:", err.message));
  return panel;
}
