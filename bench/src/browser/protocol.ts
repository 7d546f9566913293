// What the bench page (`page.ts`) and its driver (`../browser.ts`) exchange; no side effects, so that
// Node code and tests can import it.

/** What `setup` reports about the page. */
export interface PageInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  relaxedSimd: boolean;
  ortVersion: string;
  onnxBytes: number;
}

/** The class probabilities of every engine against onnxruntime-web's, on the same images. */
export interface Agreement {
  /** Images compared per engine: one batch of `BATCH` and one single image. */
  images: number;
  /** Largest |Δ probability| per engine row against ort-web-1. */
  maxAbsDiff: Record<string, number>;
  /** The bound every engine must stay within. */
  tolerance: number;
  passed: boolean;
}

export type Measure = 'train' | 'infer' | 'latency';

/** The bound of the agreement check: max |Δ probability| between an engine and onnxruntime-web. */
export const AGREEMENT_TOLERANCE = 1e-5;
