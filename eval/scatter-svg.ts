/**
 * The 2-D map of test codes coloured by class (paper Fig. 3 bottom; issue #4) as a standalone SVG
 * string: one circle per point, a frame, a title and a legend with one swatch per class.
 */
import { checkMatrix } from './matrix.ts';
import { classColour, escapeXml, fmt, svgOpen } from './svg.ts';

/** Options of {@link scatterSvg}; defaults in brackets. */
export interface ScatterOptions {
  /** [''] Title drawn at the top. */
  title: string;
  /** [class ids] Legend name of class c is `classNames[c]`. */
  classNames: readonly string[];
  /** [720] Total width in px (the legend takes the right 170 px). */
  width: number;
  /** [520] Total height in px. */
  height: number;
  /** [2.2] Point radius in px. */
  radius: number;
  /** [0.7] Point opacity. */
  opacity: number;
}

/**
 * Renders `coords` (`[n, 2]` row-major, e.g. t-SNE or PCA output) coloured by `labels` (`[n]`,
 * class ids >= 0) as an SVG document. Points are drawn in the given order (later points on top);
 * the plot area keeps the data's aspect ratio free (both axes scaled to fill), since t-SNE / PCA
 * axes carry no units.
 */
export function scatterSvg(coords: ArrayLike<number>, n: number, labels: ArrayLike<number>, options: Partial<ScatterOptions> = {}): string {
  checkMatrix('scatterSvg coords', coords, n, 2);
  if (labels.length !== n) throw new RangeError(`scatterSvg labels: ${labels.length} labels for n=${n} points`);
  const width = options.width ?? 720;
  const height = options.height ?? 520;
  const radius = options.radius ?? 2.2;
  const opacity = options.opacity ?? 0.7;
  const title = options.title ?? '';
  let maxClass = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`scatterSvg labels[${i}] = ${c}; expected a class id >= 0`);
    maxClass = Math.max(maxClass, c);
  }
  const names = Array.from({ length: maxClass + 1 }, (_, c) => options.classNames?.[c] ?? `class ${c}`);
  const legendW = 170;
  const top = title ? 36 : 12;
  const pad = 12;
  const plot = { x0: pad, y0: top, x1: width - legendW - pad, y1: height - pad };
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i] as number;
    const y = coords[2 * i + 1] as number;
    xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
  }
  const sx = (plot.x1 - plot.x0 - 2 * radius) / (xmax - xmin || 1);
  const sy = (plot.y1 - plot.y0 - 2 * radius) / (ymax - ymin || 1);
  const parts: string[] = [svgOpen(width, height)];
  if (title) parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>\n`);
  parts.push(`<rect x="${plot.x0}" y="${plot.y0}" width="${plot.x1 - plot.x0}" height="${plot.y1 - plot.y0}" fill="none" stroke="#999"/>\n`);
  parts.push(`<g class="points" fill-opacity="${opacity}">\n`);
  for (let i = 0; i < n; i++) {
    const cx = plot.x0 + radius + ((coords[2 * i] as number) - xmin) * sx;
    const cy = plot.y1 - radius - ((coords[2 * i + 1] as number) - ymin) * sy; // SVG y grows downwards
    parts.push(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${radius}" fill="${classColour(labels[i] as number)}" data-class="${labels[i]}"/>\n`);
  }
  parts.push('</g>\n<g class="legend">\n');
  names.forEach((name, c) => {
    const y = top + 8 + c * 18;
    parts.push(`<rect x="${width - legendW + 4}" y="${y - 9}" width="12" height="12" fill="${classColour(c)}"/>`);
    parts.push(`<text x="${width - legendW + 22}" y="${y + 1}">${escapeXml(name)}</text>\n`);
  });
  parts.push('</g>\n</svg>\n');
  return parts.join('');
}
