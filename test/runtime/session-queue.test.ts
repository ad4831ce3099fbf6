import { describe, expect, it } from 'vitest';
import { GraphSession, sharedRunQueue } from '../../runtime/session.ts';
import type { OrtSession } from '../../runtime/types.ts';

/** A fake session whose run takes a few ms and records how many runs were in flight at once. */
function fakeSession(log: { active: number; maxActive: number }): OrtSession {
  return {
    run: async () => {
      log.active++;
      log.maxActive = Math.max(log.maxActive, log.active);
      await new Promise((r) => setTimeout(r, 3));
      log.active--;
      return {};
    },
    release: async () => {},
    inputNames: [],
    outputNames: [],
  } as unknown as OrtSession;
}

describe('run queues', () => {
  it('sessions sharing the queue of one onnxruntime module never overlap; separate queues may', async () => {
    const ortModule = {};
    for (const shared of [true, false]) {
      const log = { active: 0, maxActive: 0 };
      const q = shared ? sharedRunQueue(ortModule) : undefined;
      const a = new GraphSession('a', fakeSession(log), [], [], {}, q);
      const b = new GraphSession('b', fakeSession(log), [], [], {}, q);
      await Promise.all([a.run({}, []), b.run({}, []), a.run({}, []), b.run({}, [])]);
      expect(log.maxActive).toBe(shared ? 1 : 2);
    }
    expect(sharedRunQueue(ortModule)).toBe(sharedRunQueue(ortModule));
  });
});
