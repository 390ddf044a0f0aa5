// Live layers: one WebSocket to /ws/live; each event redraws its layer's tiles, alerts flash.
// The event log on the server makes a reconnect lossless: we resume from the last sequence number.

const LIVE_LAYERS = ["incidents", "alerts", "env_stations"];
const RETRY_MS = [1000, 2000, 5000, 10000];

const state = { lastSeq: null, received: 0, byLayer: {}, socket: null, retries: 0 };
window.geoIocLive = state;

function whenMapReady() {
  return new Promise((resolve) => {
    const check = () => (window.geoIocMap && window.geoIocCatalogue
      ? resolve([window.geoIocMap, window.geoIocCatalogue])
      : setTimeout(check, 100));
    check();
  });
}

/** Point a vector source at fresh tiles (a new query string bypasses every cache). */
function refreshSource(map, slug, seq) {
  const source = map.getSource(slug);
  if (!source || typeof source.setTiles !== "function") return;
  const tiles = (source.tiles || []).map((t) => {
    const url = new URL(t.replace(/{/g, "%7B").replace(/}/g, "%7D"));
    url.searchParams.set("v", String(seq));
    return url.href.replace(/%7B/g, "{").replace(/%7D/g, "}");
  });
  source.setTiles(tiles);
}

function flashAlert(feature) {
  const props = (feature && feature.properties) || {};
  const box = document.createElement("div");
  box.className = "ioc-alert-flash";
  box.setAttribute("role", "alert");
  box.textContent = props.headline || "Cảnh báo mới";
  document.body.appendChild(box);
  setTimeout(() => box.remove(), 8000);
}

function onEvent(map, msg) {
  state.received += 1;
  state.lastSeq = msg.seq;
  state.byLayer[msg.layer] = (state.byLayer[msg.layer] || 0) + 1;
  refreshSource(map, msg.layer, msg.seq);
  if (msg.layer === "alerts" && msg.operation === "create") flashAlert(msg.feature);
  document.dispatchEvent(new CustomEvent("geo-ioc:live", { detail: msg }));
}

function connect(map, layers) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/live`);
  state.socket = socket;
  socket.addEventListener("open", () => {
    state.retries = 0;
    const request = { subscribe: layers };
    if (state.lastSeq !== null) request.last_seq = state.lastSeq;
    socket.send(JSON.stringify(request));
  });
  socket.addEventListener("message", (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === "subscribed" && state.lastSeq === null) state.lastSeq = msg.last_seq;
    else if (msg.type === "event") onEvent(map, msg);
    else if (msg.type === "error") console.warn("live:", msg.code, msg.message);
  });
  socket.addEventListener("close", () => {
    const wait = RETRY_MS[Math.min(state.retries, RETRY_MS.length - 1)];
    state.retries += 1;
    setTimeout(() => connect(map, layers), wait);
  });
}

whenMapReady().then(([map, catalogue]) => {
  const visible = new Set(catalogue.map((l) => l.slug));
  const layers = LIVE_LAYERS.filter((slug) => visible.has(slug));
  if (layers.length) connect(map, layers);
});
