// Builds the MapLibre style from the layer catalogue (`GET /layers`): one vector source per
// layer, its style fragments as style layers (ids prefixed by the slug, source-layer = slug).

export const BACKGROUND = "#0d1117";

/** A colour per domain, used when a layer ships without style fragments. */
export const DOMAIN_COLOURS = {
  land: "#d6a84e",
  transport: "#f59e0b",
  security: "#ef4444",
  environment: "#22c55e",
  tourism: "#ec4899",
  public_services: "#38bdf8",
  health: "#fb7185",
  education: "#a78bfa",
  base: "#64748b",
};

// Draw order by style-layer type: areas below lines below points.
const TYPE_RANK = {
  background: 0, raster: 1, hillshade: 1, "color-relief": 1, fill: 2, "fill-extrusion": 3,
  line: 4, heatmap: 5, circle: 6, symbol: 7,
};

/** Fragments for a layer that has none: a plain look by geometry type in the domain colour. */
export function defaultFragments(layer) {
  const colour = DOMAIN_COLOURS[layer.domain] || "#94a3b8";
  const geom = (layer.geometry_type || "").replace("Multi", "");
  if (geom === "Point") {
    return [{ type: "circle", paint: {
      "circle-radius": 4, "circle-color": colour,
      "circle-stroke-color": BACKGROUND, "circle-stroke-width": 1 } }];
  }
  if (geom === "LineString") {
    return [{ type: "line", layout: { "line-cap": "round", "line-join": "round" }, paint: {
      "line-color": colour,
      "line-width": ["interpolate", ["linear"], ["zoom"], 10, 0.75, 16, 3] } }];
  }
  if (geom === "Polygon") {
    return [
      { id: "fill", type: "fill", paint: { "fill-color": colour, "fill-opacity": 0.3 } },
      { id: "outline", type: "line", metadata: { "geo-ioc:legend": false },
        paint: { "line-color": colour, "line-width": 1 } },
    ];
  }
  // Unknown geometry: draw whatever comes.
  return [
    { id: "fill", type: "fill", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": colour, "fill-opacity": 0.3 } },
    { id: "line", type: "line", filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": colour, "line-width": 1.5 } },
    { id: "point", type: "circle", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": 4, "circle-color": colour } },
  ];
}

/** The fragments a layer is drawn with. */
export function fragmentsOf(layer) {
  return layer.style && layer.style.length ? layer.style : defaultFragments(layer);
}

/** `{slug}` for a single unnamed fragment, else `{slug}:{id or index}`. */
export function styleLayerId(slug, fragment, index, count) {
  const suffix = fragment.id;
  if (suffix == null || suffix === "") return count === 1 ? slug : `${slug}:${index}`;
  if (suffix === slug || String(suffix).startsWith(`${slug}:`)) return String(suffix);
  return `${slug}:${suffix}`;
}

/** The tile URL template of a layer: from its TileJSON link, else the conventional path. */
export function tilesUrl(layer) {
  const link = layer.links && layer.links.tilejson;
  const url = link
    ? link.replace(/\.json(\?.*)?$/, "/{z}/{x}/{y}.mvt$1")
    : `/tiles/${encodeURIComponent(layer.slug)}/{z}/{x}/{y}.mvt`;
  // Absolute, as the tile workers need; the braces must survive URL normalisation.
  return new URL(url, location.href).href.replace(/%7B/g, "{").replace(/%7D/g, "}");
}

function validExtent(e) {
  return Array.isArray(e) && e.length === 4 && e.every(Number.isFinite)
    && e[0] <= e[2] && e[1] <= e[3] && e[0] >= -180 && e[2] <= 180 && e[1] >= -90 && e[3] <= 90;
}

/** The source of one layer. */
export function sourceFor(layer) {
  const source = {
    type: "vector",
    tiles: [tilesUrl(layer)],
    minzoom: layer.min_zoom ?? 0,
    maxzoom: layer.max_zoom ?? 22,
  };
  // Bounds stop MapLibre asking for tiles that would be empty anyway.
  if (validExtent(layer.extent)) source.bounds = layer.extent;
  if (layer.attribution) source.attribution = layer.attribution;
  return source;
}

/** Style layers of every catalogue layer, in draw order (areas, lines, points; base first). */
export function styleLayersFor(layers, { glyphs = false } = {}) {
  const out = [];
  layers.forEach((layer, layerIndex) => {
    const frags = fragmentsOf(layer);
    frags.forEach((frag, i) => {
      // Text needs the server's glyphs (GET /fonts/…); there is no sprite, so icons never draw.
      const layout = { ...(frag.layout || {}) };
      if (frag.type === "symbol") {
        delete layout["icon-image"];
        if (!glyphs || !layout["text-field"]) return;
        layout["text-font"] = [...new Set([...(layout["text-font"] || []), LABEL_FONT])];
      }
      const styleLayer = {
        ...frag,
        id: styleLayerId(layer.slug, frag, i, frags.length),
        source: layer.slug,
        "source-layer": layer.slug,
        layout: { ...layout, visibility: "visible" },
        metadata: { ...(frag.metadata || {}), "geo-ioc:layer": layer.slug },
      };
      if (styleLayer.minzoom == null && layer.min_zoom) styleLayer.minzoom = layer.min_zoom;
      const sortKey = [TYPE_RANK[frag.type] ?? 8, layer.domain === "base" ? 0 : 1, layerIndex, i];
      out.push({ styleLayer, sortKey });
    });
  });
  out.sort((a, b) => {
    for (let k = 0; k < a.sortKey.length; k++) {
      if (a.sortKey[k] !== b.sortKey[k]) return a.sortKey[k] - b.sortKey[k];
    }
    return 0;
  });
  return out.map((o) => o.styleLayer);
}

/** The font of the labels, served by `GET /fonts/{fontstack}/{range}.pbf`. */
export const LABEL_FONT = "Noto Sans Regular";
export const LABEL_FONT_BOLD = "Noto Sans Bold";
export const GLYPHS_URL = "/fonts/{fontstack}/{range}.pbf";

/** Whether the server has glyphs (labels are drawn only then: a missing range is an error). */
export async function hasGlyphs() {
  try {
    const url = GLYPHS_URL.replace("{fontstack}", encodeURIComponent(LABEL_FONT)).replace("{range}", "0-255");
    const response = await fetch(url); // the range every label needs first: cached for the map
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** The whole style document (`glyphs`: labels can be drawn). */
export function buildStyle(layers, { glyphs = false } = {}) {
  const sources = {};
  layers.forEach((layer) => { sources[layer.slug] = sourceFor(layer); });
  const style = {
    version: 8,
    name: "geo-ioc",
    sources,
    layers: [
      { id: "background", type: "background", paint: { "background-color": BACKGROUND } },
      ...styleLayersFor(layers, { glyphs }),
    ],
  };
  if (glyphs) style.glyphs = new URL(GLYPHS_URL, location.href).href.replace(/%7B/g, "{").replace(/%7D/g, "}");
  return style;
}

/**
 * The area to show first: the union of the layer extents, leaving out extents far larger than
 * the typical one (a province boundary would otherwise zoom the city out of sight).
 */
export function initialBounds(layers) {
  const extents = layers.map((l) => l.extent).filter(validExtent);
  if (!extents.length) return null;
  const area = (e) => Math.max((e[2] - e[0]) * (e[3] - e[1]), 1e-12);
  const areas = extents.map(area).sort((a, b) => a - b);
  const median = areas[Math.floor((areas.length - 1) / 2)];
  const kept = extents.length > 2 ? extents.filter((e) => area(e) <= median * 25) : extents;
  return kept.reduce((u, e) => [
    Math.min(u[0], e[0]), Math.min(u[1], e[1]), Math.max(u[2], e[2]), Math.max(u[3], e[3]),
  ]);
}
