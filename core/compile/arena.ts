// One shared memory block for a whole compiled network: planned first, allocated once, handed out as typed-array views.
//
// Keeping every array of a network in one buffer is what lets a WebAssembly kernel (which sees a
// single linear memory) work on the same bytes as the TypeScript code and every worker thread. When
// the block fits in wasm32's 4 GiB it is a shared `WebAssembly.Memory` (its buffer is a
// SharedArrayBuffer); otherwise, or when asked, a plain SharedArrayBuffer and the kernels run in
// TypeScript. Arrays start on 64-byte boundaries: SIMD loads are aligned and two arrays never share
// a cache line.

import { wasmApi, type WasmMemory } from './wasm-api.ts';

const WASM_PAGE = 65536;
/** wasm32 addresses at most 65536 pages (4 GiB). */
export const WASM_MAX_PAGES = 65536;
const ALIGN = 64;

export type ArenaKind = 'wasm' | 'shared';

export interface Arena {
  readonly kind: ArenaKind;
  readonly buffer: SharedArrayBuffer;
  /** The shared wasm memory whose buffer this is (kind 'wasm'); null for a plain SharedArrayBuffer. */
  readonly memory: WasmMemory | null;
  readonly byteLength: number;
}

/** A region reserved in the plan: where it will start and how many elements it holds. */
export interface Region {
  readonly offset: number;
  readonly length: number;
}

/** Collects the sizes of every array before anything is allocated. */
export class ArenaPlan {
  private end = ALIGN; // offset 0 stays unused: a zero pointer never names an array in a kernel

  reserve(length: number, bytesPerElement: number): Region {
    const offset = Math.ceil(this.end / ALIGN) * ALIGN;
    this.end = offset + Math.max(0, length) * bytesPerElement;
    return { offset, length };
  }

  get byteLength(): number {
    return Math.ceil(this.end / ALIGN) * ALIGN;
  }
}

/** Allocates the planned bytes, as wasm memory when asked and it fits. */
export function allocateArena(byteLength: number, prefer: ArenaKind): Arena {
  const pages = Math.max(1, Math.ceil(byteLength / WASM_PAGE));
  if (prefer === 'wasm' && pages <= WASM_MAX_PAGES) {
    const memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
    return { kind: 'wasm', buffer: memory.buffer as unknown as SharedArrayBuffer, memory, byteLength: pages * WASM_PAGE };
  }
  return { kind: 'shared', buffer: new SharedArrayBuffer(byteLength), memory: null, byteLength };
}

export function f32View(arena: Arena, r: Region): Float32Array {
  return new Float32Array(arena.buffer, r.offset, r.length);
}

export function f64View(arena: Arena, r: Region): Float64Array {
  return new Float64Array(arena.buffer, r.offset, r.length);
}

export function u32View(arena: Arena, r: Region): Uint32Array {
  return new Uint32Array(arena.buffer, r.offset, r.length);
}

export function i32View(arena: Arena, r: Region): Int32Array {
  return new Int32Array(arena.buffer, r.offset, r.length);
}

export function u8View(arena: Arena, r: Region): Uint8Array {
  return new Uint8Array(arena.buffer, r.offset, r.length);
}
