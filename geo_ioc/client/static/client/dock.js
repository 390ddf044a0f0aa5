// The side dock (alerts, incidents, indicators, parcels as tabs) and, on a phone, the bottom
// sheets: the layer panel or the dock slides up from the tab bar at the bottom.

const MOBILE = window.matchMedia("(max-width: 720px)");

export class Dock {
  constructor(root, { onChange = () => {} } = {}) {
    this.root = root;
    this.onChange = onChange;
    this.tabs = [...root.querySelectorAll("[data-tab]")];
    this.current = null;
    this.tabs.forEach((tab) => tab.addEventListener("click", () => this.show(tab.dataset.tab)));
    root.querySelector(".tabs").addEventListener("keydown", (e) => this.arrowKeys(e));
    this.wireSheets();
    const first = this.tabs.find((t) => !t.hidden);
    if (first) this.show(first.dataset.tab, { reveal: false });
  }

  /** Hide a tab whose data the user may not see. */
  disable(id) {
    const tab = this.tab(id);
    if (tab) tab.hidden = true;
    const sheetButton = document.querySelector(`#mobile-nav [data-sheet="${id}"]`);
    if (sheetButton) sheetButton.hidden = true;
    if (this.current === id) {
      const next = this.tabs.find((t) => !t.hidden);
      if (next) this.show(next.dataset.tab, { reveal: false });
    }
  }

  tab(id) {
    return this.tabs.find((t) => t.dataset.tab === id);
  }

  /** Bring a tab forward (and the dock into view). */
  show(id, { reveal = true } = {}) {
    const tab = this.tab(id);
    if (!tab || tab.hidden) return;
    this.current = id;
    for (const t of this.tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      const pane = this.root.querySelector(`[data-pane="${t.dataset.tab}"]`);
      if (pane) pane.hidden = !on;
    }
    if (id === "land") this.setBadge("land", 0);
    if (reveal) {
      document.body.classList.remove("dock-hidden");
      if (MOBILE.matches) this.openSheet(id);
    }
    this.onChange(id);
  }

  toggle() {
    document.body.classList.toggle("dock-hidden");
  }

  isShowing(id) {
    return this.current === id && !document.body.classList.contains("dock-hidden");
  }

  /** A count on a tab (0 hides it); "•" marks news without a count. */
  setBadge(id, value) {
    const targets = [this.tab(id), document.querySelector(`#mobile-nav [data-sheet="${id}"]`)];
    for (const target of targets) {
      const badge = target && target.querySelector(".badge-count");
      if (!badge) continue;
      badge.hidden = !value;
      badge.textContent = value ? String(value) : "";
    }
  }

  arrowKeys(e) {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    const shown = this.tabs.filter((t) => !t.hidden);
    const i = shown.findIndex((t) => t.dataset.tab === this.current);
    const next = shown[(i + (e.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
    this.show(next.dataset.tab);
    next.focus();
  }

  // Phone: one sheet at a time over the map, chosen from the tab bar.
  wireSheets() {
    this.sheetButtons = [...document.querySelectorAll("#mobile-nav [data-sheet]")];
    this.sheetButtons.forEach((b) => b.addEventListener("click", () => this.openSheet(b.dataset.sheet)));
  }

  openSheet(name) {
    const body = document.body;
    body.classList.toggle("sheet-layers", name === "layers");
    body.classList.toggle("sheet-dock", !["map", "layers"].includes(name));
    if (!["map", "layers"].includes(name) && this.current !== name) this.show(name, { reveal: false });
    for (const b of this.sheetButtons) b.setAttribute("aria-pressed", String(b.dataset.sheet === name));
    this.onChange(this.current);
  }
}
