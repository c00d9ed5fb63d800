import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test/setup-backend.ts';
import { Mlp } from '../nn/mlp.ts';
import { Rng } from '../rng.ts';
import { type CheckpointData, latestCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { combineRunStates, partOfRunState } from './run_state.ts';

function data(step: number): CheckpointData {
  return {
    step,
    rng: new Rng(step).state(),
    termNames: ['residual'],
    history: { loss: [1, 0.5], terms: { residual: [1, 0.5] } },
    adam: { kind: 'adam', version: 1, step, m: [0, 0], v: [0, 0], shapes: [[2]] },
  };
}

describe('checkpoint directory', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'pinnate-ckpt-'));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('LATEST names the newest checkpoint and only `keep` folders stay', async () => {
    const dir = tmp();
    const model = new Mlp({ sizes: [1, 4, 1] }, new Rng(0));
    for (const step of [10, 20, 30]) await writeCheckpoint(dir, model, data(step), 2);
    expect(basename((await latestCheckpoint(dir))!)).toBe('ckpt-000030');
    await expect(latestCheckpoint(join(dir, 'missing'))).resolves.toBeNull();
  });

  it('falls back to the newest complete folder when the one LATEST names is gone or incomplete', async () => {
    const dir = tmp();
    const model = new Mlp({ sizes: [1, 4, 1] }, new Rng(0));
    await writeCheckpoint(dir, model, data(10), 3);
    await writeCheckpoint(dir, model, data(20), 3);
    await writeCheckpoint(dir, model, data(30), 3);
    // A crash between removing ckpt-30 (being rewritten) and renaming its replacement in place.
    rmSync(join(dir, 'ckpt-000030'), { recursive: true });
    expect(basename((await latestCheckpoint(dir))!)).toBe('ckpt-000020');
    // A folder without state.json (written last) is incomplete and skipped.
    renameSync(join(dir, 'ckpt-000020', 'state.json'), join(dir, 'ckpt-000020', 'state.partial'));
    const folder = (await latestCheckpoint(dir))!;
    expect(basename(folder)).toBe('ckpt-000010');
    expect((await readCheckpoint(folder, model)).step).toBe(10);
    // Without LATEST the scan still finds it; with nothing complete, null.
    rmSync(join(dir, 'LATEST'));
    expect(basename((await latestCheckpoint(dir))!)).toBe('ckpt-000010');
    rmSync(join(dir, 'ckpt-000010', 'state.json'));
    writeFileSync(join(dir, 'LATEST'), 'ckpt-000010');
    await expect(latestCheckpoint(dir)).resolves.toBeNull();
  });

  it("carries the run's other state (RunState parts) through write and read exactly", async () => {
    const dir = tmp();
    const model = new Mlp({ sizes: [1, 4, 1] }, new Rng(0));
    const points = Float64Array.from({ length: 7 }, (_, i) => Math.PI * i - 1e-17);
    const extra = combineRunStates({
      pinn: {
        json: { rng: new Rng(9).state(), groups: [{ name: 'domain', n: 7 }] },
        arrays: { points0: points },
      },
      parallel: combineRunStates({
        shard1: { json: { lastResample: 4 }, arrays: { x: new Float64Array(0) } },
      }),
    });
    await writeCheckpoint(dir, model, { ...data(5), extra }, 2);
    const back = (await readCheckpoint((await latestCheckpoint(dir))!, model)).extra!;
    expect(back).toEqual(extra);
    expect(partOfRunState(back, 'pinn').arrays.points0).toEqual(points);
    expect(partOfRunState(partOfRunState(back, 'parallel'), 'shard1').json).toEqual({ lastResample: 4 });
    // A checkpoint without it reads back without it.
    await writeCheckpoint(dir, model, data(6), 2);
    expect((await readCheckpoint((await latestCheckpoint(dir))!, model)).extra).toBeUndefined();
  });
});
