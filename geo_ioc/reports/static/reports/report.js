// The citizen's report form: category, pin (device location offered), nearby reports of the
// same category ("is this yours?" — follow it instead), description, photos, optional contact.
import { call, deviceId, el, showError, STATUS } from "./common.js";

const $ = (id) => document.getElementById(id);
const form = $("report-form");
const errorBox = $("error");
let map = null;
let marker = null;
let photoGps = null;

function setPin(lon, lat) {
  $("lon").value = lon.toFixed(6);
  $("lat").value = lat.toFixed(6);
  $("where").textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
  if (map) {
    if (!marker) marker = new window.maplibregl.Marker({ color: "#d7301f" });
    marker.setLngLat([lon, lat]).addTo(map);
  }
  form.dataset.pinned = "1";
  checkNearby();
}

async function checkNearby() {
  const category = $("category").value;
  const lon = $("lon").value;
  const lat = $("lat").value;
  if (!category || !lon) return;
  const params = new URLSearchParams({ category, lon, lat });
  const data = await call(`/reports/nearby?${params}`).catch(() => ({ features: [] }));
  const list = $("nearby-list");
  list.replaceChildren();
  for (const f of data.features) {
    const p = f.properties;
    const follow = el("button", { type: "button", class: "follow-instead", text: "Theo dõi phản ánh này / Follow this one" });
    follow.addEventListener("click", async () => {
      await call(`/reports/public/${p.code}/follow`, { method: "POST", json: { key: deviceId() } });
      window.location.href = `/phan-anh/${p.code}`;
    });
    list.append(el("li", {}, el("strong", { text: `${p.code} · ${STATUS[p.status] || p.status}` }),
      el("span", { text: ` ${Math.round(p.distance_m)} m — ${p.description}` }), follow));
  }
  $("nearby").hidden = data.features.length === 0;
  form.dataset.nearbyChecked = String(data.features.length);
}

async function loadCategories() {
  const data = await call("/reports/categories");
  for (const c of data.categories) {
    $("category").append(el("option", { value: c.code, text: `${c.name_vi} / ${c.name_en}` }));
  }
  form.dataset.ready = "1";
}

function startMap() {
  const lon = Number(document.body.dataset.centerLon);
  const lat = Number(document.body.dataset.centerLat);
  if (!window.maplibregl) return;
  map = new window.maplibregl.Map({
    container: "map", style: "/styles/public_services.json?lang=vi", center: [lon, lat], zoom: 13,
  });
  map.on("click", (e) => setPin(e.lngLat.lng, e.lngLat.lat));
  map.on("load", () => { document.body.dataset.mapReady = "1"; });
}

$("locate").addEventListener("click", () => {
  navigator.geolocation?.getCurrentPosition(
    (pos) => { setPin(pos.coords.longitude, pos.coords.latitude); map?.flyTo({ center: [pos.coords.longitude, pos.coords.latitude], zoom: 16 }); },
    () => showError(errorBox, new Error("Không lấy được vị trí / Location unavailable")),
  );
});
$("category").addEventListener("change", checkNearby);
$("photos").addEventListener("change", async () => {
  const files = [...$("photos").files];
  if (files.length > 3) { showError(errorBox, new Error("Tối đa 3 ảnh / At most 3 photos")); return; }
  showError(errorBox, null);
  if (!files.length) return;
  const body = new FormData();
  body.append("photo", files[0]);
  try {
    const gps = await call("/reports/photo-location", { method: "POST", body });
    photoGps = gps.lon !== null ? gps : null;
    $("photo-gps").hidden = !photoGps;
  } catch (err) {
    showError(errorBox, err);
  }
});
$("use-gps").addEventListener("click", () => photoGps && setPin(photoGps.lon, photoGps.lat));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  if (!$("lon").value) { showError(errorBox, new Error("Hãy đặt vị trí trên bản đồ / Place the pin on the map")); return; }
  const body = new FormData(form);
  body.set("device_id", deviceId());
  $("send").disabled = true;
  try {
    const done = await call("/reports", { method: "POST", body });
    form.hidden = true;
    $("code").textContent = done.code;
    $("track-link").href = done.url;
    $("done").hidden = false;
  } catch (err) {
    showError(errorBox, err);
  } finally {
    $("send").disabled = false;
  }
});

// Tests and other pages may place the pin without a map click.
window.reportPin = setPin;
loadCategories().catch((err) => showError(errorBox, err));
startMap();
