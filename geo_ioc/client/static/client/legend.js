// Legend entries read from a layer's style fragments: one swatch for a plain colour, one per
// class for `match` (and `case` on a field), one per stop for `step` / `interpolate`.

const COLOUR_PROPERTY = {
  fill: "fill-color",
  "fill-extrusion": "fill-extrusion-color",
  line: "line-color",
  circle: "circle-color",
  symbol: "icon-color",
  heatmap: null,
  background: "background-color",
};

const STROKE_PROPERTY = {
  fill: "fill-outline-color",
  circle: "circle-stroke-color",
};

const OPACITY_PROPERTY = {
  fill: "fill-opacity",
  "fill-extrusion": "fill-extrusion-opacity",
  line: "line-opacity",
  circle: "circle-opacity",
};

function isColour(v) {
  return typeof v === "string";
}

function label(value) {
  if (Array.isArray(value)) return value.map(label).join(", ");
  return String(value);
}

/** The field a `["get", name]` input reads, if it is that simple. */
function fieldOf(input) {
  return Array.isArray(input) && input[0] === "get" && typeof input[1] === "string"
    ? input[1] : null;
}

/** [{label | null, colour, isDefault}] for a colour value or expression. */
export function colourClasses(value) {
  if (value == null) return [];
  if (isColour(value)) return [{ label: null, colour: value }];
  if (!Array.isArray(value)) return [];
  const [op, ...args] = value;
  if (op === "match") {
    const field = fieldOf(args[0]);
    const out = [];
    const pairs = args.slice(1);
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (isColour(pairs[i + 1])) out.push({ label: label(pairs[i]), colour: pairs[i + 1], field });
    }
    if (pairs.length % 2 === 1 && isColour(pairs[pairs.length - 1])) {
      out.push({ label: null, colour: pairs[pairs.length - 1], isDefault: true });
    }
    return out;
  }
  if (op === "case") {
    const out = [];
    for (let i = 0; i + 1 < args.length; i += 2) {
      const cond = args[i];
      const name = Array.isArray(cond) && cond[0] === "==" && fieldOf(cond[1])
        ? label(cond[2]) : "…";
      if (isColour(args[i + 1])) out.push({ label: name, colour: args[i + 1] });
    }
    if (args.length % 2 === 1 && isColour(args[args.length - 1])) {
      out.push({ label: null, colour: args[args.length - 1], isDefault: true });
    }
    return out;
  }
  if (op === "step") {
    // ["step", input, out0, stop1, out1, …]
    const out = [];
    if (isColour(args[1])) out.push({ label: `< ${args[2]}`, colour: args[1] });
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (isColour(args[i + 1])) out.push({ label: `≥ ${args[i]}`, colour: args[i + 1] });
    }
    return out;
  }
  if (op === "interpolate" || op === "interpolate-hcl" || op === "interpolate-lab") {
    // ["interpolate", type, input, stop1, out1, …]; zoom ramps are not classes.
    const input = args[1];
    const out = [];
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (isColour(args[i + 1])) out.push({ label: label(args[i]), colour: args[i + 1] });
    }
    if (Array.isArray(input) && input[0] === "zoom") return out.slice(-1).map((c) => ({ ...c, label: null }));
    return out;
  }
  if (op === "coalesce") return colourClasses(args.find((a) => isColour(a) || Array.isArray(a)));
  return [];
}

function plainNumber(v) {
  if (typeof v === "number") return v;
  // A zoom ramp of opacities: take its last value.
  if (Array.isArray(v) && String(v[0]).startsWith("interpolate")) {
    const last = v[v.length - 1];
    return typeof last === "number" ? last : null;
  }
  return null;
}

function plainColour(v) {
  const classes = colourClasses(v);
  return classes.length === 1 ? classes[0].colour : null;
}

/** Whether a fragment should appear in the legend (casings and halos do not). */
function inLegend(frag) {
  const meta = frag.metadata || {};
  if (meta["geo-ioc:legend"] === false) return false;
  return !/(casing|halo|outline|shadow)/i.test(String(frag.id || ""));
}

/**
 * Legend rows for a layer: [{kind, label, colour, stroke, opacity, isDefault}], where kind is
 * the swatch shape (fill, line, circle) and label null means "the layer itself".
 */
export function legendEntries(fragments) {
  const rows = [];
  const seen = new Set();
  for (const frag of fragments) {
    if (!inLegend(frag)) continue;
    const kind = frag.type === "fill-extrusion" ? "fill" : frag.type;
    const prop = COLOUR_PROPERTY[frag.type];
    if (!prop) continue;
    const paint = frag.paint || {};
    const classes = colourClasses(paint[prop] ?? (frag.type === "symbol" ? null : "#000000"));
    const stroke = plainColour(paint[STROKE_PROPERTY[frag.type]]);
    const opacity = plainNumber(paint[OPACITY_PROPERTY[frag.type]]);
    for (const c of classes) {
      const key = `${kind}|${c.label}|${c.colour}|${c.isDefault ? 1 : 0}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        kind, label: c.label, field: c.field || null, colour: c.colour, stroke, opacity,
        isDefault: !!c.isDefault,
      });
    }
  }
  // A lone default next to classes is "other"; with no classes it stands for the layer.
  const hasClasses = rows.some((r) => r.label != null);
  return rows.map((r) => ({ ...r, isDefault: r.isDefault && hasClasses }));
}

/** A swatch element for one legend row. */
export function swatch(row) {
  const el = document.createElement("span");
  el.className = `swatch swatch-${row.kind === "line" || row.kind === "circle" ? row.kind : "fill"}`;
  el.style.setProperty("--swatch", row.colour);
  if (row.stroke) el.style.setProperty("--swatch-stroke", row.stroke);
  if (row.opacity != null && row.kind !== "line") {
    el.style.setProperty("--swatch-opacity", String(Math.max(row.opacity, 0.35)));
  }
  el.setAttribute("aria-hidden", "true");
  return el;
}
