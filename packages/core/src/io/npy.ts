/**
 * NumPy `.npy` format (versions 1.0, 2.0 and 3.0) on plain bytes.
 *
 * Format: magic `\x93NUMPY`, major/minor version bytes, a little-endian header length
 * (uint16 for v1, uint32 for v2/v3), then an ASCII (v3: UTF-8) Python dict literal
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a
 * final newline so the data starts on a 64-byte boundary, then the raw array bytes.
 *
 * No tfjs and no Node dependency here: everything works on `Uint8Array`/`ArrayBuffer`, so the
 * module runs in browsers. Node file helpers load `node:fs` lazily. `.npz` lives in `npz.ts`
 * and is re-exported at the bottom of this file so `@pinnate/core/npy` reaches both.
 */

export type NpyDType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool';

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** An n-d array as stored in a `.npy` file. `data` is laid out in `order`. */
export interface NpyArray {
  readonly dtype: NpyDType;
  readonly shape: readonly number[];
  readonly data: NpyData;
  /** 'C': last index varies fastest (row-major); 'F': first index fastest (column-major). */
  readonly order: 'C' | 'F';
}

/** What `serializeNpy` accepts: dtype defaults from the typed array (Uint8Array → 'uint8'). */
export interface NpyInput {
  readonly data: NpyData | readonly number[];
  readonly shape: readonly number[];
  readonly dtype?: NpyDType;
  readonly order?: 'C' | 'F';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DTypeInfo {
  readonly descr: string;
  readonly size: number;
}

const DTYPES: Record<NpyDType, DTypeInfo> = {
  float32: { descr: '<f4', size: 4 },
  float64: { descr: '<f8', size: 8 },
  int32: { descr: '<i4', size: 4 },
  int64: { descr: '<i8', size: 8 },
  uint8: { descr: '|u1', size: 1 },
  bool: { descr: '|b1', size: 1 },
};

/** Maps a descr's kind+size (byte order stripped) to our dtype. */
function dtypeFromDescr(descr: string): { dtype: NpyDType; bigEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m)
    throw new Error(
      `parseNpy: unsupported descr ${JSON.stringify(descr)} (structured dtypes are not supported)`,
    );
  const [, endian, kind, sizeStr] = m;
  const size = Number(sizeStr);
  // '=' means native order of the writer; NumPy normalises it to '<' or '>' when saving.
  const bigEndian = endian === '>';
  const key = `${kind}${size}`;
  const table: Record<string, NpyDType> = {
    f4: 'float32',
    f8: 'float64',
    i4: 'int32',
    i8: 'int64',
    u1: 'uint8',
    b1: 'bool',
  };
  const dtype = table[key];
  if (!dtype) {
    throw new Error(
      `parseNpy: dtype ${JSON.stringify(descr)} is not supported; supported: float32, float64, int32, int64, uint8, bool`,
    );
  }
  return { dtype, bigEndian };
}

function parseHeaderDict(header: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) {
    throw new Error(`parseNpy: malformed header ${JSON.stringify(header.trim())}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, '')); // Python 2 writers append L to longs
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`parseNpy: bad shape entry ${JSON.stringify(s)} in header`);
      return v;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function toBytes(input: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new Error(`parseNpy: 'bytes' must be an ArrayBuffer or Uint8Array, got ${typeof input}`);
}

function viewAs(dtype: NpyDType, bytes: Uint8Array, count: number, bigEndian: boolean): NpyData {
  const size = DTYPES[dtype].size;
  // Copy so the result owns an aligned buffer and never aliases the caller's bytes.
  // (Buffer.slice would alias, so copy explicitly.)
  const own = new Uint8Array(count * size);
  own.set(bytes.subarray(0, count * size));
  if (bigEndian && size > 1) {
    for (let i = 0; i < own.length; i += size) own.subarray(i, i + size).reverse();
  }
  switch (dtype) {
    case 'float32':
      return new Float32Array(own.buffer, 0, count);
    case 'float64':
      return new Float64Array(own.buffer, 0, count);
    case 'int32':
      return new Int32Array(own.buffer, 0, count);
    case 'int64':
      return new BigInt64Array(own.buffer, 0, count);
    case 'uint8':
    case 'bool':
      return own;
    default: {
      const never: never = dtype;
      throw new Error(`unreachable dtype ${never}`);
    }
  }
}

/** Reorders Fortran-ordered data of `shape` into C order (or back, with `toF`). */
export function transposeOrder<T extends NpyData>(data: T, shape: readonly number[], toF = false): T {
  const n = product(shape);
  const out = new (data.constructor as new (n: number) => T)(n);
  const nd = shape.length;
  if (nd <= 1) {
    out.set(data as never);
    return out;
  }
  // Strides of both layouts; walk the C index with an odometer to avoid div/mod per element.
  const cStride = new Array<number>(nd);
  const fStride = new Array<number>(nd);
  cStride[nd - 1] = 1;
  for (let d = nd - 2; d >= 0; d--) cStride[d] = cStride[d + 1] * shape[d + 1];
  fStride[0] = 1;
  for (let d = 1; d < nd; d++) fStride[d] = fStride[d - 1] * shape[d - 1];
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < n; c++) {
    if (toF) (out as NpyData)[f] = (data as NpyData)[c] as never;
    else (out as NpyData)[c] = (data as NpyData)[f] as never;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      f += fStride[d];
      if (idx[d] < shape[d]) break;
      f -= fStride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

export interface ParseNpyOptions {
  /** 'C' (default) converts Fortran-ordered files to C order; 'keep' returns the stored layout. */
  readonly order?: 'C' | 'keep';
}

/** Parses a `.npy` file's bytes. */
export function parseNpy(input: ArrayBuffer | ArrayBufferView, options: ParseNpyOptions = {}): NpyArray {
  const bytes = toBytes(input);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("parseNpy: 'bytes' is not a .npy file (missing \\x93NUMPY magic)");
  }
  const major = bytes[6];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('parseNpy: truncated header');
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
    headerStart = 12;
  } else {
    throw new Error(`parseNpy: unsupported format version ${major}.${bytes[7]} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new Error('parseNpy: truncated header');
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortranOrder, shape } = parseHeaderDict(header);
  const { dtype, bigEndian } = dtypeFromDescr(descr);
  const count = product(shape);
  const need = count * DTYPES[dtype].size;
  if (bytes.length - dataStart < need) {
    throw new Error(
      `parseNpy: file holds ${bytes.length - dataStart} data bytes but shape (${shape.join(', ')}) of ${dtype} needs ${need}`,
    );
  }
  const data = viewAs(dtype, bytes.subarray(dataStart), count, bigEndian);
  if (fortranOrder && (options.order ?? 'C') === 'C') {
    return { dtype, shape, data: transposeOrder(data, shape), order: 'C' };
  }
  return { dtype, shape, data, order: fortranOrder ? 'F' : 'C' };
}

function inferDType(data: NpyInput['data']): NpyDType {
  if (data instanceof Float64Array || Array.isArray(data)) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error(
    "serializeNpy: 'data' must be a Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array or number[]",
  );
}

function encodeData(dtype: NpyDType, data: NpyInput['data'], count: number): Uint8Array {
  const size = DTYPES[dtype].size;
  const out = new Uint8Array(count * size);
  const dv = new DataView(out.buffer);
  // DataView with explicit little-endian writes keeps the bytes identical on any host.
  for (let i = 0; i < count; i++) {
    const v = data[i];
    switch (dtype) {
      case 'float32':
        dv.setFloat32(i * 4, Number(v), true);
        break;
      case 'float64':
        dv.setFloat64(i * 8, Number(v), true);
        break;
      case 'int32':
        dv.setInt32(i * 4, Number(v), true);
        break;
      case 'int64':
        dv.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))), true);
        break;
      case 'uint8':
        out[i] = Number(v);
        break;
      case 'bool':
        out[i] = v ? 1 : 0;
        break;
      default: {
        const never: never = dtype;
        throw new Error(`unreachable dtype ${never}`);
      }
    }
  }
  return out;
}

/** Serialises an array to `.npy` bytes (version 1.0 when the header fits, else 2.0). */
export function serializeNpy(array: NpyInput): Uint8Array {
  const { data, shape } = array;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`serializeNpy: 'shape' must be non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const dtype = array.dtype ?? inferDType(data);
  if (!(dtype in DTYPES)) {
    throw new Error(
      `serializeNpy: 'dtype' must be one of ${Object.keys(DTYPES).join(', ')}, got ${JSON.stringify(dtype)}`,
    );
  }
  const order = array.order ?? 'C';
  if (order !== 'C' && order !== 'F')
    throw new Error(`serializeNpy: 'order' must be 'C' or 'F', got ${JSON.stringify(order)}`);
  const count = product(shape);
  if (data.length !== count) {
    throw new Error(
      `serializeNpy: 'data' has ${data.length} elements but 'shape' [${shape.join(', ')}] needs ${count}`,
    );
  }
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DTYPES[dtype].descr}', 'fortran_order': ${order === 'F' ? 'True' : 'False'}, 'shape': ${shapeStr}, }`;
  // Pad with spaces so magic + version + length + header is a multiple of 64 (NumPy >= 1.14).
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  let version = 1;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - prefix;
  const header = `${dict}${' '.repeat(headerLen - dict.length - 1)}\n`;
  const body = encodeData(dtype, data, count);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(body, total);
  return out;
}

/** Node only: reads a `.npy` file. */
export async function readNpyFile(path: string, options: ParseNpyOptions = {}): Promise<NpyArray> {
  const fs = await import('node:fs/promises');
  return parseNpy(await fs.readFile(path), options);
}

/** Node only: writes a `.npy` file. */
export async function writeNpyFile(path: string, array: NpyInput): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, serializeNpy(array));
}

export { crc32, parseNpz, readNpzFile, serializeNpz, writeNpzFile } from './npz.ts';
