// The monthly report form of an agency's user: one indicator at a time, a value per commune for
// the month (Vietnamese numbers, 1.234,5), sent through the same check and write as an upload:
// a bad cell changes nothing and is marked with the server's reason; a saved report is the
// agency's receipt for the month (its reporting status).

import { ApiError, getJson, postJson } from "./api.js";
import { el } from "./dom.js";
import { lang } from "./i18n.js";

const TEXT = {
  vi: {
    open: "Báo cáo tháng", month: "Tháng", indicator: "Chỉ tiêu", send: "Gửi báo cáo",
    saved: (n) => `Đã ghi ${n} giá trị.`, rejected: "Có ô không hợp lệ, chưa ghi gì:",
    empty: "Chưa nhập giá trị nào.", login: "Đăng nhập bằng tài khoản của sở, ngành để báo cáo.",
    none: "Tài khoản không thuộc cơ quan báo cáo nào.",
  },
  en: {
    open: "Monthly report", month: "Month", indicator: "Indicator", send: "Send report",
    saved: (n) => `${n} values saved.`, rejected: "Some cells are not valid; nothing was saved:",
    empty: "No value entered.", login: "Log in with an agency's account to report.",
    none: "This account reports for no agency.",
  },
};
const tx = (key) => (TEXT[lang()] || TEXT.vi)[key];

const monthKey = (value) => value.replace("-", ""); // <input type=month> "2026-11" → "202611"
const monthValue = (key) => `${key.slice(0, 4)}-${key.slice(4)}`;
const shown = (v) => (v == null ? "" : String(v).replace(".", ","));

export class ReportForm {
  constructor(onSaved) {
    this.root = el("section", { class: "se-report", "data-state": "closed" });
    this.onSaved = onSaved;
    this.data = null;
    this.indicator = null;
    this.render();
  }

  async load(period = "") {
    this.root.dataset.state = "loading";
    try {
      this.data = await getJson(`/socioeconomic/form${period ? `?pe=${period}` : ""}`);
    } catch (err) {
      this.data = null;
      this.message = err instanceof ApiError && err.status === 401 ? tx("login") : err.message;
      this.root.dataset.state = "unavailable";
      return this.render();
    }
    const codes = this.data.indicators.map((i) => i.code);
    if (!codes.includes(this.indicator)) this.indicator = codes[0] || null;
    this.message = codes.length ? "" : tx("none");
    this.root.dataset.state = "open";
    this.render();
  }

  async send() {
    const inputs = [...this.root.querySelectorAll("input.se-cell")];
    const rows = [];
    const cells = [];
    for (const input of inputs) {
      input.classList.remove("se-bad");
      input.removeAttribute("title");
      if (input.value.trim() === "" || input.value === input.dataset.held) continue;
      rows.push({ indicator: this.indicator, period: this.data.period, unit: input.dataset.unit, value: input.value.trim() });
      cells.push(input);
    }
    if (!rows.length) {
      this.say(tx("empty"));
      return;
    }
    try {
      const done = await postJson("/socioeconomic/values", { values: rows });
      this.root.dataset.state = "saved";
      this.say(tx("saved")(done.rows));
      for (const input of cells) input.dataset.held = input.value;
      if (this.onSaved) this.onSaved(this.indicator, this.data.period);
    } catch (err) {
      if (!(err instanceof ApiError) || !err.body || !err.body.errors) throw err;
      for (const { row, reason } of err.body.errors) {
        const input = cells[row - 1]; // rows are numbered from 1 in the order sent
        if (!input) continue;
        input.classList.add("se-bad");
        input.title = reason;
      }
      this.root.dataset.state = "rejected";
      this.say(`${tx("rejected")} ${err.body.errors.map((e) => `${rows[e.row - 1].unit}: ${e.reason}`).join("; ")}`);
    }
  }

  say(text) {
    const box = this.root.querySelector(".se-report-msg");
    if (box) box.textContent = text;
  }

  render() {
    const opener = el("button", { type: "button", class: "se-report-open", text: tx("open"),
      onclick: () => (this.root.dataset.state === "closed" ? this.load() : this.close()) });
    const parts = [opener];
    if (this.data && this.root.dataset.state !== "closed") {
      const month = el("input", { type: "month", class: "se-report-month", value: monthValue(this.data.period),
        "aria-label": tx("month") });
      month.addEventListener("change", (e) => e.target.value && this.load(monthKey(e.target.value)));
      const pick = el("select", { class: "se-report-indicator", "aria-label": tx("indicator"),
        onchange: (e) => { this.indicator = e.target.value; this.render(); } },
        ...this.data.indicators.map((i) => el("option", { value: i.code,
          text: `${lang() === "vi" ? i.name_vi : i.name_en} (${lang() === "vi" ? i.unit_vi : i.unit_en})` })));
      if (this.indicator) pick.value = this.indicator;
      const held = (this.data.values[this.indicator] || {});
      const rows = this.data.units.map((u) => el("tr", {},
        el("td", { text: lang() === "vi" ? u.name_vi : u.name_en }),
        el("td", {}, el("input", { type: "text", inputmode: "decimal", class: "se-cell", "data-unit": u.code,
          value: shown(held[u.code]), "data-held": shown(held[u.code]) }))));
      parts.push(el("div", { class: "se-filter" }, month, pick),
        el("table", { class: "se-table se-report-table" }, el("tbody", {}, ...rows)),
        el("button", { type: "button", class: "se-report-send", text: tx("send"), onclick: () => this.send() }));
    }
    parts.push(el("p", { class: "se-report-msg se-note", text: this.message || "" }));
    this.root.replaceChildren(...parts);
  }

  close() {
    this.root.dataset.state = "closed";
    this.render();
  }
}
