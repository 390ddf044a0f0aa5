// Shared by the report pages: JSON fetches with the CSRF token, the error box, the device id.

export function csrf() {
  const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export async function call(url, { method = "GET", body = null, json = null } = {}) {
  const headers = { "X-CSRFToken": csrf(), Accept: "application/json" };
  let payload = body;
  if (json !== null) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  }
  const res = await fetch(url, { method, body: payload, headers, credentials: "same-origin" });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

export function showError(el, err) {
  el.textContent = err ? String(err.message || err) : "";
  el.hidden = !err;
}

// A random id kept on the device: the key that follows reports without an account.
export function deviceId() {
  let id = localStorage.getItem("geo-ioc-device");
  if (!id) {
    id = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    localStorage.setItem("geo-ioc-device", id);
  }
  return id;
}

export const STATUS = {
  received: "Đã tiếp nhận / Received",
  routed: "Đã chuyển đơn vị / Routed",
  accepted: "Đơn vị đã nhận / Accepted",
  in_progress: "Đang xử lý / In progress",
  resolved: "Đã xử lý / Resolved",
  closed: "Đã đóng / Closed",
  rejected: "Từ chối / Rejected",
};

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
