/**
 * Float32 buffers allocated inside the WebAssembly memory the SIMD kernels run on, so products on
 * network parameters, gradients and workspaces run in place with no copies.
 *
 * The memory is shared (`SharedArrayBuffer`-backed): growing it never detaches views handed out
 * earlier, so a buffer stays valid for its whole life. Where shared memory is unavailable (browsers
 * without cross-origin isolation) `arenaAlloc` returns null and callers use ordinary arrays; the
 * kernels then copy operands into scratch space.
 *
 * Blocks are recycled by exact byte size once their root view is garbage collected
 * (`FinalizationRegistry`). A view returned here must therefore stay reachable while any `subarray`
 * of it is in use; the math core only takes subarrays of buffers its own objects hold.
 */

const PAGE = 65536;
/** Up to 2 GiB of address space (reserved, committed only as pages are touched). */
export const MAX_PAGES = 32768;
const ALIGN = 16;

let memory: WebAssembly.Memory | null | undefined;
let top = ALIGN; // Offset 0 is never handed out.
const freeBlocks = new Map<number, number[]>();
const buffers = new WeakSet<ArrayBufferLike>();
let heap = new Float32Array(0);
/** The arena's buffer object now (views made before a growth hold earlier ones, kept in `buffers`). */
let current: ArrayBufferLike | null = null;

const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<number>((block) => {
        const size = blockSizes.get(block);
        if (size === undefined) return;
        blockSizes.delete(block);
        let list = freeBlocks.get(size);
        if (list === undefined) {
          list = [];
          freeBlocks.set(size, list);
        }
        list.push(block);
      })
    : null;
const blockSizes = new Map<number, number>();

/** The shared arena memory, created on first use; null when this runtime cannot create one. */
export function arenaMemory(): WebAssembly.Memory | null {
  if (memory === undefined) {
    try {
      memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
      if (!(memory.buffer instanceof SharedArrayBuffer)) memory = null;
    } catch {
      memory = null;
    }
    if (memory !== null) refresh();
  }
  return memory;
}

function refresh(): void {
  const buffer = memory!.buffer;
  buffers.add(buffer);
  current = buffer;
  heap = new Float32Array(buffer);
}

/** A Float32Array view of the whole arena as it is now (grows with the arena). */
export function arenaHeap(): Float32Array {
  return heap;
}

/** True when `array` is a view into the arena (so its `byteOffset` is a kernel pointer). */
export function inArena(array: Float32Array): boolean {
  const buffer = array.buffer;
  return buffer === current || buffers.has(buffer);
}

/** Reserves `bytes` bytes (a multiple of 16) at the top of the arena; returns their offset. */
function take(bytes: number): number {
  const mem = arenaMemory()!;
  const offset = top;
  const end = offset + bytes;
  const have = mem.buffer.byteLength;
  if (end > have) {
    mem.grow(Math.ceil((end - have) / PAGE));
    refresh();
  }
  top = end;
  return offset;
}

/**
 * A zero-filled Float32Array of `n` elements inside the arena, or null when there is no arena or it
 * is full. Freed automatically when the returned view is garbage collected.
 */
export function arenaAlloc(n: number): Float32Array | null {
  if (n <= 0 || registry === null || arenaMemory() === null) return null;
  const bytes = Math.ceil((n * 4) / ALIGN) * ALIGN;
  let offset = freeBlocks.get(bytes)?.pop();
  if (offset === undefined) {
    if ((top + bytes) / PAGE > MAX_PAGES) return null;
    try {
      offset = take(bytes);
    } catch {
      return null;
    }
  } else {
    heap.fill(0, offset / 4, offset / 4 + bytes / 4);
  }
  const view = new Float32Array(memory!.buffer, offset, n);
  blockSizes.set(offset, bytes);
  registry.register(view, offset);
  return view;
}

/**
 * Scratch space of at least `n` Float32 elements inside the arena for operands that live outside it,
 * reused across calls (never freed). Returns its element offset in `arenaHeap()`.
 */
let scratchOffset = 0;
let scratchFloats = 0;
export function arenaScratch(n: number): number {
  if (n > scratchFloats) {
    const floats = Math.max(n, 2 * scratchFloats);
    scratchOffset = take(Math.ceil((floats * 4) / ALIGN) * ALIGN) / 4;
    scratchFloats = floats;
  }
  return scratchOffset;
}
