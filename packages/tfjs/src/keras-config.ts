// Normalizes a Keras 3 model config (after tfjs' snake_case → camelCase conversion) into the form
// tfjs-layers 4.x understands. Pure functions on JSON; the input is never mutated.

import { HARD_SIGMOID_KERAS3, HARD_SIGMOID_TFJS, readHardSigmoid } from './hard-sigmoid';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const tfjsDtypes = new Set(['float32', 'int32', 'bool', 'complex64', 'string']);

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `DTypePolicy` object (`{ className: 'DTypePolicy', config: { name: 'float32' } }`) → a tfjs dtype. */
export function dtypeFromPolicy(value: Json): Json {
  if (!isObject(value)) return value;
  const config = value.config;
  const name = isObject(config) && typeof config.name === 'string' ? config.name : value.name;
  // tfjs computes in float32 only: mixed-precision policies ('mixed_float16') run as float32.
  return typeof name === 'string' && tfjsDtypes.has(name) ? name : 'float32';
}

/** Keras 3 functional `inbound_nodes` (`{ args: [KerasTensor], kwargs }`) → tfjs `[[name, node, tensor, {}]]`. */
function convertInboundNodes(nodes: Json[], layerNames: Map<string, string>): Json[] {
  return nodes.map((node) => {
    if (!isObject(node) || !('args' in node)) return node;
    const refs: Json[] = [];
    const visit = (v: Json): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (isObject(v)) {
        const config = v.config;
        if (isObject(config) && Array.isArray(config.kerasHistory)) {
          const [name, nodeIndex, tensorIndex] = config.kerasHistory as [string, number, number];
          refs.push([layerNames.get(name) ?? name, nodeIndex, tensorIndex, {}]);
        } else Object.values(v).forEach(visit);
      }
    };
    visit(node.args ?? null);
    return refs;
  });
}

function camel(name: string): string {
  return name.replace(/_+(\w|$)/g, (_m, c: string) => c.toUpperCase());
}

/** `hardSigmoid` in a Keras 3 file is x/6; gruvision's explicit `hardSigmoidTfjs` is tfjs' own 0.2x. */
function explicitActivation(value: Json, keras3: boolean): Json {
  if (value === 'hardSigmoid' && keras3) return HARD_SIGMOID_KERAS3;
  if (value === HARD_SIGMOID_TFJS) return 'hardSigmoid';
  return value;
}

function normalize(value: Json, layerNames: Map<string, string>, keras3: boolean): Json {
  if (Array.isArray(value)) return value.map((v) => normalize(v, layerNames, keras3));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'activation' || key === 'recurrentActivation') out[key] = explicitActivation(v, keras3);
    else if (key === 'dtype' && isObject(v)) out[key] = dtypeFromPolicy(v);
    else if (key === 'inboundNodes' && Array.isArray(v)) out[key] = convertInboundNodes(v, layerNames);
    else if (
      (key === 'inputLayers' || key === 'outputLayers') &&
      Array.isArray(v) &&
      typeof v[0] === 'string'
    ) {
      out[key] = [v];
    } else out[key] = normalize(v, layerNames, keras3);
  }
  if (out.className === 'OrthogonalInitializer') out.className = 'Orthogonal';
  const config = out.config;
  if (isObject(config)) {
    if (out.className === 'InputLayer' && config.batchShape !== undefined) {
      if (config.batchInputShape === undefined) config.batchInputShape = config.batchShape;
      delete config.batchShape;
    }
    // Keras 3 writes the (mirrored) backward layer of a Bidirectional; tfjs builds it itself.
    // Keras 3 also names the wrapped layer `forward_<name>`; tfjs adds that prefix itself.
    if (out.className === 'Bidirectional') {
      delete config.backwardLayer;
      const inner = isObject(config.layer) ? config.layer.config : undefined;
      if (isObject(inner) && typeof inner.name === 'string' && inner.name.startsWith('forward_')) {
        inner.name = inner.name.slice('forward_'.length);
      }
    }
  }
  return out;
}

function collectLayerNames(value: Json, names: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectLayerNames(v, names);
  } else if (isObject(value)) {
    const config = value.config;
    if (typeof value.className === 'string' && isObject(config) && typeof config.name === 'string') {
      // tfjs camel-cases every string value it converts, including layer names in `keras_history`.
      names.set(camel(config.name), config.name);
      names.set(config.name, config.name);
    }
    for (const v of Object.values(value)) collectLayerNames(v, names);
  }
}

/**
 * Normalizes a (camelCased) Keras model or layer config for tfjs-layers: `InputLayer.batchShape` →
 * `batchInputShape`, `DTypePolicy` objects → dtype strings, `OrthogonalInitializer` → `Orthogonal`,
 * Keras 3 functional `inboundNodes` → the Keras 2 list form, drops Keras 3's serialized
 * `Bidirectional.backwardLayer` and the `forward_` prefix of its wrapped layer. Names the hard sigmoid
 * explicitly: `hardSigmoid` becomes `hardSigmoidKeras3` (x/6) when the config has the Keras 3 layout
 * (see `readHardSigmoid`), and gruvision's `hardSigmoidTfjs` becomes tfjs' `hardSigmoid` (0.2x).
 * Returns a new object.
 */
export function normalizeKerasConfig<T>(config: T): T {
  const names = new Map<string, string>();
  collectLayerNames(config as Json, names);
  const keras3 = readHardSigmoid(config).activation === HARD_SIGMOID_KERAS3;
  return normalize(config as Json, names, keras3) as T;
}

/**
 * Rewrites every `hard_sigmoid` (`activation` / `recurrent_activation`) of a snake_case `modelTopology`
 * into the explicit name of the function its writer meant, judged by `readHardSigmoid(topology)`
 * (`keras_version` first, then the config layout): `hard_sigmoid_keras3` (x/6) for Keras 3 files;
 * Keras 2 and tfjs files keep `hard_sigmoid` (0.2x in tfjs). Returns the new topology, the reading
 * and the names of the layers whose activation was `hard_sigmoid`. The input is never mutated.
 */
export function explicitHardSigmoids<T>(topology: T): {
  topology: T;
  reading: ReturnType<typeof readHardSigmoid>;
  layers: string[];
} {
  const reading = readHardSigmoid(topology);
  const layers: string[] = [];
  const visit = (value: Json, layerName: string | undefined): Json => {
    if (Array.isArray(value)) return value.map((v) => visit(v, layerName));
    if (!isObject(value)) return value;
    const name = typeof value.name === 'string' ? value.name : layerName;
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'activation' || key === 'recurrent_activation') && v === 'hard_sigmoid') {
        layers.push(name ?? '?');
        out[key] = reading.activation === HARD_SIGMOID_KERAS3 ? 'hard_sigmoid_keras3' : v;
      } else out[key] = visit(v, name);
    }
    return out;
  };
  return { topology: visit(topology as Json, undefined) as T, reading, layers };
}
