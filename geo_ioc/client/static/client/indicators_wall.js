// The `indicators` wall screen (geo_ioc.socioeconomic.wall): the choropleth of the view's indicator
// for a period (the view's `period:`, by default the latest the map holds), its legend from the
// server's style, and beside it the province's headline figures against target with the change on
// the previous period, and the five communes that do worst on the indicator by its direction.
// The figures are read again on a timer and when the live channel says an indicator map changed.

import { el } from "./dom.js";
import { num } from "./format.js";
import { lang, onLangChange, pick } from "./i18n.js";
import { legendOf, loadStyle, setLayerVisible } from "./mapview.js";
import { mapPeriods, pointAtPeriod } from "./statistics.js";

// The province the figures are of (the demo's Lâm Đồng, as the console's indicator card has it).
const PROVINCE = "68";
const WORST = 5;
const REFRESH_SECONDS = 300;
const TEXT = {
  vi: {
    figures: "Chỉ tiêu chủ yếu của tỉnh", worst: "5 xã, phường kém nhất", legend: "Chú giải",
    period: "Kỳ", target: "Kế hoạch", attainment: "Đạt", change: "± kỳ trước", value: "Thực hiện",
    below: "Chưa đạt kế hoạch", met: "Đạt kế hoạch", noTarget: "Chưa có kế hoạch",
    higher: "giá trị thấp nhất", lower: "giá trị cao nhất", synthetic: "Số liệu giả lập",
    noMap: "Chưa có bản đồ của chỉ tiêu", noPeriod: "Bản đồ không có số liệu kỳ", unknown: "Không có chỉ tiêu",
  },
  en: {
    figures: "The province's key figures", worst: "The 5 worst communes", legend: "Legend",
    period: "Period", target: "Target", attainment: "Attained", change: "± previous", value: "Actual",
    below: "Below target", met: "Target met", noTarget: "No target set",
    higher: "lowest values", lower: "highest values", synthetic: "Synthetic data",
    noMap: "No map yet for indicator", noPeriod: "The map holds no values for period", unknown: "No indicator",
  },
};
const tx = (key) => (TEXT[lang()] || TEXT.vi)[key];
export const periodText = (key) => (key && key.length === 6 ? `${key.slice(4)}/${key.slice(0, 4)}` : key || "");

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || String(response.status));
  return body;
}

const fmt = (value, digits = 1) => num(value, { maximumFractionDigits: digits });
// Amounts read from across the room: whole numbers from a thousand up, one decimal below.
export const amount = (value) => fmt(value, value != null && Math.abs(value) >= 1000 ? 0 : 1);
const signed = (value) => (value == null ? "—" : `${value > 0 ? "+" : value < 0 ? "−" : "±"}${fmt(Math.abs(value))} %`);

/** below (under 100 % of target), met, or none (no target). */
export function attainmentClass(attainment) {
  if (attainment == null) return "none";
  return attainment < 100 ? "below" : "met";
}

/** The worst `n` rows by the indicator's direction: lowest first when higher is better. */
export function worstRows(rows, higherIsBetter, n = WORST) {
  return rows.filter((r) => r.value != null)
    .sort((a, b) => (higherIsBetter ? a.value - b.value : b.value - a.value) || a.unit.localeCompare(b.unit))
    .slice(0, n);
}

export class IndicatorsScreen {
  /**
   * @param {object} view the wall view (`indicator`, `period`, `headline`, `refresh_seconds`)
   * @param {object} mapState the wall's map (`map`, `ready`, `layers` of the catalogue shown)
   * @param {HTMLElement} content where the side panel goes
   */
  constructor(view, mapState, content) {
    this.view = view;
    this.mapState = mapState;
    this.code = view.indicator;
    // The server fills in its default headline (geo_ioc/socioeconomic/wall.py) for a view without.
    this.headline = view.headline || [];
    this.registry = new Map();
    this.legend = [];
    this.period = null;
    this.side = el("aside", { class: "wall-side glass se-wall", "data-indicator": this.code });
    content.replaceChildren(this.side);
    // What the tests (and an installer, in the browser console) can read.
    this.state = { mapReady: false, ready: false, period: null, figures: [], worst: [], refreshes: 0, error: null };
    window.geoIocIndicatorsWall = this.state;
    onLangChange(() => this.render());
  }

  /** The map layers whose live events mean the figures changed. */
  liveSlugs() {
    return [...new Set([this.code, ...this.headline])].map((c) => `ind_${c}`);
  }

  onEvent(msg) {
    if (this.liveSlugs().includes(msg.layer)) this.refreshSoon();
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh().catch((e) => this.fail(e)), 1000);
  }

  fail(error) {
    this.state.error = error.message;
    this.side.dataset.error = error.message;
    this.render();
  }

  async start() {
    const [registry, style] = await Promise.all([
      getJson("/socioeconomic/indicators"),
      window.geoIocStyleUrl ? loadStyle(window.geoIocStyleUrl) : Promise.resolve(null),
    ]);
    this.registry = new Map(registry.indicators.map((i) => [i.code, i]));
    if (!this.registry.has(this.code)) throw new Error(`${tx("unknown")} ${this.code}`);
    const entry = style ? legendOf(style).find((e) => e.layer === `ind_${this.code}`) : null;
    this.legend = entry ? entry.rows : [];
    const layer = this.mapState.layers.find((l) => l.slug === `ind_${this.code}`);
    if (!layer) throw new Error(`${tx("noMap")} ${this.code}`);
    const periods = mapPeriods(layer);
    this.period = this.view.period || periods[periods.length - 1];
    if (!periods.includes(this.period)) throw new Error(`${tx("noPeriod")} ${periodText(this.period)}`);
    this.state.period = this.period;
    this.side.dataset.period = this.period;
    this.render();
    await this.mapState.ready;
    const map = this.mapState.map;
    // No centre in the layout: the whole map of the indicator (its catalogue extent, lon/lat).
    if (!this.view.center && Array.isArray(layer.extent) && layer.extent.length === 4) {
      const [w, s, e, n] = layer.extent;
      map.fitBounds([[w, s], [e, n]], { padding: 24, animate: false });
    }
    pointAtPeriod(map, this.code, this.period);
    setLayerVisible(map, `ind_${this.code}`, true);
    map.once("idle", () => { this.state.mapReady = true; });
    map.triggerRepaint();
    await this.refresh();
    const seconds = this.view.refresh_seconds || REFRESH_SECONDS;
    setInterval(() => this.refresh().catch((e) => this.fail(e)), seconds * 1000);
  }

  /** Read the province's headline figures and the communes' values of the period again. */
  async refresh() {
    const dx = [...new Set(this.headline)].join(",");
    const [own, communes] = await Promise.all([
      getJson(`/socioeconomic/analytics?dx=${dx}&pe=${this.period}&ou=${PROVINCE}`),
      getJson(`/socioeconomic/analytics?dx=${this.code}&pe=${this.period}&ou=${PROVINCE}&level=commune`),
    ]);
    const byCode = new Map(own.rows.map((r) => [r.indicator, r]));
    this.state.figures = this.headline.map((code) => byCode.get(code)).filter(Boolean);
    const names = new Map(communes.units.map((u) => [u.code, u]));
    const ind = this.registry.get(this.code);
    this.state.worst = worstRows(communes.rows, ind.higher_is_better)
      .map((r) => ({ unit: r.unit, value: r.value, name_vi: (names.get(r.unit) || {}).name_vi, name_en: (names.get(r.unit) || {}).name_en }));
    this.state.error = null;
    delete this.side.dataset.error;
    this.state.refreshes += 1;
    this.render();
    this.state.ready = true;
    this.side.dataset.ready = "true";
  }

  name(code) {
    const ind = this.registry.get(code);
    return ind ? (lang() === "vi" ? ind.name_vi : ind.name_en) : code;
  }

  unit(code) {
    const ind = this.registry.get(code);
    return ind ? ind.unit_of_measure || "" : "";
  }

  render() {
    const ind = this.registry.get(this.code);
    const head = el("header", { class: "se-wall-head" },
      el("h2", { text: ind ? this.name(this.code) : this.code }),
      el("p", { class: "se-wall-period" }, `${tx("period")} `, el("b", { text: periodText(this.period) }),
        ind && ind.synthetic ? el("span", { class: "badge badge-synthetic", text: tx("synthetic") }) : null));
    const legend = el("section", { class: "wall-section se-wall-legend" }, el("h2", { text: `${tx("legend")} · ${ind ? this.unit(this.code) : ""}` }),
      el("ul", { class: "legend" }, this.legend.map((row) => el("li", {},
        el("span", { class: "swatch swatch-fill", style: { "--swatch": row.colour }, "aria-hidden": "true" }),
        el("span", { text: row.text })))));
    const figure = (label, cls, text, unit = "") => el("span", { class: "se-fig" }, el("small", { text: label }),
      el("b", {}, el("span", { class: cls, text }), unit ? el("small", { class: "se-unit-of", text: ` ${unit}` }) : null));
    const figures = el("section", { class: "wall-section se-wall-figures" }, el("h2", { text: tx("figures") }),
      el("ul", { class: "se-figures" }, this.state.figures.map((r) => {
        const cls = attainmentClass(r.attainment);
        // Green when the change goes the indicator's good way (down for a poor-household rate).
        const better = (this.registry.get(r.indicator) || {}).higher_is_better !== false;
        const trend = !r.change ? "" : (r.change > 0) === better ? " good" : " bad";
        return el("li", { "data-indicator": r.indicator, "data-attainment": cls, class: `se-att-${cls}` },
          el("div", { class: "se-fig-name", text: this.name(r.indicator) }),
          el("div", { class: "se-fig-nums" },
            figure(tx("value"), "se-value", amount(r.value), this.unit(r.indicator)),
            figure(tx("target"), "se-target", amount(r.target)),
            el("span", { class: "se-fig", title: tx(cls === "none" ? "noTarget" : cls) }, el("small", { text: tx("attainment") }),
              el("b", { class: "se-attainment", text: r.attainment == null ? "—" : `${fmt(r.attainment)} %` })),
            figure(tx("change"), `se-change${trend}`, signed(r.change))));
      })));
    const worst = el("section", { class: "wall-section se-wall-worst" },
      el("h2", {}, tx("worst"), el("small", { text: ` · ${ind && !ind.higher_is_better ? tx("lower") : tx("higher")}` })),
      el("ol", { class: "se-worst" }, this.state.worst.map((r) => el("li", { "data-unit": r.unit },
        el("span", { class: "se-unit", text: (lang() === "vi" ? r.name_vi : r.name_en) || r.unit }),
        el("span", { class: "num se-value", text: `${amount(r.value)} ${this.unit(this.code)}` })))));
    const error = this.state.error ? el("p", { class: "se-wall-error", role: "alert", text: this.state.error }) : null;
    this.side.replaceChildren(...[head, error, legend, figures, worst].filter(Boolean));
  }
}

/** Build the screen beside the wall's map; resolves to it once the figures are on screen. */
export function indicatorsScreen(view, mapState, content) {
  const screen = new IndicatorsScreen(view, mapState, content);
  screen.started = screen.start().catch((e) => screen.fail(e));
  return screen;
}
