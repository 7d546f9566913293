/** The element types the math core runs on: Float32 for training, Float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;
