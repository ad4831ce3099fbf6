/** Tiny DOM helpers of the demo (no framework). */

type Child = Node | string | null | undefined | false;

/** Create `<tag class=...>` with attributes and children; strings become text nodes (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** The element with id `id` (throws if the page lacks it: a broken index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`index.html has no #${id}`);
  return e as T;
}

/** Show a notice (`info` | `warn` | `error`) in the page's live region; returns its element. */
export function notice(kind: 'info' | 'warn' | 'error', text: string): HTMLElement {
  const n = el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  byId('notices').append(n);
  return n;
}

/** Milliseconds as a short string: 0.42 ms, 12.3 ms, 1.24 s. */
export function ms(v: number): string {
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

/** Bytes as KB/MB. */
export function bytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} KB`;
}
