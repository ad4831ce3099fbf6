/**
 * The isovae web demo: sets up onnxruntime-web (`?ep=auto|webgpu|wasm`, `?threads=N`), loads the
 * models listed in models/index.json (left: first IGP, right: first DGP by default; `?a=dir&b=dir`),
 * and wires the four panels: reconstruct, interpolate, sample, complete. Exposes `window.isovaeDemo`
 * (see hook.ts) for the end-to-end tests and the browser benchmark.
 */
import { latentMap } from './charts.ts';
import { byId, bytes, el, ms, notice } from './dom.ts';
import { EXAMPLES, INTERPOLATION_PAIRS, PREFIXES } from './examples.ts';
import { project } from './formats.ts';
import { installHook, type DemoState } from './hook.ts';
import { loadDemoModel, loadIndex, type DemoModel } from './models.ts';
import { parseDtypeChoice, pickDtype } from './dtype.ts';
import { setupOrt, type EpChoice } from './ort-setup.ts';
import { errorPane, listPane, reconPane, renderTimings, tokenCount, type Timings } from './view.ts';

const params = new URLSearchParams(location.search);
const epParam = params.get('ep');
const choice: EpChoice = epParam === 'webgpu' || epParam === 'wasm' ? epParam : 'auto';
const dtypeChoice = parseDtypeChoice(params.get('dtype'));
const threadsParam = params.get('threads') ? Math.max(1, Number.parseInt(params.get('threads')!, 10) || 1) : null;

const state: DemoState = { ready: false, error: null, provider: '', threads: 1, models: new Map(), panes: [], startedAt: performance.now() };
installHook(state);
const timings: Timings = new Map();

const progress = byId<HTMLProgressElement>('progress');
const progressText = byId('progress-text');
function setProgress(text: string, loaded: number, total: number): void {
  progressText.textContent = text;
  if (total > 0) progress.value = Math.min(1, loaded / total);
  else progress.removeAttribute('value'); // indeterminate
}

function time(step: string, title: string, value: string): void {
  if (!timings.has(step)) timings.set(step, new Map());
  timings.get(step)!.set(title, value);
  const provider = byId('provider').textContent ?? '';
  renderTimings(byId<HTMLTableElement>('timings'), timings, state.panes.map((p) => p.entry.title), provider);
}

/** Run `fn` on each pane's model (failed panes keep their error) and show the results in `target`. */
async function eachPane(target: string, fn: (m: DemoModel) => Promise<HTMLElement>): Promise<void> {
  const box = byId(target);
  box.setAttribute('aria-busy', 'true');
  // One pane after the other: onnxruntime-web's WebGPU build (asyncify) must not run two sessions at
  // once (overlapping runs corrupt its memory), and sequential runs keep the timings honest.
  const out: HTMLElement[] = [];
  for (const p of state.panes) {
    if (!p.model) {
      out.push(errorPane(p.entry.title, p.error ?? 'not loaded'));
      continue;
    }
    try {
      out.push(await fn(p.model));
    } catch (e) {
      out.push(errorPane(p.entry.title, (e as Error).message));
    }
  }
  box.replaceChildren(...out);
  box.removeAttribute('aria-busy');
}

async function reconstruct(text: string): Promise<void> {
  await eachPane('rec-panes', async (m) => {
    const t0 = performance.now();
    const enc = await m.model.encode([text]);
    const t1 = performance.now();
    const [decoded] = await m.model.decode(enc.mean);
    const t2 = performance.now();
    const tokens = tokenCount([decoded!]);
    time('encode (1 sentence)', m.entry.title, ms(t1 - t0));
    time('greedy decode', m.entry.title, `${ms(t2 - t1)} / ${tokens} tok = ${ms((t2 - t1) / Math.max(1, tokens))}/tok`);
    return reconPane(m, { input: text, mean: enc.mean, logvar: enc.logvar, decoded: decoded!, encodeMs: t1 - t0, decodeMs: t2 - t1 });
  });
}

async function interpolate(a: string, b: string, steps: number): Promise<void> {
  await eachPane('int-panes', async (m) => {
    const t0 = performance.now();
    const { z, decoded } = await m.model.interpolate(a, b, { steps });
    const dt = performance.now() - t0;
    time(`interpolate (${steps} points)`, m.entry.title, ms(dt));
    const rows = decoded.map((d, i) => ({ label: `t = ${(i / (steps - 1)).toFixed(2)}`, text: d.text, cls: i === 0 || i === steps - 1 ? 'end' : '' }));
    const pane = listPane(m, rows, `${steps} points encoded + decoded in ${ms(dt)}`);
    const k = m.model.latentDim;
    const path = decoded.map((_, i) => (m.map ? project(m.map, z.subarray(i * k, (i + 1) * k)) : null));
    if (m.map && path.every((p) => p !== null)) {
      const fig = el('figure', { class: 'small-map' }, latentMap(m.map, null, `Interpolation path over the map of ${m.entry.title}`, path as [number, number][]), el('figcaption', {}, 'The path from the first sentence (t = 0, ○) to the second (●) over the map of test means.'));
      pane.insertBefore(fig, pane.querySelector('.timing'));
    }
    return pane;
  });
}

async function sample(seed: number, n: number): Promise<void> {
  await eachPane('sample-panes', async (m) => {
    const t0 = performance.now();
    const decoded = await m.model.decode(m.model.sample(n, { seed }));
    const dt = performance.now() - t0;
    time(`sample (${n} sentences)`, m.entry.title, ms(dt));
    return listPane(m, decoded.map((d, i) => ({ label: `#${i + 1}`, text: d.text })), `${n} samples (seed ${seed}, ${tokenCount(decoded)} tokens) in ${ms(dt)}`);
  });
}

async function complete(prefix: string): Promise<void> {
  await eachPane('imp-panes', async (m) => {
    const t0 = performance.now();
    const [d] = await m.model.impute([prefix]);
    const dt = performance.now() - t0;
    time('complete prefix', m.entry.title, ms(dt));
    const words = m.model.tokenize(prefix).length;
    const given = d!.words.slice(0, words).join(' ');
    const added = d!.words.slice(words).join(' ');
    const pane = listPane(m, [{ label: 'completion', text: '' }], `z from the prefix, teacher-forced, then greedy: ${ms(dt)}`);
    const out = pane.querySelector('.out')!;
    out.replaceChildren(el('span', { class: 'given' }, given), ' ', el('strong', { class: 'added' }, added));
    return pane;
  });
}

function wireForms(): void {
  const input = byId<HTMLInputElement>('sentence');
  byId('rec-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void reconstruct(input.value);
  });
  const chips = byId('examples');
  for (const ex of EXAMPLES) {
    const b = el('button', { type: 'button', class: 'chip' }, ex);
    b.addEventListener('click', () => {
      input.value = ex;
      void reconstruct(ex);
    });
    chips.append(b);
  }
  const [a, b] = INTERPOLATION_PAIRS[0]!;
  byId<HTMLInputElement>('int-a').value = a;
  byId<HTMLInputElement>('int-b').value = b;
  byId('int-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const steps = Math.min(12, Math.max(2, Number.parseInt(byId<HTMLInputElement>('int-steps').value, 10) || 5));
    void interpolate(byId<HTMLInputElement>('int-a').value, byId<HTMLInputElement>('int-b').value, steps);
  });
  byId('sample-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const seed = Number.parseInt(byId<HTMLInputElement>('seed').value, 10) || 0;
    const n = Math.min(20, Math.max(1, Number.parseInt(byId<HTMLInputElement>('sample-n').value, 10) || 5));
    void sample(seed, n);
  });
  byId<HTMLInputElement>('prefix').value = PREFIXES[0]!;
  byId('imp-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void complete(byId<HTMLInputElement>('prefix').value);
  });
  const ep = byId<HTMLSelectElement>('ep');
  ep.value = choice;
  // onnxruntime's backend and thread count are fixed once a session exists: switching reloads the page.
  ep.addEventListener('change', () => {
    params.set('ep', ep.value);
    location.search = params.toString();
  });
  const dtypeSel = byId<HTMLSelectElement>('dtype');
  dtypeSel.value = dtypeChoice;
  dtypeSel.addEventListener('change', () => {
    params.set('dtype', dtypeSel.value);
    location.search = params.toString();
  });
}

async function main(): Promise<void> {
  wireForms();
  const index = await loadIndex();
  const setup = await setupOrt(choice, threadsParam, (l, t) => setProgress(`Downloading onnxruntime-web ${bytes(l)}${t ? ` / ${bytes(t)}` : ''}`, l, t));
  for (const n of setup.notes) notice(choice === 'webgpu' ? 'warn' : 'info', n);
  state.threads = setup.threads;
  // Pane picks: ?a= / ?b=, else the first IGP and the first DGP entries (the index lists IGP first).
  const entries = index.models;
  const pickA = entries.find((e) => e.dir === params.get('a')) ?? entries[0]!;
  const pickB = entries.find((e) => e.dir === params.get('b')) ?? entries.find((e) => e !== pickA && /dgp|diag/i.test(e.dir + e.title)) ?? entries.find((e) => e !== pickA);
  const picks = pickB ? [pickA, pickB] : [pickA];
  for (const [i, id] of ['model-a', 'model-b'].entries()) {
    const sel = byId<HTMLSelectElement>(id);
    sel.replaceChildren(...entries.map((e) => el('option', { value: e.dir }, e.title)));
    sel.value = picks[i]?.dir ?? '';
    sel.disabled = entries.length < 2 && i === 1;
    sel.addEventListener('change', () => {
      params.set(i === 0 ? 'a' : 'b', sel.value);
      location.search = params.toString();
    });
  }
  state.panes = picks.map((entry) => ({ entry, model: null, error: null }));
  const backend = { webgpu: setup.providers[0] === 'webgpu', f16: setup.f16 };
  for (const pane of state.panes) {
    try {
      const pick = pickDtype(dtypeChoice, backend, pane.entry.dtypes, pane.entry.int8Scheme);
      if (pick.note) notice(dtypeChoice === 'auto' ? 'info' : 'warn', `${pane.entry.title}: ${pick.note}`);
      const m = await loadDemoModel(pane.entry, setup, pick.dtype, (p) => setProgress(`Loading ${pane.entry.title}: ${p.file} ${bytes(p.loaded)}`, p.loaded, p.total));
      pane.model = m;
      state.models.set(pane.entry.dir, m);
      for (const w of m.warnings) notice('warn', w);
      if (m.mapError) notice('warn', `${pane.entry.title}: ${m.mapError}`);
    } catch (e) {
      pane.error = (e as Error).message;
      notice('error', `${pane.entry.title} failed to load: ${pane.error}`);
    }
  }
  const loaded = state.panes.flatMap((p) => (p.model ? [p.model] : []));
  if (loaded.length === 0) throw new Error('no model could be loaded (see the messages above).');
  const provider = loaded[0]!.model.provider;
  state.provider = provider;
  const dtypes = [...new Set(loaded.map((m) => m.dtype))].join(' / ');
  byId('provider').textContent = `${provider === 'webgpu' ? 'WebGPU' : `WASM · ${setup.threads} thread${setup.threads > 1 ? 's' : ''}`} · ${dtypes}`;
  if (choice === 'webgpu' && provider !== 'webgpu') notice('warn', 'WebGPU was requested but the models run on WASM (see above).');
  for (const m of loaded) time('load (download/cache + sessions)', m.entry.title, ms(m.loadMs));
  // Warm-up: the first runs allocate buffers (and compile shaders on WebGPU); shown apart from warm timings.
  for (const m of loaded) {
    const t0 = performance.now();
    await m.model.decode((await m.model.encode([EXAMPLES[0]!])).mean, { maxLen: 2 });
    time('first run (warm-up)', m.entry.title, ms(performance.now() - t0));
  }
  byId('loading').hidden = true;
  byId<HTMLInputElement>('sentence').value = EXAMPLES[0]!;
  // ?run=0: load only (the benchmark measures cold loads and runs its own workload).
  if (params.get('run') === '0') {
    state.ready = true;
    return;
  }
  await reconstruct(EXAMPLES[0]!);
  await interpolate(...INTERPOLATION_PAIRS[0]!, 5);
  await sample(1, 5);
  await complete(PREFIXES[0]!);
  state.ready = true;
}

main().catch((e: unknown) => {
  state.error = (e as Error).message;
  byId('loading').hidden = true;
  byId('provider').textContent = 'not running';
  notice('error', (e as Error).message);
});
