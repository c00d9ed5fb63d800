/**
 * State a run keeps outside the model, the optimizer and the trainer's RNG — point sets redrawn
 * during training, the generators that redraw them, adaptive loss weights — which a checkpoint
 * must hold for a resumed run to continue exactly where it stopped. Anything that owns such state
 * implements `Resumable`; the trainer writes what `captureState` returns into its checkpoints
 * (`extra.npz` for the arrays, `state.json` for the rest) and hands it back on resume.
 */

/** JSON-serializable values plus float64 arrays (point sets are float64 on the host). */
export interface RunState {
  readonly json: Readonly<Record<string, unknown>>;
  readonly arrays: Readonly<Record<string, Float64Array>>;
}

export interface Resumable {
  captureState(): RunState;
  restoreState(state: RunState): void;
}

export const EMPTY_RUN_STATE: RunState = { json: {}, arrays: {} };

/** Several states in one, each under `<name>/` (names must not contain '/'). */
export function combineRunStates(parts: Readonly<Record<string, RunState>>): RunState {
  const json: Record<string, unknown> = {};
  const arrays: Record<string, Float64Array> = {};
  for (const [name, s] of Object.entries(parts)) {
    if (name.includes('/')) throw new Error(`combineRunStates: part name '${name}' must not contain '/'`);
    for (const [k, v] of Object.entries(s.json)) json[`${name}/${k}`] = v;
    for (const [k, v] of Object.entries(s.arrays)) arrays[`${name}/${k}`] = v;
  }
  return { json, arrays };
}

/** The part `name` of a combined state (empty when the checkpoint has none). */
export function partOfRunState(state: RunState, name: string): RunState {
  const prefix = `${name}/`;
  const pick = <T>(o: Readonly<Record<string, T>>): Record<string, T> =>
    Object.fromEntries(
      Object.entries(o)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  return { json: pick(state.json), arrays: pick(state.arrays) };
}
