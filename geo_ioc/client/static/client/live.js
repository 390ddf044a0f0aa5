// One WebSocket to /ws/live per page: layer events (resumed losslessly from the last sequence
// number after a reconnect) and the wall messages (join, drive, follow). Protocol: the docstring
// of geo_ioc/operations/consumers.py.

const RETRY_MS = [1000, 2000, 5000, 10000];

export class Live extends EventTarget {
  constructor() {
    super();
    // Inspected by the tests and handy in the console: what arrived, per layer.
    this.state = { lastSeq: null, layersAtSeq: new Set(), received: 0, byLayer: {}, socket: null, retries: 0, connected: false };
    this.layers = [];
    this.wall = null; // {wall, screen} to (re)join on every connection
    this.queue = [];
    window.geoIocLive = this.state;
  }

  /** Follow these layers' events (replaces the previous list). */
  subscribe(layers) {
    this.layers = layers;
    if (this.state.connected) this.sendSubscribe();
    else this.connect();
  }

  /** Follow a wall (its views and focus arrive as "wall" events). */
  joinWall(wall, screen = null) {
    this.wall = { wall, screen };
    this.send({ type: "wall_join", wall, ...(screen ? { screen } : {}) });
  }

  /** Send a message now, or as soon as the socket is open. */
  send(message) {
    if (this.state.connected) this.state.socket.send(JSON.stringify(message));
    else {
      // Only the newest drive message matters after a reconnect.
      this.queue = this.queue.filter((m) => m.type !== message.type || m.type === "wall_focus");
      this.queue.push(message);
      this.connect();
    }
  }

  sendSubscribe() {
    if (!this.layers.length) return;
    const request = { subscribe: this.layers };
    if (this.state.lastSeq !== null) request.last_seq = this.state.lastSeq;
    this.state.socket.send(JSON.stringify(request));
  }

  connect() {
    if (this.state.socket && this.state.socket.readyState <= WebSocket.OPEN) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/live`);
    this.state.socket = socket;
    socket.addEventListener("open", () => {
      this.state.retries = 0;
      this.state.connected = true;
      this.sendSubscribe();
      if (this.wall && !this.queue.some((m) => m.type === "wall_join")) {
        socket.send(JSON.stringify({ type: "wall_join", wall: this.wall.wall, ...(this.wall.screen ? { screen: this.wall.screen } : {}) }));
      }
      const queued = this.queue;
      this.queue = [];
      queued.forEach((m) => socket.send(JSON.stringify(m)));
      this.emit("status", { connected: true });
    });
    socket.addEventListener("message", (e) => this.onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", () => {
      this.state.connected = false;
      this.emit("status", { connected: false });
      const wait = RETRY_MS[Math.min(this.state.retries, RETRY_MS.length - 1)];
      this.state.retries += 1;
      setTimeout(() => this.connect(), wait);
    });
  }

  onMessage(msg) {
    if (msg.type === "subscribed") {
      if (this.state.lastSeq === null) this.state.lastSeq = msg.last_seq;
    } else if (msg.type === "event") {
      // One change may feed several layers under one position: a repeat is the same seq and layer.
      const last = this.state.lastSeq;
      if (last !== null && this.state.received
          && (msg.seq < last || (msg.seq === last && this.state.layersAtSeq.has(msg.layer)))) return;
      if (msg.seq !== last) this.state.layersAtSeq = new Set();
      this.state.layersAtSeq.add(msg.layer);
      this.state.received += 1;
      this.state.lastSeq = msg.seq;
      this.state.byLayer[msg.layer] = (this.state.byLayer[msg.layer] || 0) + 1;
      this.emit("event", msg);
      document.dispatchEvent(new CustomEvent("geo-ioc:live", { detail: msg }));
    } else if (typeof msg.type === "string" && msg.type.startsWith("wall_")) {
      this.emit("wall", msg);
    } else if (msg.type === "error") {
      console.warn("live:", msg.code, msg.message);
      this.emit("failure", msg);
    }
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  on(type, fn) {
    this.addEventListener(type, (e) => fn(e.detail));
  }
}

/** Point a vector source at fresh tiles (a new query string bypasses every cache). */
export function refreshSource(map, slug, seq) {
  const source = map.getSource(slug);
  // Before its TileJSON has loaded a source has no tiles yet, and will load fresh ones.
  if (!source || typeof source.setTiles !== "function" || !(source.tiles || []).length) return;
  const tiles = source.tiles.map((t) => {
    const url = new URL(t.replace(/{/g, "%7B").replace(/}/g, "%7D"));
    url.searchParams.set("v", String(seq));
    return url.href.replace(/%7B/g, "{").replace(/%7D/g, "}");
  });
  source.setTiles(tiles);
}

/** The live layers among those the page shows. */
export function liveLayers(catalogue) {
  const visible = new Set(catalogue.map((l) => l.slug));
  return ["incidents", "alerts", "env_stations", "reports"].filter((slug) => visible.has(slug));
}
