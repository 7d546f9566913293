/**
 * The WebAssembly kernel module, generated at run time by `emitter.ts`: SIMD (f32x4) GEMM row panels, plus
 * the element-wise gate kernels of `gate-module.ts`.
 *
 * Two exported row-panel functions per height `mr` (1–4), one per layout of A (see `rowsKernel`):
 * `rowsN{mr}` and `rowsT{mr}(c, ldc, a, sai, sak, b, ldb, N, K, beta)`, each computing
 * C[0:mr, 0:N] (=|+=) op(A)[0:mr, 0:K]·B[0:K, 0:N] with register tiles of 8 f32x4 accumulators
 * (1×48, 2×16, 4×8 …, see `WIDEST`; per k one `v128.load` of B per vector and mr `v128.load32_splat`
 * of A), then 8- and 4-column tiles and scalar columns for the N edge. Pointers and strides are in bytes: element (i,k) of op(A) is at
 * `a + i·sai + k·sak`, so A and Aᵀ run the same code; B is row-major with row stride `ldb`; C with `ldc`.
 * All operands live in one `WebAssembly.Memory` imported as `env.memory`.
 *
 * Two builds of the same kernels: plain SIMD (`f32x4.mul` then `f32x4.add`, two roundings) and relaxed
 * SIMD (`f32x4.relaxed_madd`, one instruction, fused with one rounding where the CPU has FMA). The engine
 * picks one lowering per machine, so each build gives the same bits from run to run; the two builds
 * differ from each other in the last bits. The scalar N-edge columns are the same in both.
 */
import { Code, emitModule, F32, type FunctionDef, I32, V128 } from './emitter';
import { type BlendKernel, type ElementwiseKernel, gateKernels, type MapKernel } from './gate-module';
import { type RunStepsKernel, stepFunctions } from './step-module';

/**
 * f32x4 vectors per row of the widest register tile, by tile height mr (index): mr × (4·width) columns,
 * so that every height keeps at least 8 independent accumulators (the fused multiply-add latency times
 * the two FMA pipes) within the 16 vector registers of x86-64: 1×48, 2×16, 3×12, 4×8. One row (a GEMV,
 * the batch-1 recurrent product) loads one B vector per multiply-add, so it keeps 12 accumulators and
 * loads each B vector where it is used (1×48 GEMV [1,128]·[128,384]: 16 → 35 GFLOP per CPU-second
 * against 1×32 with all B vectors loaded first). Narrower tiles of 8 and 4 columns, then scalar columns,
 * do the N edge.
 */
const WIDEST = [0, 12, 4, 3, 2];

/** Which build of the GEMM kernels: plain SIMD, or relaxed SIMD's fused multiply-add. */
export type GemmFlavor = 'simd' | 'relaxed';

/**
 * `layout` 'T': the rows of a k column of op(A) are contiguous (sai = 4 bytes, Aᵀ stored), so the mr
 * rows are constant offsets from one pointer. 'N': any strides (the k elements of a row contiguous
 * when A is stored as is), rows at pa + q·sai. (Unrolling 'N' by 4 with constant k offsets measured
 * slower under V8.)
 */
function rowsKernel(mr: number, layout: 'N' | 'T', flavor: GemmFlavor): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [c, ldc, a, sai, sak, b, ldb, N, K, beta] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
  const j = f.local(I32);
  const pa = f.local(I32);
  const pb = f.local(I32);
  const k = f.local(I32);
  const pc = f.local(I32);
  const ra = [0, f.local(I32), f.local(I32), f.local(I32)];
  const rc = [0, f.local(I32), f.local(I32), f.local(I32)];
  const widest = WIDEST[mr]!;
  const acc: number[][] = [];
  for (let q = 0; q < mr; q++) acc.push(Array.from({ length: widest }, () => f.local(V128)));
  const bv = Array.from({ length: widest }, () => f.local(V128));
  const av = f.local(V128);
  const facc: number[] = [];
  for (let q = 0; q < mr; q++) facc.push(f.local(F32));
  const fb = f.local(F32);

  for (let q = 1; q < mr; q++) {
    f.get(sai).i32(q).i32Mul().set(ra[q]!);
    f.get(ldc).i32(q).i32Mul().set(rc[q]!);
  }

  // Address of row q of the current A column: pa + q·sai.
  const rowA = (q: number) => {
    f.get(pa);
    if (q > 0) f.get(ra[q]!).i32Add();
  };
  // Address of row q of the current C tile: pc + q·ldc.
  const rowC = (q: number) => {
    f.get(pc);
    if (q > 0) f.get(rc[q]!).i32Add();
  };
  // pa = a; pb = b + j·4; pc = c + j·4; k = K.
  const start = () => {
    f.get(a).set(pa);
    f.get(b).get(j).i32(4).i32Mul().i32Add().set(pb);
    f.get(c).get(j).i32(4).i32Mul().i32Add().set(pc);
    f.get(K).set(k);
  };
  // pa += sak; pb += ldb; loop while --k ≠ 0 (K ≥ 1 is guaranteed by the caller).
  const advance = () => {
    f.get(pa).get(sak).i32Add().set(pa);
    f.get(pb).get(ldb).i32Add().set(pb);
    f.get(k).i32(1).i32Sub().tee(k).brIf(0);
  };

  const madd = (q: number, v: number, loadB: () => void) => {
    if (flavor === 'relaxed') {
      f.get(av);
      loadB();
      f.get(acc[q]![v]!).f32x4RelaxedMadd().set(acc[q]![v]!);
    } else {
      f.get(acc[q]![v]!).get(av);
      loadB();
      f.f32x4Mul().f32x4Add().set(acc[q]![v]!);
    }
  };
  // acc[q][0:nv] += splat(A(q, k)) · B(k, j:j+4nv), the A element loaded from `address(q)` + offset.
  const step = (nv: number, address: (q: number) => void, offset: (q: number) => number) => {
    if (mr === 1) {
      // One row: splat A first and load each B vector where it is used, so that only the accumulators,
      // the splat and one B vector are live (holding all nv B vectors spills past the 16 registers).
      address(0);
      f.v128Load32Splat(offset(0)).set(av);
      for (let v = 0; v < nv; v++) madd(0, v, () => f.get(pb).v128Load(16 * v));
      return;
    }
    for (let v = 0; v < nv; v++)
      f.get(pb)
        .v128Load(16 * v)
        .set(bv[v]!);
    for (let q = 0; q < mr; q++) {
      address(q);
      f.v128Load32Splat(offset(q)).set(av);
      for (let v = 0; v < nv; v++) madd(q, v, () => f.get(bv[v]!));
    }
  };

  const vectorTile = (nv: number) => {
    for (let q = 0; q < mr; q++) for (let v = 0; v < nv; v++) f.f32(0).f32x4Splat().set(acc[q]![v]!);
    start();
    if (layout === 'T') {
      f.loop();
      step(
        nv,
        () => f.get(pa),
        (q) => 4 * q,
      );
      advance();
      f.end();
    } else {
      f.loop();
      step(nv, rowA, () => 0);
      advance();
      f.end();
    }
    f.get(beta).if();
    for (let q = 0; q < mr; q++) {
      for (let v = 0; v < nv; v++) {
        rowC(q);
        rowC(q);
        f.v128Load(16 * v)
          .get(acc[q]![v]!)
          .f32x4Add()
          .v128Store(16 * v);
      }
    }
    f.else();
    for (let q = 0; q < mr; q++) {
      for (let v = 0; v < nv; v++) {
        rowC(q);
        f.get(acc[q]![v]!).v128Store(16 * v);
      }
    }
    f.end();
  };

  const scalarColumn = () => {
    for (let q = 0; q < mr; q++) f.f32(0).set(facc[q]!);
    start();
    f.loop();
    f.get(pb).f32Load().set(fb);
    for (let q = 0; q < mr; q++) {
      rowA(q);
      f.f32Load().get(fb).f32Mul().get(facc[q]!).f32Add().set(facc[q]!);
    }
    advance();
    f.end();
    f.get(beta).if();
    for (let q = 0; q < mr; q++) {
      rowC(q);
      rowC(q);
      f.f32Load().get(facc[q]!).f32Add().f32Store();
    }
    f.else();
    for (let q = 0; q < mr; q++) {
      rowC(q);
      f.get(facc[q]!).f32Store();
    }
    f.end();
  };

  // for (j = 0; j + 4·nv ≤ N; j += 4·nv) mr×4nv tile, for nv = widest, then 2 and 1 (8 and 4 columns)
  f.i32(0).set(j);
  for (const nv of [...new Set([widest, 2, 1])]) {
    f.block().loop();
    f.get(j)
      .i32(4 * nv)
      .i32Add()
      .get(N)
      .i32GtS()
      .brIf(1);
    vectorTile(nv);
    f.get(j)
      .i32(4 * nv)
      .i32Add()
      .set(j);
    f.br(0);
    f.end().end();
  }
  // for (; j < N; j++) scalar column
  f.block().loop();
  f.get(j).get(N).i32GeS().brIf(1);
  scalarColumn();
  f.get(j).i32(1).i32Add().set(j);
  f.br(0);
  f.end().end();

  return { name: `rows${layout}${mr}`, results: [], code: f };
}

/**
 * The kernel module bytes (GEMM row panels, the element-wise gate kernels of `gate-module.ts` and the step
 * driver of `step-program.ts`). It
 * imports `env.memory`: an ordinary memory, or with `sharedMaxPages` a shared memory of at most that many
 * pages. `flavor` 'relaxed' builds the row panels on `f32x4.relaxed_madd`: such a module validates only
 * where relaxed SIMD is available.
 */
export function kernelModuleBytes(
  sharedMaxPages?: number,
  flavor: GemmFlavor = 'simd',
): Uint8Array<ArrayBuffer> {
  const memory =
    sharedMaxPages === undefined ? { minPages: 1 } : { minPages: 1, maxPages: sharedMaxPages, shared: true };
  const rows: FunctionDef[] = [];
  for (const layout of ['N', 'T'] as const)
    for (let mr = 1; mr <= 4; mr++) rows.push(rowsKernel(mr, layout, flavor));
  const kernels = [...rows, ...gateKernels()];
  return emitModule(memory, [...kernels, ...stepFunctions(kernels)]);
}

/** The exports of an instantiated kernel module: the GEMM row panels and the gate kernels. */
export interface KernelModuleExports {
  readonly rowsN1: RowsKernel;
  readonly rowsN2: RowsKernel;
  readonly rowsN3: RowsKernel;
  readonly rowsN4: RowsKernel;
  readonly rowsT1: RowsKernel;
  readonly rowsT2: RowsKernel;
  readonly rowsT3: RowsKernel;
  readonly rowsT4: RowsKernel;
  readonly sigmoid_of_sum: ElementwiseKernel;
  readonly tanh_of_sum: ElementwiseKernel;
  readonly product: ElementwiseKernel;
  readonly tanh_blend: BlendKernel;
  readonly gru_bwd_zh: MapKernel;
  readonly gru_bwd_r: MapKernel;
  readonly run_steps: RunStepsKernel;
}

/** `rowsN{mr}` / `rowsT{mr}(c, ldc, a, sai, sak, b, ldb, N, K, beta)`: byte pointers and byte strides. */
export type RowsKernel = (
  c: number,
  ldc: number,
  a: number,
  sai: number,
  sak: number,
  b: number,
  ldb: number,
  N: number,
  K: number,
  beta: number,
) => void;
