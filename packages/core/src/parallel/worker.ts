/** Worker side of DataParallel: builds its shard's task, then serves gradient requests. */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { Rng, type RngState } from '../rng.ts';
import { combineRunStates, EMPTY_RUN_STATE, partOfRunState, type RunState } from '../train/run_state.ts';
import { SHARED_LAYOUT, type TaskFactory } from './data_parallel.ts';

const { GEN, DONE, ERROR, STOP, STEP, PHASE, CMD, CAPTURE, RESTORE, MAX_TERMS, EXITED } = SHARED_LAYOUT;

async function main() {
  const { moduleUrl, config, shard, backend, shared, total } = workerData;
  const statePort = workerData.statePort as MessagePort;
  const ctrl = new Int32Array(shared.ctrl);
  const params = new Float32Array(shared.params);
  const grads = new Float32Array(shared.grads).subarray((shard.index - 1) * total, shard.index * total);
  const terms = new Float32Array(shared.terms).subarray(
    (shard.index - 1) * MAX_TERMS,
    shard.index * MAX_TERMS,
  );
  const weights = new Float32Array(shared.weights);
  // A worker that dies without throwing into our catch (process.exit in user code, an uncaught
  // error in a callback) still runs 'exit' handlers: raise ERROR so the main thread, blocked in
  // Atomics.wait and deaf to the worker's 'exit' event, stops waiting instead of hanging.
  process.on('exit', (code) => {
    if (Atomics.load(ctrl, STOP) !== 0 || Atomics.load(ctrl, ERROR) !== 0) return;
    Atomics.store(ctrl, ERROR, EXITED + (code & 0xff));
    Atomics.notify(ctrl, DONE);
  });
  try {
    await initBackend({ backend });
    const factory = (await import(moduleUrl)).createTask as TaskFactory;
    const task = await factory(config, shard);
    const vars = task.model
      .parameters()
      .filter((p) => p.variable.trainable)
      .map((p) => p.variable);
    const n = vars.reduce((s, v) => s + v.size, 0);
    let rng = new Rng(shard.index);
    // Read the generation before announcing readiness: the main thread may post the first
    // request as soon as it hears 'ready', and a generation read after that would miss it.
    let gen = Atomics.load(ctrl, GEN);
    parentPort?.postMessage({ ready: true, total: n });
    for (;;) {
      Atomics.wait(ctrl, GEN, gen);
      gen = Atomics.load(ctrl, GEN);
      if (Atomics.load(ctrl, STOP) !== 0) return;
      const cmd = Atomics.load(ctrl, CMD);
      if (cmd === CAPTURE || cmd === RESTORE) {
        // Checkpoint traffic: the state travels over the state port (structured clone), the
        // control words only say when it is there.
        if (cmd === CAPTURE) {
          const own: RunState = { json: { state: rng.state() }, arrays: {} };
          const taskState = task.state?.captureState() ?? EMPTY_RUN_STATE;
          statePort.postMessage(combineRunStates({ rng: own, task: taskState }));
        } else {
          const got = receiveMessageOnPort(statePort);
          if (!got) throw new Error('DataParallel worker: no state on the state port to restore');
          const st = got.message as RunState;
          const saved = partOfRunState(st, 'rng').json.state;
          if (saved !== undefined) rng = Rng.fromState(saved as RngState);
          task.state?.restoreState(partOfRunState(st, 'task'));
        }
        Atomics.add(ctrl, DONE, 1);
        Atomics.notify(ctrl, DONE);
        continue;
      }
      let off = 0;
      for (const v of vars) {
        const t = tf.tensor(params.subarray(off, off + v.size), v.shape);
        v.assign(t);
        t.dispose();
        off += v.size;
      }
      const ctx = {
        step: Atomics.load(ctrl, STEP),
        phase: Atomics.load(ctrl, PHASE) === 0 ? ('adam' as const) : ('lbfgs' as const),
        rng,
      };
      task.prepare?.(ctx);
      let stacked: tf.Tensor1D | null = null;
      const { value, grads: g } = tf.variableGrads(() => {
        const ts = Object.values(task.loss(ctx));
        stacked = tf.keep(tf.stack(ts)) as tf.Tensor1D;
        return tf.sum(tf.mul(stacked as tf.Tensor1D, tf.tensor1d(weights.subarray(0, ts.length))));
      }, vars);
      terms.set((stacked as unknown as tf.Tensor1D).dataSync() as Float32Array);
      (stacked as unknown as tf.Tensor1D).dispose();
      value.dispose();
      off = 0;
      for (const v of vars) {
        grads.set(g[v.name].dataSync() as Float32Array, off);
        g[v.name].dispose();
        off += v.size;
      }
      Atomics.add(ctrl, DONE, 1);
      Atomics.notify(ctrl, DONE);
    }
  } catch (e) {
    Atomics.store(ctrl, ERROR, 1);
    Atomics.notify(ctrl, DONE);
    parentPort?.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
}

void main();
