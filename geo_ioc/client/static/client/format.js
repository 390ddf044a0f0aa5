// Numbers, dates and durations with Intl, in the interface language (vi-VN or en-GB).

import { lang } from "./i18n.js";

const TIME_ZONE = "Asia/Ho_Chi_Minh";

export function locale() {
  return lang() === "vi" ? "vi-VN" : "en-GB";
}

/** A number in the current locale. */
export function num(value, options = {}) {
  if (value == null || Number.isNaN(Number(value))) return "—";
  return Number(value).toLocaleString(locale(), options);
}

function date(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 14:05 */
export function clock(value, withSeconds = false) {
  const d = date(value);
  if (!d) return "—";
  return d.toLocaleTimeString(locale(), {
    hour: "2-digit", minute: "2-digit", ...(withSeconds ? { second: "2-digit" } : {}), timeZone: TIME_ZONE,
  });
}

/** 23/11 14:05 */
export function dateTime(value) {
  const d = date(value);
  if (!d) return "—";
  return d.toLocaleString(locale(), {
    day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE,
  });
}

/** Thứ Hai, 23 tháng 11 */
export function longDate(value) {
  const d = date(value);
  if (!d) return "—";
  return d.toLocaleDateString(locale(), { weekday: "long", day: "numeric", month: "long", timeZone: TIME_ZONE });
}

/** "5 phút trước" / "5 minutes ago". */
export function ago(value, now = Date.now()) {
  const d = date(value);
  if (!d) return "—";
  const seconds = Math.round((d.getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

/** The hour of a timestamp, "14h" / "14:00". */
export function hour(value) {
  const d = date(value);
  if (!d) return "";
  const h = d.toLocaleString("en-GB", { hour: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });
  return lang() === "vi" ? `${Number(h)}h` : `${h}:00`;
}
