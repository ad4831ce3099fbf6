/**
 * Rendering of the demo's result panes: one pane per model (left / right), for reconstruction (with
 * the latent bar chart and the map), interpolation, sampling and completion; and the timings table.
 */
import type { Decoded } from '../../runtime/web.ts';
import { latentBars, latentMap, mapLegend } from './charts.ts';
import { el, ms } from './dom.ts';
import { ACTIVE_THRESHOLD, project } from './formats.ts';
import type { DemoModel } from './models.ts';

/** Short description of a model: posterior, K, H, V and the weight precision loaded. */
export function modelMeta(m: DemoModel): string {
  const c = m.model.config;
  const kind = c.posterior === 'iso' ? 'isotropic (IGP)' : c.posterior === 'diag' ? 'diagonal (DGP)' : 'autoencoder';
  return `${kind} · K ${c.latentDim} · H ${c.hiddenDim} · V ${c.vocabSize.toLocaleString('en')} · ${m.dtype} weights`;
}

/** A pane header: model title and meta line. */
export function paneHead(m: DemoModel): HTMLElement {
  return el('header', { class: 'pane-head' }, el('h3', {}, m.entry.title), el('p', { class: 'meta' }, modelMeta(m)));
}

/** A pane that says the model failed to load. */
export function errorPane(title: string, message: string): HTMLElement {
  return el('article', { class: 'pane failed' }, el('header', { class: 'pane-head' }, el('h3', {}, title)), el('p', { class: 'notice error', role: 'alert' }, `Could not load this model: ${message}`));
}

/** Tokens produced by greedy decoding, the `<eos>` step included when emitted. */
export function tokenCount(rows: readonly Decoded[]): number {
  return rows.reduce((a, r) => a + r.ids.length + (r.finished ? 1 : 0), 0);
}

export interface ReconResult {
  input: string;
  mean: Float32Array;
  logvar: Float32Array | null;
  decoded: Decoded;
  encodeMs: number;
  decodeMs: number;
}

/** The reconstruction pane: text, bar chart of the mean, map with the sentence, timings. */
export function reconPane(m: DemoModel, r: ReconResult): HTMLElement {
  const k = m.model.latentDim;
  const normIn = m.model.tokenize(r.input).join(' ');
  const exact = normIn === r.decoded.text;
  const variances = m.map?.variances ?? null;
  const au = variances ? variances.filter((v) => v > ACTIVE_THRESHOLD).length : null;
  const sigma2 = r.logvar ? Math.exp(r.logvar[0]!) : null;
  const meanSigma2 = r.logvar ? Array.from(r.logvar, Math.exp).reduce((a, v) => a + v, 0) / r.logvar.length : null;
  const tokens = tokenCount([r.decoded]);
  const capBits = [
    au === null ? 'active units unknown (no map.json)' : `${au}/${k} active units (solid; variance of test means > ${ACTIVE_THRESHOLD})`,
    m.model.config.posterior === 'iso' && sigma2 !== null ? `σ² = ${sigma2.toPrecision(3)} shared by all dims` : '',
    m.model.config.posterior === 'diag' && meanSigma2 !== null ? `σ² per dim, mean ${meanSigma2.toPrecision(3)}` : '',
  ].filter(Boolean);
  const pane = el('article', { class: 'pane', 'data-model': m.entry.dir },
    paneHead(m),
    el('p', { class: 'recon' },
      el('span', { class: 'label' }, 'reconstruction'),
      el('q', { class: 'out', 'data-testid': 'reconstruction' }, r.decoded.text || '(empty)'),
      el('span', { class: exact ? 'tag ok' : 'tag' }, exact ? 'exact' : r.decoded.finished ? 'differs' : 'no <eos>'),
    ),
    el('figure', {}, latentBars(r.mean, variances, `Latent mean of "${r.input}" under ${m.entry.title}`), el('figcaption', {}, `μ per latent dimension. ${capBits.join('; ')}.`)),
  );
  if (m.map) {
    const pt = project(m.map, r.mean);
    const cap = pt ? 'Test-set means (PCA); ★ your sentence.' : 'Test-set means (2-D map without a projection: the sentence cannot be placed).';
    pane.append(el('figure', {}, latentMap(m.map, pt, `Map of test means under ${m.entry.title}`), mapLegend(m.map), el('figcaption', {}, cap)));
  } else {
    pane.append(el('p', { class: 'fine' }, m.mapError ? `map.json unusable: ${m.mapError}` : 'No map.json for this model: the 2-D map is not shown.'));
  }
  pane.append(el('p', { class: 'timing' }, `encode ${ms(r.encodeMs)} · decode ${tokens} tokens in ${ms(r.decodeMs)} (${ms(r.decodeMs / Math.max(1, tokens))}/token)`));
  return pane;
}

/** A pane with a list of decoded sentences, e.g. interpolation steps or samples. */
export function listPane(m: DemoModel, rows: readonly { label: string; text: string; cls?: string }[], timing: string): HTMLElement {
  const ol = el('ol', { class: 'sentences' });
  for (const r of rows) ol.append(el('li', r.cls ? { class: r.cls } : {}, el('span', { class: 'label' }, r.label), el('span', { class: 'out' }, r.text || '(empty)')));
  return el('article', { class: 'pane', 'data-model': m.entry.dir }, paneHead(m), ol, el('p', { class: 'timing' }, timing));
}

/** Rows of the timings table: step name -> model title -> ms. */
export type Timings = Map<string, Map<string, string>>;

/** Render the timings table (steps down, models across). */
export function renderTimings(table: HTMLTableElement, timings: Timings, titles: readonly string[], provider: string): void {
  table.replaceChildren(el('caption', { class: 'sr-only' }, 'Wall time of each step per model'));
  const head = el('tr', {}, el('th', { scope: 'col' }, `step (${provider})`), ...titles.map((t) => el('th', { scope: 'col' }, t)));
  table.append(el('thead', {}, head));
  const body = el('tbody', {});
  for (const [step, row] of timings) body.append(el('tr', {}, el('th', { scope: 'row' }, step), ...titles.map((t) => el('td', {}, row.get(t) ?? '–'))));
  table.append(body);
}
