/**
 * Loader for the native CRC-64 addon (native/crc64, built by node-gyp from
 * binding.gyp at the repository root into build/Release/crc64.node).
 *
 * Environment:
 *   STRATUS_CRC64_NATIVE=0       never load the addon (forces the JS fallback)
 *   STRATUS_CRC64_ADDON=/path    load the addon from an explicit path
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

type Bytes = ArrayBufferView | ArrayBuffer;

export interface Crc64NativeBinding {
  /** kind: 0 = CRC-64/XZ (ECMA-182, OSS/COS), 1 = CRC-64/NVME (AWS). Finalised CRC in and out. */
  update(kind: number, crc: bigint, data: Bytes): bigint;
  /** Same as update but the running CRC lives in state[0] (no BigInt allocation). */
  updateInto(kind: number, state: BigUint64Array, data: Bytes): void;
  /** Slicing-by-16 table path only (for tests). */
  updateTable(kind: number, crc: bigint, data: Bytes): bigint;
  combine(kind: number, crc1: bigint, crc2: bigint, len2: bigint | number): bigint;
  /** True when the PCLMULQDQ folding path is in use on this CPU. */
  readonly accelerated: boolean;
}

export interface Crc64NativeLoad {
  binding: Crc64NativeBinding | null;
  /** Where the addon was loaded from, if it was. */
  path: string | null;
  /** Why it was not loaded (null when loaded). */
  error: string | null;
}

function candidates(): string[] {
  const explicit = process.env['STRATUS_CRC64_ADDON'];
  if (explicit) return [path.resolve(explicit)];
  const here = path.dirname(fileURLToPath(import.meta.url));
  const out: string[] = [];
  // src/digest -> ../../build ; dist/src/digest -> ../../../build ; walk up a few levels.
  let dir = here;
  for (let i = 0; i < 5; i++) {
    out.push(path.join(dir, 'build', 'Release', 'crc64.node'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

function selfTest(b: Crc64NativeBinding): boolean {
  const check = new TextEncoder().encode('123456789');
  return (
    b.update(0, 0n, check) === 0x995dc9bbdf1939fan &&
    b.update(1, 0n, check) === 0xae8b14860a799888n &&
    b.combine(1, b.update(1, 0n, check.subarray(0, 4)), b.update(1, 0n, check.subarray(4)), 5) ===
      0xae8b14860a799888n
  );
}

function load(): Crc64NativeLoad {
  if (process.env['STRATUS_CRC64_NATIVE'] === '0') {
    return { binding: null, path: null, error: 'disabled by STRATUS_CRC64_NATIVE=0' };
  }
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const p of candidates()) {
    try {
      const b = require(p) as Crc64NativeBinding;
      if (!selfTest(b)) {
        errors.push(`${p}: self-test failed`);
        continue;
      }
      return { binding: b, path: p, error: null };
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      errors.push(`${p}: ${msg}`);
    }
  }
  return { binding: null, path: null, error: errors.join('; ') || 'no candidate path' };
}

export const crc64NativeLoad: Crc64NativeLoad = load();
export const crc64Native: Crc64NativeBinding | null = crc64NativeLoad.binding;
