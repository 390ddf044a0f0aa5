// The search box: places, streets, parcels and incidents from GET /search; arrow keys choose,
// Enter (or a click) flies the map to the result.

import { ApiError, getJson } from "./api.js";
import { debounce, el } from "./dom.js";
import { dateTime } from "./format.js";
import { onLangChange, pick, t } from "./i18n.js";
import { INCIDENT_STATUS } from "./strings.js";

// Kinds the apps contribute; one not listed here shows a dot and its layer's title.
const KIND_ICONS = { place: "◉", street: "═", parcel: "▦", incident: "⚠", report: "✉", camera: "◎" };
const KIND_LABELS = {
  place: "kindPlace", street: "kindStreet", parcel: "kindParcel", incident: "kindIncident",
  report: "kindReport", camera: "kindCamera",
};

export class SearchBox {
  /** @param {{onSelect(result: object): void}} ctx */
  constructor(input, list, ctx) {
    this.input = input;
    this.list = list;
    this.ctx = ctx;
    this.results = [];
    this.active = -1;
    this.controller = null;
    this.message = null;
    this.query = debounce(() => this.run(), 180);
    input.addEventListener("input", () => this.query());
    input.addEventListener("keydown", (e) => this.keys(e));
    input.addEventListener("focus", () => { if (this.results.length || this.message) this.open(true); });
    document.addEventListener("pointerdown", (e) => {
      if (!this.input.parentElement.contains(e.target)) this.open(false);
    });
    onLangChange(() => this.render());
  }

  focus() {
    this.input.focus();
    this.input.select();
  }

  async run() {
    const q = this.input.value.trim();
    if (this.controller) this.controller.abort();
    if (q.length < 2) {
      this.results = [];
      this.message = q.length ? null : null;
      this.render();
      this.open(false);
      return;
    }
    this.controller = new AbortController();
    try {
      const body = await getJson(`/search?q=${encodeURIComponent(q)}&limit=12`, { signal: this.controller.signal });
      this.results = body.results;
      this.message = body.results.length ? null : t("searchNone", { q });
    } catch (err) {
      if (err.name === "AbortError") return;
      this.results = [];
      this.message = `${t("searchFailed")}: ${err instanceof ApiError ? err.message : err}`;
    }
    this.active = this.results.length ? 0 : -1;
    this.render();
    this.open(true);
  }

  open(on) {
    this.list.hidden = !on || (!this.results.length && !this.message);
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
  }

  keys(e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!this.results.length) return;
      const step = e.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
      this.render();
      this.open(true);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (this.active >= 0) this.choose(this.results[this.active]);
      else this.run();
    } else if (e.key === "Escape") {
      this.open(false);
      this.input.blur();
    }
  }

  choose(result) {
    this.open(false);
    this.input.blur();
    this.ctx.onSelect(result);
  }

  subtitle(r) {
    const parts = [];
    if (r.kind === "incident") {
      parts.push(pick(INCIDENT_STATUS[r.properties.status], r.properties.status), dateTime(r.properties.reported_at));
      if (r.subtitle) parts.push(r.subtitle);
    } else if (r.kind === "parcel") {
      parts.push(`${r.properties.land_use} · ${pick({ vi: r.properties.land_use_vi, en: r.properties.land_use_en })}`);
      if (r.subtitle) parts.push(r.subtitle);
    } else {
      parts.push(pick(r.layer_title, r.layer));
      if (r.kind === "street" && r.features > 1) parts.push(t("segments", { n: r.features }));
      if (r.title_en && r.title_en !== r.title) parts.push(r.title_en);
    }
    return parts.join(" · ");
  }

  render() {
    if (!this.results.length) {
      this.list.replaceChildren(this.message
        ? el("li", { class: "search-message", role: "presentation", text: this.message })
        : el("li", { class: "search-message", role: "presentation", text: t("searchHint") }));
      return;
    }
    this.list.replaceChildren(...this.results.map((r, i) => el("li", {
      role: "option", id: `search-result-${i}`, class: `search-result kind-${r.kind}`,
      "aria-selected": String(i === this.active), "data-kind": r.kind, "data-id": r.id,
      onpointerdown: (e) => { e.preventDefault(); this.choose(r); },
      onpointerenter: () => { this.active = i; this.highlight(); },
    },
    el("span", {
      class: "search-kind",
      title: KIND_LABELS[r.kind] ? t(KIND_LABELS[r.kind]) : pick(r.layer_title, r.layer || r.kind),
      text: KIND_ICONS[r.kind] || "•",
    }),
    el("span", { class: "search-text" },
      el("span", { class: "search-title", text: r.title }),
      el("span", { class: "search-sub", text: this.subtitle(r) })))));
    this.highlight();
  }

  highlight() {
    [...this.list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === this.active)));
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `search-result-${this.active}`);
  }
}
