// @gruvision/interop: ONNX and safetensors, both ways. Depends on @gruvision/math only
// (a spec + named weights in, bytes out; bytes in, a spec + weights out).
export const interopFormats = ['onnx', 'safetensors'] as const;
export type InteropFormat = (typeof interopFormats)[number];
