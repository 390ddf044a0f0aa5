// Feature popups: the layer title as header, the attributes under their catalogue titles.

import { cameraDetail } from "./camera.js";
import { lang, pick, t } from "./i18n.js";

const MAX_FEATURES = 3;

function fieldTitle(field) {
  const vi = field.title_vi;
  const en = field.title_en;
  return (lang() === "vi" ? vi || en : en || vi) || field.name;
}

function formatValue(value, type) {
  if (value === true || value === "true") return t("yes");
  if (value === false || value === "false") return t("no");
  const locale = lang() === "vi" ? "vi-VN" : "en-GB";
  if (typeof value === "number" && type === "number") {
    return value.toLocaleString(locale, { maximumFractionDigits: 3 });
  }
  if ((type === "datetime" || type === "date") && typeof value === "string") {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) {
      return type === "date" ? d.toLocaleDateString(locale) : d.toLocaleString(locale);
    }
  }
  return String(value);
}

function rowsFor(feature, layer) {
  const props = feature.properties || {};
  const fields = (layer && layer.fields) || [];
  const known = new Set(fields.map((f) => f.name));
  const rows = [];
  for (const f of fields) {
    const v = props[f.name];
    if (v == null || v === "") continue;
    rows.push([fieldTitle(f), formatValue(v, f.type)]);
  }
  for (const [k, v] of Object.entries(props)) {
    if (known.has(k) || v == null || v === "") continue;
    rows.push([k, formatValue(v, typeof v === "number" ? "number" : "string")]);
  }
  return rows;
}

function section(feature, layer) {
  const wrap = document.createElement("section");
  wrap.className = "feature";
  const head = document.createElement("h3");
  head.textContent = pick(layer && layer.title, slugOf(feature));
  if (layer && layer.synthetic) {
    const badge = document.createElement("span");
    badge.className = "badge badge-synthetic";
    badge.textContent = t("synthetic");
    badge.title = t("syntheticHint");
    head.append(" ", badge);
  }
  wrap.append(head);
  const table = document.createElement("table");
  for (const [k, v] of rowsFor(feature, layer)) {
    const tr = table.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = k;
    const td = document.createElement("td");
    td.textContent = v;
    tr.append(th, td);
  }
  wrap.append(table);
  // A camera also shows its newest masked snapshot, health and congestion (its own requests).
  if (slugOf(feature) === "cameras" && feature.properties && feature.properties.code) {
    wrap.append(cameraDetail(feature.properties.code));
  }
  return wrap;
}

/**
 * The catalogue layer of a rendered feature: its style layer names it (an area's label point
 * comes from `{slug}_label`), else its source layer (basemap sources hold several).
 */
function slugOf(feature) {
  return feature.layer?.metadata?.["geo-ioc:layer"] || feature.sourceLayer || feature.source;
}

/** The popup body for the features under a click (topmost first, one per feature). */
export function popupContent(features, layersBySlug) {
  const seen = new Set();
  const unique = [];
  for (const f of features) {
    const key = `${slugOf(f)}|${f.id ?? JSON.stringify(f.properties)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(f);
  }
  const root = document.createElement("div");
  root.className = "feature-popup";
  unique.slice(0, MAX_FEATURES).forEach((f) => root.append(section(f, layersBySlug.get(slugOf(f)))));
  if (unique.length > MAX_FEATURES) {
    const more = document.createElement("p");
    more.className = "more";
    more.textContent = t("more", { n: unique.length - MAX_FEATURES });
    root.append(more);
  }
  return root;
}
