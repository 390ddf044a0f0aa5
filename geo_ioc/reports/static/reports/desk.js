// The operators' desk: reports arriving live (the event log over SSE), hotline 1022 intake
// with the same duplicate check as the public form.
import { call, el, showError, STATUS } from "./common.js";

const $ = (id) => document.getElementById(id);
const shown = new Map();

function row(feature) {
  const p = feature.properties;
  const li = el("li", { "data-code": p.code, class: p.overdue ? "overdue" : "", tabindex: "0" },
    el("strong", { text: p.code }), ` ${p.category_vi} · ${STATUS[p.status] || p.status} · ${p.source}`,
    el("p", { text: p.description }), el("small", { text: [p.area_name, p.unit].filter(Boolean).join(" · ") }));
  li.addEventListener("click", () => select(p.code));
  li.addEventListener("keydown", (e) => { if (e.key === "Enter") select(p.code); });
  const old = shown.get(p.code);
  if (old) old.replaceWith(li); else $("incoming").prepend(li);
  shown.set(p.code, li);
}

// The report being handled: its steps go through POST /reports/staff/{code}/step; a resolve
// carries the answer photo, which the server runs through the same pipeline as a citizen's
// (decoded, re-encoded, metadata stripped, faces and plates blurred).
let selected = null;

function showHandled(report) {
  const p = report.properties;
  selected = p.code;
  $("handle").hidden = false;
  $("handle").dataset.code = p.code;
  $("handle").dataset.status = p.status;
  $("s-code").textContent = p.code;
  $("s-status").textContent = STATUS[p.status] || p.status;
  $("s-description").textContent = p.description;
  $("s-answer").replaceChildren(...(p.answer_photos || []).map((id) =>
    el("a", { href: `/reports/photos/${id}.jpg`, target: "_blank" },
      el("img", { src: `/reports/photos/${id}/thumb.jpg`, alt: "Ảnh kết quả / Answer photo" }))));
  row(report);
}

async function select(code) {
  showError($("s-error"), null);
  try { showHandled(await call(`/reports/staff/${encodeURIComponent(code)}`)); }
  catch (err) { showError($("s-error"), err); }
}

function togglePhoto() {
  $("s-photo-label").hidden = $("s-action").value !== "resolve";
}

$("s-action").addEventListener("change", togglePhoto);
togglePhoto();
$("step").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!selected) return;
  showError($("s-error"), null);
  const form = new FormData();
  form.append("action", $("s-action").value);
  if ($("s-note").value) form.append("note", $("s-note").value);
  const file = $("s-photo").files[0];
  if (file && $("s-action").value === "resolve") form.append("photo", file);
  $("s-send").disabled = true;
  try {
    showHandled(await call(`/reports/staff/${encodeURIComponent(selected)}/step`, { method: "POST", body: form }));
    $("s-note").value = "";
    $("s-photo").value = "";
  } catch (err) {
    showError($("s-error"), err);
  } finally {
    $("s-send").disabled = false;
  }
});

async function refresh() {
  const data = await call("/reports/staff?limit=30");
  for (const f of data.features.reverse()) row(f);
}

async function start() {
  await refresh();
  const source = new EventSource("/live/events?layers=reports");
  source.addEventListener("open", () => { $("live").textContent = "● trực tiếp / live"; document.body.dataset.live = "1"; });
  source.addEventListener("reports", (event) => {
    // A service's message carries the report as the public sees it; a bare change (a sweep's
    // overdue flags, psql) carries none: read the list again.
    const msg = JSON.parse(event.data);
    if (msg.feature && msg.feature.type === "Feature") row(msg.feature);
    else refresh();
  });
}

async function loadCategories() {
  const data = await call("/reports/categories");
  $("h-category").replaceChildren(...data.categories.map((c) => el("option", { value: c.code, text: c.name_vi })));
}

function hotlineBody() {
  return {
    category: $("h-category").value, lon: Number($("h-lon").value), lat: Number($("h-lat").value),
    address: $("h-address").value, description: $("h-description").value,
    contact: { phone: $("h-phone").value },
  };
}

$("h-check").addEventListener("click", async () => {
  const b = hotlineBody();
  const params = new URLSearchParams({ category: b.category, lon: b.lon, lat: b.lat });
  const data = await call(`/reports/nearby?${params}`);
  $("h-nearby").replaceChildren(...data.features.map((f) => el("li", { text: `${f.properties.code} · ${Math.round(f.properties.distance_m)} m · ${f.properties.description}` })));
  if (!data.features.length) $("h-nearby").append(el("li", { text: "Không có phản ánh trùng / No duplicates" }));
});
$("hotline").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError($("h-error"), null);
  try {
    const done = await call("/reports/staff/hotline", { method: "POST", json: hotlineBody() });
    $("h-done").textContent = `Đã ghi nhận ${done.properties.code} / Recorded`;
    $("h-done").hidden = false;
  } catch (err) { showError($("h-error"), err); }
});
loadCategories();
start().catch((err) => { $("live").textContent = String(err.message); });
