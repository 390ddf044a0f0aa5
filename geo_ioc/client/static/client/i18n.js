// The interface language (Vietnamese by default, English), its strings and the layer-tree domains.

import { STRINGS } from "./strings.js";

export const LANGS = ["vi", "en"];

export const DOMAINS = {
  land: { vi: "Đất đai", en: "Land" },
  transport: { vi: "Giao thông", en: "Transport" },
  security: { vi: "An ninh", en: "Security" },
  environment: { vi: "Môi trường", en: "Environment" },
  tourism: { vi: "Du lịch", en: "Tourism" },
  public_services: { vi: "Dịch vụ công", en: "Public services" },
  health: { vi: "Y tế", en: "Health" },
  education: { vi: "Giáo dục", en: "Education" },
  economy: { vi: "Kinh tế – xã hội", en: "Socio-economic" },
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

/** The other language (for the toggle). */
export function otherLang() {
  return current === "vi" ? "en" : "vi";
}

/** A UI string in the current language, English as fallback, `{name}` placeholders filled. */
export function t(key, params = {}) {
  const text = String(STRINGS[current][key] ?? STRINGS.en[key] ?? key ?? "");
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
