/**
 * Dense matrix products on flat row-major typed arrays, cache-blocked with 4×4 register tiles.
 *
 * Every kernel takes its output first, then its operands, each as (buffer, offset, leading dimension),
 * so sub-matrices (a time step of a sequence, a gate block of a kernel) are used in place without
 * copies or `subarray` allocations. `beta` is 0 (overwrite C) or 1 (accumulate into C).
 *
 * The kernels are monomorphic small functions without closures so that a later WebAssembly SIMD
 * implementation can replace them one by one.
 */

/** The element types the math core runs on: Float32 for training, Float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;

/** Block size along K: a K-panel of B (KC × 4 floats) stays in L1 while the i-tiles sweep over it. */
const KC = 256;

/**
 * C = beta·C + A·B.
 * C: [M,N] (ldc), A: [M,K] (lda), B: [K,N] (ldb)
 */
export function gemmNN(
  c: FloatArray,
  cOff: number,
  ldc: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
): void {
  if (beta === 0) zeroMatrix(c, cOff, ldc, M, N);
  if (K === 0) return;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    for (let j = 0; j < N4; j += 4) {
      for (let i = 0; i < M4; i += 4) {
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0;
        let c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0;
        let c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        let pa0 = aOff + i * lda + k0;
        let pa1 = pa0 + lda;
        let pa2 = pa1 + lda;
        let pa3 = pa2 + lda;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          const b0 = b[pb]!,
            b1 = b[pb + 1]!,
            b2 = b[pb + 2]!,
            b3 = b[pb + 3]!;
          const a0 = a[pa0++]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          const a1 = a[pa1++]!;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          const a2 = a[pa2++]!;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          const a3 = a[pa3++]!;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          pb += ldb;
        }
        let pc = cOff + i * ldc + j;
        c[pc]! += c00;
        c[pc + 1]! += c01;
        c[pc + 2]! += c02;
        c[pc + 3]! += c03;
        pc += ldc;
        c[pc]! += c10;
        c[pc + 1]! += c11;
        c[pc + 2]! += c12;
        c[pc + 3]! += c13;
        pc += ldc;
        c[pc]! += c20;
        c[pc + 1]! += c21;
        c[pc + 2]! += c22;
        c[pc + 3]! += c23;
        pc += ldc;
        c[pc]! += c30;
        c[pc + 1]! += c31;
        c[pc + 2]! += c32;
        c[pc + 3]! += c33;
      }
      // Leftover rows of this column tile.
      for (let i = M4; i < M; i++) {
        let c0 = 0,
          c1 = 0,
          c2 = 0,
          c3 = 0;
        let pa = aOff + i * lda + k0;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          const av = a[pa++]!;
          c0 += av * b[pb]!;
          c1 += av * b[pb + 1]!;
          c2 += av * b[pb + 2]!;
          c3 += av * b[pb + 3]!;
          pb += ldb;
        }
        const pc = cOff + i * ldc + j;
        c[pc]! += c0;
        c[pc + 1]! += c1;
        c[pc + 2]! += c2;
        c[pc + 3]! += c3;
      }
    }
    // Leftover columns.
    for (let j = N4; j < N; j++) {
      for (let i = 0; i < M; i++) {
        let s = 0;
        let pa = aOff + i * lda + k0;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          s += a[pa++]! * b[pb]!;
          pb += ldb;
        }
        c[cOff + i * ldc + j]! += s;
      }
    }
  }
}

/**
 * C = beta·C + Aᵀ·B.
 * C: [M,N] (ldc), A: [K,M] (lda), B: [K,N] (ldb)
 */
export function gemmTN(
  c: FloatArray,
  cOff: number,
  ldc: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
): void {
  if (beta === 0) zeroMatrix(c, cOff, ldc, M, N);
  if (K === 0) return;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    for (let i = 0; i < M4; i += 4) {
      for (let j = 0; j < N4; j += 4) {
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0;
        let c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0;
        let c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        let pa = aOff + k0 * lda + i;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          const b0 = b[pb]!,
            b1 = b[pb + 1]!,
            b2 = b[pb + 2]!,
            b3 = b[pb + 3]!;
          const a0 = a[pa]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          const a1 = a[pa + 1]!;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          const a2 = a[pa + 2]!;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          const a3 = a[pa + 3]!;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          pa += lda;
          pb += ldb;
        }
        let pc = cOff + i * ldc + j;
        c[pc]! += c00;
        c[pc + 1]! += c01;
        c[pc + 2]! += c02;
        c[pc + 3]! += c03;
        pc += ldc;
        c[pc]! += c10;
        c[pc + 1]! += c11;
        c[pc + 2]! += c12;
        c[pc + 3]! += c13;
        pc += ldc;
        c[pc]! += c20;
        c[pc + 1]! += c21;
        c[pc + 2]! += c22;
        c[pc + 3]! += c23;
        pc += ldc;
        c[pc]! += c30;
        c[pc + 1]! += c31;
        c[pc + 2]! += c32;
        c[pc + 3]! += c33;
      }
      for (let j = N4; j < N; j++) {
        let c0 = 0,
          c1 = 0,
          c2 = 0,
          c3 = 0;
        let pa = aOff + k0 * lda + i;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          const bv = b[pb]!;
          c0 += a[pa]! * bv;
          c1 += a[pa + 1]! * bv;
          c2 += a[pa + 2]! * bv;
          c3 += a[pa + 3]! * bv;
          pa += lda;
          pb += ldb;
        }
        const pc = cOff + i * ldc + j;
        c[pc]! += c0;
        c[pc + ldc]! += c1;
        c[pc + 2 * ldc]! += c2;
        c[pc + 3 * ldc]! += c3;
      }
    }
    for (let i = M4; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let pa = aOff + k0 * lda + i;
        let pb = bOff + k0 * ldb + j;
        for (let k = k0; k < k1; k++) {
          s += a[pa]! * b[pb]!;
          pa += lda;
          pb += ldb;
        }
        c[cOff + i * ldc + j]! += s;
      }
    }
  }
}

/**
 * C = beta·C + A·Bᵀ.
 * C: [M,N] (ldc), A: [M,K] (lda), B: [N,K] (ldb)
 */
export function gemmNT(
  c: FloatArray,
  cOff: number,
  ldc: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
): void {
  if (beta === 0) zeroMatrix(c, cOff, ldc, M, N);
  if (K === 0) return;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    for (let j = 0; j < N4; j += 4) {
      for (let i = 0; i < M4; i += 4) {
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0;
        let c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0;
        let c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0;
        let pa0 = aOff + i * lda + k0;
        let pa1 = pa0 + lda;
        let pa2 = pa1 + lda;
        let pa3 = pa2 + lda;
        let pb0 = bOff + j * ldb + k0;
        let pb1 = pb0 + ldb;
        let pb2 = pb1 + ldb;
        let pb3 = pb2 + ldb;
        for (let k = k0; k < k1; k++) {
          const b0 = b[pb0++]!,
            b1 = b[pb1++]!,
            b2 = b[pb2++]!,
            b3 = b[pb3++]!;
          const a0 = a[pa0++]!;
          c00 += a0 * b0;
          c01 += a0 * b1;
          c02 += a0 * b2;
          c03 += a0 * b3;
          const a1 = a[pa1++]!;
          c10 += a1 * b0;
          c11 += a1 * b1;
          c12 += a1 * b2;
          c13 += a1 * b3;
          const a2 = a[pa2++]!;
          c20 += a2 * b0;
          c21 += a2 * b1;
          c22 += a2 * b2;
          c23 += a2 * b3;
          const a3 = a[pa3++]!;
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
        }
        let pc = cOff + i * ldc + j;
        c[pc]! += c00;
        c[pc + 1]! += c01;
        c[pc + 2]! += c02;
        c[pc + 3]! += c03;
        pc += ldc;
        c[pc]! += c10;
        c[pc + 1]! += c11;
        c[pc + 2]! += c12;
        c[pc + 3]! += c13;
        pc += ldc;
        c[pc]! += c20;
        c[pc + 1]! += c21;
        c[pc + 2]! += c22;
        c[pc + 3]! += c23;
        pc += ldc;
        c[pc]! += c30;
        c[pc + 1]! += c31;
        c[pc + 2]! += c32;
        c[pc + 3]! += c33;
      }
      for (let i = M4; i < M; i++) {
        let c0 = 0,
          c1 = 0,
          c2 = 0,
          c3 = 0;
        let pa = aOff + i * lda + k0;
        let pb0 = bOff + j * ldb + k0;
        for (let k = k0; k < k1; k++) {
          const av = a[pa++]!;
          c0 += av * b[pb0]!;
          c1 += av * b[pb0 + ldb]!;
          c2 += av * b[pb0 + 2 * ldb]!;
          c3 += av * b[pb0 + 3 * ldb]!;
          pb0++;
        }
        const pc = cOff + i * ldc + j;
        c[pc]! += c0;
        c[pc + 1]! += c1;
        c[pc + 2]! += c2;
        c[pc + 3]! += c3;
      }
    }
    for (let j = N4; j < N; j++) {
      for (let i = 0; i < M; i++) {
        let s = 0;
        let pa = aOff + i * lda + k0;
        let pb = bOff + j * ldb + k0;
        for (let k = k0; k < k1; k++) s += a[pa++]! * b[pb++]!;
        c[cOff + i * ldc + j]! += s;
      }
    }
  }
}

/** C[M,N] (ldc) = 0. */
export function zeroMatrix(c: FloatArray, cOff: number, ldc: number, M: number, N: number): void {
  if (ldc === N) {
    c.fill(0, cOff, cOff + M * N);
    return;
  }
  for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
}

/** out[N,M] = inᵀ for in: [M,N], both dense. */
export function transpose(out: FloatArray, input: FloatArray, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) out[j * M + i] = input[row + j]!;
  }
}

/** c[M,N] = a[M,K]·b[K,N] on dense buffers (convenience form of `gemmNN`). */
export function matmul(c: FloatArray, a: FloatArray, b: FloatArray, M: number, K: number, N: number): void {
  gemmNN(c, 0, N, a, 0, K, b, 0, N, M, N, K, 0);
}
