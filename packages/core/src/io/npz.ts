/**
 * NumPy `.npz` archives: a zip file of `<name>.npy` members.
 *
 * Writing uses STORE (no compression), which is what `np.savez` does, with real CRC-32s and a
 * fixed DOS timestamp so equal arrays give equal bytes. Reading follows the central directory
 * (so data descriptors and Zip64 extra fields written by Python's zipfile are handled) and
 * accepts stored and deflated members (`np.savez_compressed`). Inflation uses `node:zlib` in
 * Node and `DecompressionStream('deflate-raw')` in browsers, hence the async API.
 */
import { type NpyArray, type NpyInput, type ParseNpyOptions, parseNpy, serializeNpy } from './npy.ts';

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable) return crcTable;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  crcTable = t;
  return t;
}

/** CRC-32 (IEEE 802.3, as in zip and zlib). */
export function crc32(bytes: Uint8Array): number {
  const t = table();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// 1980-01-01 00:00:00, the zip epoch: a constant keeps archives byte-reproducible.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/** Serialises named arrays to `.npz` bytes (stored, uncompressed). Names get a `.npy` suffix. */
export function serializeNpz(arrays: Readonly<Record<string, NpyInput>>): Uint8Array {
  if (arrays === null || typeof arrays !== 'object') {
    throw new Error("serializeNpz: 'arrays' must be an object mapping names to arrays");
  }
  const enc = new TextEncoder();
  const entries = Object.entries(arrays).map(([name, arr]) => {
    if (name.length === 0) throw new Error("serializeNpz: 'arrays' has an empty name");
    const body = serializeNpy(arr);
    return { name: enc.encode(name.endsWith('.npy') ? name : `${name}.npy`), body, crc: crc32(body) };
  });
  let size = 22;
  for (const e of entries) size += 30 + e.name.length + e.body.length + 46 + e.name.length;
  if (size > 0xffffffff)
    throw new Error('serializeNpz: archives over 4 GiB (Zip64) are not supported; write .npy files instead');
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(p);
    dv.setUint32(p, 0x04034b50, true);
    dv.setUint16(p + 4, 20, true); // version needed
    dv.setUint16(p + 6, 0, true); // flags
    dv.setUint16(p + 8, 0, true); // method: stored
    dv.setUint16(p + 10, DOS_TIME, true);
    dv.setUint16(p + 12, DOS_DATE, true);
    dv.setUint32(p + 14, e.crc, true);
    dv.setUint32(p + 18, e.body.length, true);
    dv.setUint32(p + 22, e.body.length, true);
    dv.setUint16(p + 26, e.name.length, true);
    dv.setUint16(p + 28, 0, true);
    out.set(e.name, p + 30);
    p += 30 + e.name.length;
    out.set(e.body, p);
    p += e.body.length;
  }
  const cdStart = p;
  entries.forEach((e, i) => {
    dv.setUint32(p, 0x02014b50, true);
    dv.setUint16(p + 4, 20, true); // version made by
    dv.setUint16(p + 6, 20, true);
    dv.setUint16(p + 8, 0, true);
    dv.setUint16(p + 10, 0, true);
    dv.setUint16(p + 12, DOS_TIME, true);
    dv.setUint16(p + 14, DOS_DATE, true);
    dv.setUint32(p + 16, e.crc, true);
    dv.setUint32(p + 20, e.body.length, true);
    dv.setUint32(p + 24, e.body.length, true);
    dv.setUint16(p + 28, e.name.length, true);
    // extra len, comment len, disk start, internal attrs, external attrs stay 0
    dv.setUint32(p + 42, offsets[i], true);
    out.set(e.name, p + 46);
    p += 46 + e.name.length;
  });
  dv.setUint32(p, 0x06054b50, true);
  dv.setUint16(p + 8, entries.length, true);
  dv.setUint16(p + 10, entries.length, true);
  dv.setUint32(p + 12, p - cdStart, true);
  dv.setUint32(p + 16, cdStart, true);
  return out;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const zlib = await import('node:zlib');
    return new Uint8Array(zlib.inflateRawSync(data));
  }
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('parseNpz: deflated members need node:zlib or DecompressionStream, neither is available');
  }
  const stream = new Blob([data.slice() as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function readZip64Extra(
  dv: DataView,
  start: number,
  len: number,
  e: { size: number; compressedSize: number; localOffset: number },
): void {
  let p = start;
  while (p + 4 <= start + len) {
    const id = dv.getUint16(p, true);
    const sz = dv.getUint16(p + 2, true);
    if (id === 0x0001) {
      // Only fields whose 32-bit slot is saturated are present, in this fixed order.
      let q = p + 4;
      const take = (): number => {
        const v = Number(dv.getBigUint64(q, true));
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localOffset === 0xffffffff) e.localOffset = take();
      return;
    }
    p += 4 + sz;
  }
}

function centralDirectory(bytes: Uint8Array): CentralEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  // The end record sits in the last 22 + 65535 (max comment) bytes.
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (dv.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0)
    throw new Error("parseNpz: 'bytes' is not a zip archive (no end-of-central-directory record)");
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || cdOffset === 0xffffffff) &&
    eocd >= 20 &&
    dv.getUint32(eocd - 20, true) === 0x07064b50
  ) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true));
    if (dv.getUint32(z64, true) !== 0x06064b50) throw new Error('parseNpz: corrupt Zip64 end record');
    count = Number(dv.getBigUint64(z64 + 32, true));
    cdOffset = Number(dv.getBigUint64(z64 + 48, true));
  }
  const dec = new TextDecoder('utf-8');
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (dv.getUint32(p, true) !== 0x02014b50)
      throw new Error(`parseNpz: corrupt central directory entry ${i}`);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const e: CentralEntry = {
      name: dec.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      method: dv.getUint16(p + 10, true),
      crc: dv.getUint32(p + 16, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localOffset: dv.getUint32(p + 42, true),
    };
    readZip64Extra(dv, p + 46 + nameLen, extraLen, e);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Parses `.npz` bytes into a map from array name (without `.npy`) to array. */
export async function parseNpz(
  input: ArrayBuffer | ArrayBufferView,
  options: ParseNpyOptions = {},
): Promise<Map<string, NpyArray>> {
  const bytes =
    input instanceof Uint8Array
      ? input
      : input instanceof ArrayBuffer
        ? new Uint8Array(input)
        : ArrayBuffer.isView(input)
          ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
          : undefined;
  if (!bytes) throw new Error("parseNpz: 'bytes' must be an ArrayBuffer or Uint8Array");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, NpyArray>();
  for (const e of centralDirectory(bytes)) {
    if (e.name.endsWith('/')) continue;
    const lp = e.localOffset;
    if (dv.getUint32(lp, true) !== 0x04034b50)
      throw new Error(`parseNpz: corrupt local header for ${e.name}`);
    // The local header's name/extra lengths can differ from the central copy (Zip64 extras).
    const start = lp + 30 + dv.getUint16(lp + 26, true) + dv.getUint16(lp + 28, true);
    const raw = bytes.subarray(start, start + e.compressedSize);
    let body: Uint8Array;
    if (e.method === 0) body = raw;
    else if (e.method === 8) body = await inflateRaw(raw);
    else
      throw new Error(
        `parseNpz: member ${e.name} uses compression method ${e.method}; only stored (0) and deflate (8) are supported`,
      );
    if (body.length !== e.size)
      throw new Error(`parseNpz: member ${e.name} has ${body.length} bytes, directory says ${e.size}`);
    if (crc32(body) !== e.crc) throw new Error(`parseNpz: CRC-32 mismatch in member ${e.name}`);
    const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
    out.set(key, parseNpy(body, options));
  }
  return out;
}

/** Node only: reads a `.npz` file. */
export async function readNpzFile(
  path: string,
  options: ParseNpyOptions = {},
): Promise<Map<string, NpyArray>> {
  const fs = await import('node:fs/promises');
  return parseNpz(await fs.readFile(path), options);
}

/** Node only: writes a `.npz` file (stored). */
export async function writeNpzFile(path: string, arrays: Readonly<Record<string, NpyInput>>): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, serializeNpz(arrays));
}
