import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ONNX = resolve(dirname(fileURLToPath(import.meta.url)), '../../onnx');

describe('onnx/ folder boundary', () => {
  it('the ONNX builder imports only core/ and protobufjs, so export/ and train/ may both use it', () => {
    const files = readdirSync(ONNX).filter((n) => n.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const src = readFileSync(join(ONNX, f), 'utf8');
      const specs = [...src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const s of specs) expect(s, `onnx/${f}`).toMatch(/^(\.\/|\.\.\/core\/|protobufjs$)/);
    }
  });
});
