// A tiny DOM builder: el("div", {class: "x", onclick: fn}, child, "text", …).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style" && typeof v === "object") {
      // setProperty, not assignment: custom properties (--edge, --aqi…) are dropped otherwise.
      for (const [name, value] of Object.entries(v)) node.style.setProperty(name, value);
    }
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) node.append(c);
  return node;
}

/** An SVG element with attributes. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c != null) node.append(c);
  return node;
}

/** Run fn at most once per `ms`, and once more after the last call. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let pendingArgs = null;
  return (...args) => {
    const now = performance.now();
    pendingArgs = args;
    if (now - last >= ms && !timer) {
      last = now;
      fn(...args);
      pendingArgs = null;
      return;
    }
    if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = performance.now();
        if (pendingArgs) fn(...pendingArgs);
        pendingArgs = null;
      }, Math.max(0, ms - (now - last)));
    }
  };
}

/** Run fn `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
