/**
 * SVG charts of the demo: the latent mean as a bar chart (active / inactive units) and the 2-D map of
 * test means with the typed sentence placed on it. Plain DOM, no library; sized by viewBox so they
 * scale to the pane width.
 */
import { ACTIVE_THRESHOLD, type MapData } from './formats.ts';

const NS = 'http://www.w3.org/2000/svg';

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Colours of map classes (colour-blind friendly, Okabe-Ito order). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7f7f7f', '#332288', '#117733', '#882255', '#44AA99', '#999933', '#AA4499'];

/**
 * Bar chart of `mean` (`[K]`): one bar per dimension from the zero line. With `variances` (`[K]`,
 * from map.json) active units (> 0.01) are solid and inactive ones hatched grey; without them every
 * bar is drawn neutral and the caption says activity is unknown. Range: symmetric, at least ±1.
 */
export function latentBars(mean: ArrayLike<number>, variances: readonly number[] | null, label: string): SVGSVGElement {
  const k = mean.length;
  const W = 320;
  const H = 120;
  const pad = { l: 26, r: 6, t: 8, b: 18 };
  let range = 1;
  for (let d = 0; d < k; d++) range = Math.max(range, Math.abs(mean[d]!));
  range = Math.ceil(range * 2) / 2;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart bars', 'aria-label': label });
  svg.append(s('title', {}, label));
  const defs = s('defs', {});
  const pat = s('pattern', { id: `hatch-${Math.random().toString(36).slice(2)}`, width: 4, height: 4, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pat.append(s('rect', { width: 4, height: 4, fill: '#e6e6e6' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 4, stroke: '#9a9a9a', 'stroke-width': 1.5 }));
  defs.append(pat);
  svg.append(defs);
  const y = (v: number): number => pad.t + ((range - v) / (2 * range)) * (H - pad.t - pad.b);
  for (const v of [range, 0, -range]) {
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
    svg.append(s('text', { x: pad.l - 4, y: y(v) + 3, class: 'tick', 'text-anchor': 'end' }, v === 0 ? '0' : v.toFixed(1)));
  }
  const bw = (W - pad.l - pad.r) / k;
  for (let d = 0; d < k; d++) {
    const v = mean[d]!;
    const active = variances ? variances[d]! > ACTIVE_THRESHOLD : null;
    const top = y(Math.max(v, 0));
    const h = Math.max(1, Math.abs(y(v) - y(0)));
    const cls = active === null ? 'bar' : active ? 'bar active' : 'bar inactive';
    const rect = s('rect', { x: pad.l + d * bw + bw * 0.12, y: top, width: bw * 0.76, height: h, class: cls });
    if (active === false) rect.setAttribute('fill', `url(#${pat.id})`);
    rect.append(s('title', {}, `z${d}: ${v.toFixed(3)}${active === null ? '' : active ? ' (active)' : ' (inactive)'}`));
    svg.append(rect);
    if (k <= 32 && (d % (k > 16 ? 4 : 1) === 0)) svg.append(s('text', { x: pad.l + (d + 0.5) * bw, y: H - 5, class: 'tick', 'text-anchor': 'middle' }, String(d)));
  }
  return svg;
}

/**
 * Scatter of the map's test means (coloured by class) with `point` (the typed sentence, projected)
 * as a star, and an optional `path` (interpolation) as a line. Axes: the two principal components.
 */
export function latentMap(map: MapData, point: [number, number] | null, label: string, path: [number, number][] = []): SVGSVGElement {
  const W = 320;
  const H = 240;
  const pad = 10;
  const all = [...map.coords, ...(point ? [point] : []), ...path];
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of all) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const sx = (W - 2 * pad) / (x1 - x0 || 1);
  const sy = (H - 2 * pad) / (y1 - y0 || 1);
  const X = (x: number): number => pad + (x - x0) * sx;
  const Y = (y: number): number => H - pad - (y - y0) * sy;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart map', 'aria-label': label });
  svg.append(s('title', {}, label), s('rect', { x: 0, y: 0, width: W, height: H, class: 'frame' }));
  map.coords.forEach(([x, y], i) => {
    svg.append(s('circle', { cx: X(x), cy: Y(y), r: 2.4, fill: PALETTE[map.labels[i]! % PALETTE.length]!, class: 'pt' }));
  });
  if (path.length > 1) {
    svg.append(s('polyline', { points: path.map(([x, y]) => `${X(x)},${Y(y)}`).join(' '), class: 'path' }));
    path.forEach(([x, y], i) => svg.append(s('circle', { cx: X(x), cy: Y(y), r: i === 0 || i === path.length - 1 ? 5 : 3, class: i === 0 ? 'path-start' : 'path-pt' })));
  }
  if (point) {
    const [cx, cy] = [X(point[0]), Y(point[1])];
    const star = Array.from({ length: 10 }, (_, i) => {
      const r = i % 2 ? 3.5 : 8.5;
      const a = (Math.PI / 5) * i - Math.PI / 2;
      return `${cx + r * Math.cos(a)},${cy + r * Math.sin(a)}`;
    }).join(' ');
    svg.append(s('polygon', { points: star, class: 'star' }));
  }
  return svg;
}

/** Legend of map classes as HTML (wraps on narrow screens). */
export function mapLegend(map: MapData): HTMLElement {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  map.classes.forEach((c, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = PALETTE[i % PALETTE.length]!;
    li.append(sw, document.createTextNode(c));
    ul.append(li);
  });
  const me = document.createElement('li');
  me.innerHTML = '<span class="swatch star-swatch">★</span>your sentence';
  ul.append(me);
  return ul;
}
