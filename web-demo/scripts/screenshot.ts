/**
 * Screenshot of the web demo with the shipped models (README, docs/screenshots/demo-shipped-models.png):
 * builds the demo with `models/`, serves it, types a sentence in headless Chromium (WASM) and saves the page.
 *   npx tsx web-demo/scripts/screenshot.ts [--sentence "..."] [--out docs/screenshots/demo-shipped-models.png]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemo, launch, REPO, serveDemo } from '../../test/browser/harness.ts';

const { values } = parseArgs({ options: { sentence: { type: 'string', default: 'he looked at the old house and smiled .' }, out: { type: 'string', default: join(REPO, 'docs', 'screenshots', 'demo-shipped-models.png') } } });
const dist = mkdtempSync(join(tmpdir(), 'isovae-demo-shot-'));
try {
  await buildDemo(dist, join(REPO, 'models'));
  const server = await serveDemo(dist);
  const b = await launch('none');
  try {
    const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
    await page.goto(`${server.url}?ep=wasm`);
    await page.waitForFunction(() => window.isovaeDemo?.state().ready === true || window.isovaeDemo?.state().error != null, null, { timeout: 120_000 });
    const st = await page.evaluate(() => window.isovaeDemo!.state());
    if (st.error) throw new Error(`the demo did not start: ${st.error}`);
    await page.fill('#sentence', values.sentence!);
    await page.press('#sentence', 'Enter');
    await page.locator('#sentence').blur();
    // Both panes show a reconstruction once decoding is done.
    await page.waitForFunction(() => document.querySelectorAll('#rec-panes [data-testid="reconstruction"]').length === 2 &&
      Array.from(document.querySelectorAll('#rec-panes [data-testid="reconstruction"]')).every((e) => (e.textContent ?? '').trim() !== ''), null, { timeout: 60_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: values.out!, fullPage: true });
    const texts = await page.locator('#rec-panes [data-testid="reconstruction"]').allTextContents();
    console.log(`${values.out}: "${values.sentence}" -> ${texts.map((t) => `"${t}"`).join(' / ')}`);
  } finally {
    await b.close();
    await server.close();
  }
} finally {
  rmSync(dist, { recursive: true, force: true });
}
