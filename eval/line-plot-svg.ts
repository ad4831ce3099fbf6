/**
 * A small SVG line plot with error bars, for the sample-efficiency figure (paper Fig. 2 bottom:
 * accuracy vs fraction of training data, log-scale x, one series per model).
 */
import { classColour, escapeXml, fmt, niceTicks, svgOpen, tickLabel } from './svg.ts';

/** One line: points (x[i], y[i]) with optional symmetric error bars err[i] (e.g. std over seeds). */
export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  err?: readonly number[];
}

/** Options of {@link linePlotSvg}; defaults in brackets. */
export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** [true] log10 x axis (x must be > 0); ticks at the data's x values. */
  logX: boolean;
  /** [tickLabel] Formats x tick labels, e.g. (f) => `${f * 100}%`. */
  xTickFormat: (x: number) => string;
  /** [640] Width in px. */
  width: number;
  /** [420] Height in px. */
  height: number;
}

/**
 * Renders the series as an SVG document with axes, ticks, error bars (whiskers with caps) and a
 * legend. RangeError on mismatched lengths, non-finite values or x <= 0 with a log axis.
 */
export function linePlotSvg(series: readonly LineSeries[], options: Partial<LinePlotOptions> = {}): string {
  if (typeof series !== 'object' || series === null || typeof series.length !== 'number') throw new TypeError('linePlotSvg series: expected an array of series');
  if (series.length === 0) throw new RangeError('linePlotSvg series: expected at least one series');
  const logX = options.logX ?? true;
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const xFmt = options.xTickFormat ?? tickLabel;
  for (const s of series) {
    if (s.x.length !== s.y.length || (s.err && s.err.length !== s.x.length) || s.x.length === 0) {
      throw new RangeError(`linePlotSvg series "${s.name}": x, y (and err) must have the same non-zero length`);
    }
    const vals = [...s.x, ...s.y, ...(s.err ?? [])];
    if (vals.some((v) => !Number.isFinite(v))) throw new RangeError(`linePlotSvg series "${s.name}": all values must be finite`);
    if (logX && s.x.some((v) => v <= 0)) throw new RangeError(`linePlotSvg series "${s.name}": x must be > 0 on a log axis`);
  }
  const tx = (x: number): number => (logX ? Math.log10(x) : x);
  const xs = series.flatMap((s) => s.x.map(tx));
  const ylo = Math.min(...series.flatMap((s) => s.y.map((y, i) => y - (s.err?.[i] ?? 0))));
  const yhi = Math.max(...series.flatMap((s) => s.y.map((y, i) => y + (s.err?.[i] ?? 0))));
  let xmin = Math.min(...xs);
  let xmax = Math.max(...xs);
  if (xmax === xmin) { xmin -= 1; xmax += 1; }
  const yTicks = niceTicks(ylo, yhi, 5);
  const y0 = Math.min(ylo, yTicks[0] ?? ylo);
  const y1 = Math.max(yhi, yTicks[yTicks.length - 1] ?? yhi);
  const ySpan = y1 - y0 || 1;
  const plot = { x0: 64, y0: options.title ? 40 : 16, x1: width - 150, y1: height - 52 };
  const px = (x: number): number => plot.x0 + 10 + ((tx(x) - xmin) / (xmax - xmin)) * (plot.x1 - plot.x0 - 20);
  const py = (y: number): number => plot.y1 - ((y - y0) / ySpan) * (plot.y1 - plot.y0);
  const parts: string[] = [svgOpen(width, height)];
  if (options.title) parts.push(`<text x="${(plot.x0 + plot.x1) / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>\n`);
  parts.push(`<rect x="${plot.x0}" y="${plot.y0}" width="${plot.x1 - plot.x0}" height="${plot.y1 - plot.y0}" fill="none" stroke="#333"/>\n`);
  for (const t of yTicks) {
    const y = fmt(py(t));
    parts.push(`<line x1="${plot.x0 - 4}" x2="${plot.x1}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${plot.x0 - 7}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>\n`);
  }
  const xTicks = logX ? [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b) : niceTicks(xmin, xmax, 6);
  for (const t of xTicks) {
    const x = fmt(px(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${plot.y1}" y2="${plot.y1 + 4}" stroke="#333"/><text x="${x}" y="${plot.y1 + 18}" text-anchor="middle">${escapeXml(xFmt(t))}</text>\n`);
  }
  if (options.xLabel) parts.push(`<text x="${(plot.x0 + plot.x1) / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>\n`);
  if (options.yLabel) parts.push(`<text transform="translate(16 ${(plot.y0 + plot.y1) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>\n`);
  series.forEach((s, k) => {
    const colour = classColour(k);
    const pts = s.x.map((x, i) => `${fmt(px(x))},${fmt(py(s.y[i] as number))}`).join(' ');
    parts.push(`<g class="series" data-name="${escapeXml(s.name)}" stroke="${colour}" fill="${colour}">\n<polyline points="${pts}" fill="none" stroke-width="2"/>\n`);
    s.x.forEach((x, i) => {
      const cx = fmt(px(x));
      const y = s.y[i] as number;
      const e = s.err?.[i] ?? 0;
      if (e > 0) {
        const a = fmt(py(y - e));
        const b = fmt(py(y + e));
        parts.push(`<line x1="${cx}" x2="${cx}" y1="${a}" y2="${b}"/><line x1="${fmt(px(x) - 4)}" x2="${fmt(px(x) + 4)}" y1="${a}" y2="${a}"/><line x1="${fmt(px(x) - 4)}" x2="${fmt(px(x) + 4)}" y1="${b}" y2="${b}"/>\n`);
      }
      parts.push(`<circle cx="${cx}" cy="${fmt(py(y))}" r="3.5"/>\n`);
    });
    parts.push('</g>\n');
    const ly = plot.y0 + 10 + k * 20;
    parts.push(`<line x1="${plot.x1 + 12}" x2="${plot.x1 + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/><text x="${plot.x1 + 42}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>\n`);
  });
  parts.push('</svg>\n');
  return parts.join('');
}
