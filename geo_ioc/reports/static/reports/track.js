// A report's public page: status, history of steps, the unit's answer with its photo; follow
// it by this device, reopen it within 7 days when it was resolved or rejected.
import { call, deviceId, el, showError, STATUS } from "./common.js";

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;

function photos(box, ids) {
  box.replaceChildren(...ids.map((id) => el("a", { href: `/reports/photos/${id}.jpg` },
    el("img", { src: `/reports/photos/${id}/thumb.jpg`, alt: "ảnh / photo" }))));
}

async function load() {
  const data = await call(`/reports/public/${encodeURIComponent(code)}`);
  const p = data.report.properties;
  $("status").textContent = STATUS[p.status] || p.status;
  $("status").dataset.status = p.status;
  $("category").textContent = `${p.category_vi} / ${p.category_en}`;
  $("area").textContent = [p.address, p.area_name, p.unit].filter(Boolean).join(" · ");
  $("description").textContent = p.description;
  photos($("photos"), p.photos);
  $("answer-box").hidden = !(p.answer || p.reason);
  $("answer").textContent = p.answer || p.reason || "";
  photos($("answer-photos"), p.answer_photos);
  $("steps").replaceChildren(...data.steps.map((s) => el("li", {},
    el("time", { text: new Date(s.at).toLocaleString("vi-VN") }), " ",
    el("strong", { text: STATUS[s.status] || s.status }), s.unit ? ` · ${s.unit}` : "",
    s.note ? el("p", { text: s.note }) : "")));
  $("reopen").hidden = !["resolved", "closed", "rejected"].includes(p.status);
  $("report").hidden = false;
  document.body.dataset.loaded = p.status;
}

$("follow").addEventListener("click", async () => {
  try {
    await call(`/reports/public/${encodeURIComponent(code)}/follow`, { method: "POST", json: { key: deviceId() } });
    $("follow").hidden = true;
    $("following").hidden = false;
  } catch (err) { showError($("error"), err); }
});
$("reopen").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await call(`/reports/public/${encodeURIComponent(code)}/reopen`, { method: "POST", json: { key: deviceId(), note: $("reopen-note").value } });
    await load();
  } catch (err) { showError($("error"), err); }
});
load().catch((err) => showError($("error"), err));
