/**
 * The step driver of the kernel module: `run_steps(prog, T)` replays a step program — the kernel calls of
 * one time step, each argument an affine function of the step — for steps 0 … T−1, so a recurrent layer's
 * whole time loop is one WebAssembly call with no JavaScript between steps; and `gemm_rows`, a whole
 * product as one call. Programs are recorded by `step-program.ts`.
 *
 * Program layout (Int32, in the kernel memory): per call the function index in the module, then one
 * (base, delta) pair per parameter, the argument at step s being base + s·delta; index −1 ends the step.
 */
import { Code, type FunctionDef, I32 } from './emitter';

/**
 * `gemm_rows(c, ldc, a, lda, b, ldb, M, N, K, beta)`: C[M,N] (=|+=) A[M,K]·B[K,N] with A's rows contiguous
 * (byte pointers and strides), as `gemm.ts` drives the row panels within one K block: `rowsN4` on every
 * 4 rows, then the panel of the M mod 4 rows left.
 */
function gemmRows(index: (name: string) => number): FunctionDef {
  const f = new Code([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [c, ldc, a, lda, b, ldb, M, N, K, beta] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
  const panel = (mr: number) => {
    f.get(c).get(ldc).get(a).get(lda).i32(4).get(b).get(ldb).get(N).get(K).get(beta);
    f.call(index(`rowsN${mr}`));
  };
  f.block().loop();
  f.get(M).i32(4).i32LtS().brIf(1);
  panel(4);
  f.get(c).get(ldc).i32(4).i32Mul().i32Add().set(c);
  f.get(a).get(lda).i32(4).i32Mul().i32Add().set(a);
  f.get(M).i32(4).i32Sub().set(M);
  f.br(0);
  f.end().end();
  for (let mr = 1; mr <= 3; mr++) {
    f.get(M).i32(mr).i32Eq().if();
    panel(mr);
    f.end();
  }
  return { name: 'gemm_rows', results: [], code: f };
}

/**
 * `run_steps(prog, T)`: for s = 0 … T−1, calls every function of the program in order (a `br_table`
 * over the functions `callable`, all with i32 parameters only), argument i = base_i + s·delta_i.
 */
function runSteps(callable: readonly FunctionDef[]): FunctionDef {
  const f = new Code([I32, I32]);
  const [prog, T] = [0, 1] as const;
  const s = f.local(I32);
  const p = f.local(I32);
  const id = f.local(I32);
  const n = callable.length;
  f.i32(0).set(s);
  f.block().loop();
  f.get(s).get(T).i32GeS().brIf(1);
  f.get(prog).set(p);
  f.loop();
  f.get(p).i32Load().set(id);
  f.get(p).i32(4).i32Add().set(p);
  // block (the end of the program) › block case n−1 › … › block case 0 › br_table.
  f.block();
  for (let k = 0; k < n; k++) f.block();
  f.get(id).brTable(
    Array.from({ length: n }, (_, k) => k),
    n,
  );
  for (let k = 0; k < n; k++) {
    f.end();
    const params = callable[k]!.code.params.length;
    for (let i = 0; i < params; i++) {
      f.get(p)
        .i32Load(8 * i)
        .get(p)
        .i32Load(8 * i + 4)
        .get(s)
        .i32Mul()
        .i32Add();
    }
    f.call(k);
    f.get(p)
      .i32(8 * params)
      .i32Add()
      .set(p);
    // Next call of this step: the op loop, past the case blocks still open and the end block.
    f.br(n - k);
  }
  f.end();
  f.end();
  f.get(s).i32(1).i32Add().set(s);
  f.br(0);
  f.end().end();
  return { name: 'run_steps', results: [], code: f };
}

/**
 * The step functions appended to the kernel module after `functions` (all with i32 parameters and no
 * results; their indices are their positions): `gemm_rows`, then `run_steps`, which can call every
 * function before it.
 */
export function stepFunctions(functions: readonly FunctionDef[]): FunctionDef[] {
  const index = (name: string): number => functions.findIndex((fn) => fn.name === name);
  const gemm = gemmRows(index);
  return [gemm, runSteps([...functions, gemm])];
}

/** `run_steps(prog, T)`: byte pointer to the program, number of steps. */
export type RunStepsKernel = (prog: number, T: number) => void;
