// Small charts in inline SVG: hourly bars (incidents, AQI) and proportion bars. No library.

import { svg } from "./dom.js";

const AXIS = "#5b6678";
const GRID = "rgba(148, 163, 184, 0.14)";
const TEXT = "#8b98a9";

function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * Vertical bars, one per hour: points [{label, value, colour, title}]; a null value is a gap.
 * `bands` draws horizontal threshold lines ([{value, colour}]), e.g. the VN_AQI limits.
 */
export function hourlyBars(points, { width = 320, height = 120, colour = "#22d3ee", bands = [], labelEvery = 6, unit = "" } = {}) {
  const pad = { left: 26, right: 6, top: 8, bottom: 18 };
  const values = points.map((p) => p.value).filter((v) => v != null);
  const max = niceMax(Math.max(1, ...values, ...bands.map((b) => b.value * 0.6)));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const step = plotW / Math.max(points.length, 1);
  const y = (v) => pad.top + plotH - (Math.min(v, max) / max) * plotH;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  for (const frac of [0, 0.5, 1]) {
    const v = max * frac;
    root.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), stroke: GRID, "stroke-width": 1 }),
      svg("text", { x: pad.left - 4, y: y(v) + 3, "text-anchor": "end", fill: TEXT, "font-size": 9 }, String(Math.round(v))),
    );
  }
  for (const b of bands) {
    if (b.value > max) continue;
    root.append(svg("line", {
      x1: pad.left, x2: width - pad.right, y1: y(b.value), y2: y(b.value),
      stroke: b.colour, "stroke-width": 1, "stroke-dasharray": "3 3", opacity: 0.7,
    }));
  }
  points.forEach((p, i) => {
    const x = pad.left + i * step;
    if (p.value != null) {
      const top = y(p.value);
      const bar = svg("rect", {
        x: x + step * 0.14, width: Math.max(step * 0.72, 1), y: top,
        height: Math.max(pad.top + plotH - top, p.value > 0 ? 1.5 : 0),
        rx: Math.min(2, step * 0.2), fill: p.colour || colour, opacity: i === points.length - 1 ? 1 : 0.85,
      });
      bar.append(svg("title", {}, `${p.title || p.label}: ${p.value}${unit}`));
      root.append(bar);
    }
    if (i % labelEvery === 0 || i === points.length - 1) {
      root.append(svg("text", {
        x: x + step / 2, y: height - 5, "text-anchor": "middle", fill: TEXT, "font-size": 9,
      }, p.label));
    }
  });
  root.append(svg("line", {
    x1: pad.left, x2: width - pad.right, y1: pad.top + plotH, y2: pad.top + plotH, stroke: AXIS, "stroke-width": 1,
  }));
  return root;
}

/** One bar split into coloured parts: [{value, colour, label}], with its parts' labels below. */
export function stackedBar(parts, { width = 320, height = 14 } = {}) {
  const total = parts.reduce((s, p) => s + p.value, 0) || 1;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart chart-stacked", role: "img" });
  let x = 0;
  for (const p of parts) {
    const w = (p.value / total) * width;
    if (w <= 0) continue;
    const rect = svg("rect", { x, y: 0, width: Math.max(w - 1.5, 0.5), height, rx: 3, fill: p.colour });
    rect.append(svg("title", {}, `${p.label}: ${p.value}`));
    root.append(rect);
    x += w;
  }
  return root;
}
