import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVE = resolve(dirname(fileURLToPath(import.meta.url)), '../../serve');

describe('serve/ folder boundary', () => {
  it('the server imports only runtime/, core/, node: modules and prom-client (never train/, export/ or tfjs)', () => {
    const files = readdirSync(SERVE).filter((n) => n.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const src = readFileSync(join(SERVE, f), 'utf8');
      const specs = [...src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const s of specs) expect(s, `serve/${f}`).toMatch(/^(\.\/[\w-]+\.ts|\.\.\/runtime\/[\w-]+\.ts|\.\.\/core\/[\w-]+\.ts|node:[\w/]+|prom-client)$/);
    }
  });
});
