/**
 * Minimal SVG building blocks shared by the scatter map and the line plot: XML escaping, number
 * formatting, a categorical palette and "nice" axis ticks. Pure string building, no dependencies,
 * so reports can be written from node and from the browser.
 */

/** Escapes text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Compact coordinate formatting (2 decimals, no trailing zeros) to keep SVG files small. */
export function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * 20 distinguishable colours (the Tableau-10 palette followed by its light variants), cycled for
 * more classes. DBpedia has 14 classes.
 */
export const PALETTE: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

/** Colour of class `c` (cycled through {@link PALETTE}). */
export function classColour(c: number): string {
  return PALETTE[((c % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}

/**
 * About `count` round tick values (steps of 1, 2 or 5 x 10^k) covering [lo, hi].
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Integer multiples of step, rounded to 12 significant digits to drop float noise (6 * 0.1).
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Formats a tick value without floating noise (e.g. 0.30000000000000004 -> "0.3"). */
export function tickLabel(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Opening `<svg>` tag with a white background and a default font. */
export function svgOpen(width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n`
  );
}
