// UI strings in Vietnamese (default) and English, and the domain names of the layer tree.

export const LANGS = ["vi", "en"];

const STRINGS = {
  vi: {
    subtitle: "Trung tâm Điều hành Thông minh",
    layers: "Lớp dữ liệu",
    legend: "Chú giải",
    synthetic: "mô phỏng",
    syntheticHint: "Dữ liệu mô phỏng (sinh từ hạt giống cố định), không phải dữ liệu quan trắc",
    other: "khác",
    loading: "Đang tải danh mục lớp…",
    empty: "Chưa có lớp dữ liệu nào.",
    failed: "Không tải được danh mục lớp dữ liệu.",
    hidePanel: "Ẩn bảng điều khiển",
    showPanel: "Hiện bảng điều khiển",
    features: "đối tượng",
    zoomTo: "Thu phóng tới lớp",
    fromZoom: "Hiển thị từ mức thu phóng {z}",
    yes: "Có",
    no: "Không",
    more: "và {n} đối tượng khác",
    moreClasses: "+ {n} lớp khác",
    less: "Thu gọn",
    language: "Ngôn ngữ",
    restricted: "hạn chế",
    toggleDomain: "Bật/tắt nhóm",
  },
  en: {
    subtitle: "Intelligent Operations Center",
    layers: "Layers",
    legend: "Legend",
    synthetic: "synthetic",
    syntheticHint: "Synthetic data (generated from a fixed seed), not observed",
    other: "other",
    loading: "Loading the layer catalogue…",
    empty: "No layers yet.",
    failed: "Could not load the layer catalogue.",
    hidePanel: "Hide panels",
    showPanel: "Show panels",
    features: "features",
    zoomTo: "Zoom to layer",
    fromZoom: "Visible from zoom {z}",
    yes: "Yes",
    no: "No",
    more: "and {n} more",
    moreClasses: "+ {n} more classes",
    less: "Show less",
    language: "Language",
    restricted: "restricted",
    toggleDomain: "Toggle group",
  },
};

export const DOMAINS = {
  land: { vi: "Đất đai", en: "Land" },
  transport: { vi: "Giao thông", en: "Transport" },
  security: { vi: "An ninh", en: "Security" },
  environment: { vi: "Môi trường", en: "Environment" },
  tourism: { vi: "Du lịch", en: "Tourism" },
  public_services: { vi: "Dịch vụ công", en: "Public services" },
  health: { vi: "Y tế", en: "Health" },
  education: { vi: "Giáo dục", en: "Education" },
  base: { vi: "Nền", en: "Base map" },
};

/** Order of the layer tree; unknown domains follow, alphabetically. */
export const DOMAIN_ORDER = Object.keys(DOMAINS);

let current = "vi";
const listeners = new Set();

export function initialLang() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  let stored = null;
  try {
    stored = localStorage.getItem("geo-ioc.lang");
  } catch {
    // storage may be disabled; the default applies
  }
  return [fromUrl, stored].find((l) => LANGS.includes(l)) || "vi";
}

export function lang() {
  return current;
}

export function setLang(value) {
  if (!LANGS.includes(value) || value === current) return;
  current = value;
  document.documentElement.lang = value;
  try {
    localStorage.setItem("geo-ioc.lang", value);
  } catch {
    // not persisted; fine
  }
  listeners.forEach((fn) => fn(value));
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** A UI string in the current language, English as fallback, `{name}` placeholders filled. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Pick the current language from a {vi, en} pair (or plain string), falling back to the other. */
export function pick(pair, fallback = "") {
  if (pair == null) return fallback;
  if (typeof pair === "string") return pair;
  return pair[current] || pair.en || pair.vi || fallback;
}

export function domainName(domain) {
  return pick(DOMAINS[domain], domain.replace(/_/g, " "));
}

current = initialLang();
document.documentElement.lang = current;
