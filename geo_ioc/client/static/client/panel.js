// The layer panel: layers grouped by domain, a checkbox per domain and per layer, badges for
// synthetic data and a legend per layer, as the server's style document gives it (its rows
// already named in the style's language).

import { el } from "./dom.js";
import { DOMAIN_ORDER, domainName, lang, pick, t } from "./i18n.js";
import { legendOf } from "./mapview.js";

const LEGEND_ROWS = 6;

/** A swatch for one legend row: its shape, colour, stroke and opacity. */
function swatch(row) {
  const node = document.createElement("span");
  node.className = `swatch swatch-${row.kind === "line" || row.kind === "circle" ? row.kind : "fill"}`;
  node.style.setProperty("--swatch", row.colour);
  if (row.stroke) node.style.setProperty("--swatch-stroke", row.stroke);
  if (row.opacity != null && row.kind !== "line") {
    node.style.setProperty("--swatch-opacity", String(Math.max(row.opacity, 0.35)));
  }
  node.setAttribute("aria-hidden", "true");
  return node;
}

function groupByDomain(layers) {
  const groups = new Map();
  for (const layer of layers) {
    if (!groups.has(layer.domain)) groups.set(layer.domain, []);
    groups.get(layer.domain).push(layer);
  }
  const rank = (d) => (DOMAIN_ORDER.includes(d) ? DOMAIN_ORDER.indexOf(d) : DOMAIN_ORDER.length);
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

export class LayerPanel {
  /**
   * @param {HTMLElement} root where the tree is drawn
   * @param {object[]} layers the catalogue
   * @param {object} style the server's style document: its legend and domain colours
   * @param {{setVisible(slug: string, on: boolean): void, setOpacity(slug: string, k: number): void,
   *          zoomTo(layer: object): void, zoom(): number, bounds(): number[]}} map what the panel drives
   */
  constructor(root, layers, style, map) {
    this.root = root;
    this.layers = layers;
    this.map = map;
    // A layer whose style layers are all hidden by the server (an indicator map) starts off.
    const shown = new Set((style.layers || [])
      .filter((l) => l.metadata && (l.layout || {}).visibility !== "none")
      .map((l) => l.metadata["geo-ioc:layer"]));
    const styled = new Set((style.layers || []).map((l) => l.metadata && l.metadata["geo-ioc:layer"]));
    this.visible = new Set(layers.map((l) => l.slug).filter((s) => shown.has(s) || !styled.has(s)));
    this.collapsed = new Set();
    this.expandedLegends = new Set();
    this.opacity = new Map();
    this.inView = new Map();
    this.setStyle(style);
  }

  /** Take the legend of a (re)loaded style document, in the language it was asked in. */
  setStyle(style) {
    this.legends = new Map(legendOf(style).map((entry) => [entry.layer, entry.rows]));
    this.domainColours = (style.metadata && style.metadata["geo-ioc:domains"]) || {};
    this.legendLang = style.metadata && style.metadata["geo-ioc:lang"];
    this.render();
  }

  setOpacity(slug, k) {
    this.opacity.set(slug, k);
    this.map.setOpacity(slug, k);
  }

  /**
   * Features of each shown layer inside the view, counted by the server (OGC API numberMatched:
   * exact, unlike counting what the tiles happen to draw). Answers for an older view are dropped.
   */
  async updateCounts() {
    this.countsGeneration = (this.countsGeneration || 0) + 1;
    const generation = this.countsGeneration;
    const [w, s, e, n] = this.map.bounds();
    const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v)).toFixed(6);
    const bbox = [clamp(w, 180), clamp(s, 90), clamp(e, 180), clamp(n, 90)].join(",");
    const z = this.map.zoom();
    const shown = this.layers.filter((l) => this.visible.has(l.slug) && z >= (l.min_zoom || 0));
    const counts = await Promise.all(shown.map(async (layer) => {
      try {
        const url = `/ogc/collections/${encodeURIComponent(layer.slug)}/items?bbox=${bbox}&limit=1`;
        const response = await fetch(url, { headers: { Accept: "application/geo+json" } });
        return response.ok ? (await response.json()).numberMatched : null;
      } catch {
        return null; // offline: no count until the next move
      }
    }));
    if (generation !== this.countsGeneration) return;
    this.inView = new Map(shown.map((l, i) => [l.slug, counts[i]]).filter(([, n]) => typeof n === "number"));
    this.root.querySelectorAll("li.layer").forEach((li) => {
      const span = li.querySelector(".in-view");
      const n = this.inView.get(li.dataset.layer);
      if (span) span.textContent = n == null ? "" : t("inView", { n: n.toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB") });
    });
  }

  setLayer(slug, on) {
    if (on) this.visible.add(slug); else this.visible.delete(slug);
    this.map.setVisible(slug, on);
  }

  setDomain(domain, on) {
    for (const layer of this.layers) if (layer.domain === domain) this.setLayer(layer.slug, on);
  }

  /** Dims layers that are not drawn at the current zoom. */
  updateZoom() {
    const z = this.map.zoom();
    this.root.querySelectorAll("li.layer").forEach((li) => {
      const minZoom = Number(li.dataset.minZoom || 0);
      const out = z < minZoom;
      li.classList.toggle("out-of-zoom", out);
      li.title = out ? t("fromZoom", { z: minZoom }) : "";
    });
  }

  render() {
    const tree = el("div", { class: "tree" });
    if (!this.layers.length) tree.append(el("p", { class: "empty", text: t("empty") }));
    for (const [domain, layers] of groupByDomain(this.layers)) {
      tree.append(this.renderDomain(domain, layers));
    }
    this.root.replaceChildren(tree);
    this.updateZoom();
  }

  renderDomain(domain, layers) {
    const on = layers.filter((l) => this.visible.has(l.slug)).length;
    const box = el("input", {
      type: "checkbox", "data-domain": domain, "aria-label": `${t("toggleDomain")}: ${domainName(domain)}`,
      onchange: (e) => { this.setDomain(domain, e.target.checked); this.render(); },
    });
    box.checked = on > 0;
    box.indeterminate = on > 0 && on < layers.length;
    const collapsed = this.collapsed.has(domain);
    const head = el("div", { class: "domain-head" },
      el("label", {}, box,
        el("span", { class: "domain-dot", style: { "--dot": this.domainColours[domain] || "#94a3b8" } }),
        el("span", { class: "domain-name", text: domainName(domain) })),
      el("span", { class: "count", text: String(layers.length) }),
      el("button", {
        type: "button", class: `collapse${collapsed ? " is-collapsed" : ""}`,
        "aria-expanded": String(!collapsed), "aria-label": domainName(domain),
        onclick: () => {
          if (collapsed) this.collapsed.delete(domain); else this.collapsed.add(domain);
          this.render();
        },
      }, "▾"));
    const list = el("ul", { class: "layers", hidden: collapsed });
    for (const layer of layers) list.append(this.renderLayer(layer));
    return el("section", { class: "domain", "data-domain": domain }, head, list);
  }

  renderLayer(layer) {
    const on = this.visible.has(layer.slug);
    const box = el("input", {
      type: "checkbox", "data-layer": layer.slug,
      onchange: (e) => { this.setLayer(layer.slug, e.target.checked); this.render(); },
    });
    box.checked = on;
    const rows = this.legends.get(layer.slug) || [];
    const single = rows.length === 1 && rows[0].label == null ? rows[0] : null;
    const title = pick(layer.title, layer.slug);
    const meta = [];
    if (layer.feature_count != null) {
      meta.push(`${layer.feature_count.toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB")} ${t("features")}`);
    }
    const row = el("div", { class: "layer-row" },
      el("label", {}, box,
        single ? swatch(single) : el("span", { class: "swatch swatch-none", "aria-hidden": "true" }),
        el("span", { class: "layer-title", title, text: title })),
      layer.synthetic
        ? el("span", { class: "badge badge-synthetic", title: t("syntheticHint"), text: t("synthetic") })
        : null,
      layer.access_level && layer.access_level !== "public"
        ? el("span", { class: "badge badge-restricted", text: t("restricted") }) : null,
      el("button", {
        type: "button", class: "zoom-to", title: t("zoomTo"), "aria-label": `${t("zoomTo")}: ${title}`,
        onclick: () => this.map.zoomTo(layer),
      }, "⌖"));
    const li = el("li", {
      class: `layer${on ? "" : " is-off"}`, "data-layer": layer.slug,
      "data-min-zoom": String(layer.min_zoom || 0),
    }, row);
    const count = this.inView.get(layer.slug);
    const opacity = el("input", {
      type: "range", class: "opacity", min: "0", max: "1", step: "0.05", "data-opacity": layer.slug,
      value: String(this.opacity.get(layer.slug) ?? 1), title: t("opacity"), "aria-label": `${t("opacity")}: ${title}`,
      oninput: (e) => this.setOpacity(layer.slug, Number(e.target.value)),
    });
    li.append(el("div", { class: "layer-meta" },
      el("span", { text: meta.join(" · ") }),
      el("span", {
        class: "in-view", "data-in-view": layer.slug,
        text: count == null ? "" : t("inView", { n: count.toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB") }),
      }),
      on ? opacity : null));
    if (!single && rows.length) {
      const expanded = this.expandedLegends.has(layer.slug) || rows.length <= LEGEND_ROWS + 1;
      const shown = expanded ? rows : rows.slice(0, LEGEND_ROWS);
      const wide = rows.some((r) => r.text.length > 16);
      const legend = el("ul", {
        class: `legend${wide ? " legend-wide" : ""}`, "aria-label": `${t("legend")}: ${title}`,
        lang: this.legendLang,
      }, shown.map((r) => el("li", { title: r.text }, swatch(r), el("span", { text: r.text }))));
      if (rows.length > LEGEND_ROWS + 1) {
        legend.append(el("li", { class: "legend-more" }, el("button", {
          type: "button", "aria-expanded": String(expanded),
          onclick: () => {
            if (expanded) this.expandedLegends.delete(layer.slug);
            else this.expandedLegends.add(layer.slug);
            this.render();
          },
        }, expanded ? t("less") : t("moreClasses", { n: rows.length - LEGEND_ROWS }))));
      }
      li.append(legend);
    }
    return li;
  }
}
