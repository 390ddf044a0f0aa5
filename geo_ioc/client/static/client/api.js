// HTTP helpers: JSON in and out, the CSRF token on writes (session users), errors as {code, message}.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || "http_error";
    this.body = body;
  }
}

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

async function parse(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** GET a JSON document. */
export async function getJson(url, { signal } = {}) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, signal, credentials: "same-origin" });
  return parse(response);
}

/** Send a JSON body with the session's CSRF token. */
async function sendJson(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": cookie("csrftoken") || "",
    },
    body: JSON.stringify(body),
  });
  return parse(response);
}

/** POST a JSON body with the session's CSRF token. */
export const postJson = (url, body = {}) => sendJson("POST", url, body);

/** PATCH a JSON body with the session's CSRF token. */
export const patchJson = (url, body = {}) => sendJson("PATCH", url, body);
