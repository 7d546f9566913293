"""The PyTorch module of a gruvision model, its metadata, and weight conversion.

The module mirrors the safetensors contract of ``gruvision export --format safetensors``::

    self.rnn  = nn.GRU | nn.LSTM | nn.RNN(features, units, num_layers=L, batch_first=True, bidirectional=B)
    self.head = nn.Linear(units * (2 if B else 1), classes)

so its ``state_dict()`` keys are ``rnn.weight_ih_l{k}``, ``rnn.weight_hh_l{k}``, ``rnn.bias_ih_l{k}``,
``rnn.bias_hh_l{k}`` (``…_reverse`` for the backward direction), ``head.weight`` and ``head.bias``.
The classifier reads the last layer's final state (forward, then backward when bidirectional) — what a
Keras ``return_sequences=False`` layer returns — and applies the head; softmax gives probabilities.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Mapping

import torch
from torch import nn

from .errors import GruvisionTorchError

#: Version of ``userDefinedMetadata.gruvision`` this package reads and writes.
ARTIFACT_FORMAT_VERSION = 1

_GATES = {"gru": 3, "lstm": 4, "simpleRnn": 1}
_KERAS_BASE = {"gru": "gru", "lstm": "lstm", "simpleRnn": "simple_rnn"}


def _fail(code: str, message: str, file: str | None = None) -> GruvisionTorchError:
    return GruvisionTorchError(code, message, file=file)


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------


def check_metadata(meta: Any, file: str) -> dict[str, Any]:
    """Checks the fields of gruvision metadata this package uses; returns it."""
    fix = "Point to a model.json written by gruvision, or a safetensors file written by `gruvision export` or gruvision_torch."
    if not isinstance(meta, dict):
        raise _fail("MALFORMED", f"{file}: the gruvision metadata is not a JSON object. {fix}", file)
    version = meta.get("formatVersion")
    if not isinstance(version, int):
        raise _fail("MALFORMED", f"{file}: gruvision metadata has no formatVersion. {fix}", file)
    if version > ARTIFACT_FORMAT_VERSION:
        raise _fail(
            "UNSUPPORTED",
            f"{file}: written in gruvision artifact format {version}; gruvision_torch reads up to {ARTIFACT_FORMAT_VERSION}. Upgrade gruvision_torch.",
            file,
        )
    names = meta.get("classNames")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _fail("MALFORMED", f"{file}: gruvision metadata classNames must be a list of strings. {fix}", file)
    shape = meta.get("input")
    if not isinstance(shape, dict) or not all(isinstance(shape.get(k), int) and shape[k] >= 1 for k in ("height", "width", "channels")):
        raise _fail("MALFORMED", f"{file}: gruvision metadata input must give height, width and channels. {fix}", file)
    if not isinstance(meta.get("view"), dict):
        raise _fail("MALFORMED", f"{file}: gruvision metadata has no view. {fix}", file)
    spec = meta.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list) or not spec["layers"]:
        raise _fail("MALFORMED", f"{file}: gruvision metadata has no spec with layers. {fix}", file)
    for key in ("timeSteps", "features", "classes"):
        if not isinstance(spec.get(key), int) or spec[key] < 1:
            raise _fail("MALFORMED", f"{file}: spec.{key} must be a positive integer. {fix}", file)
    if spec["classes"] != len(names):
        raise _fail("MALFORMED", f"{file}: names {len(names)} classes but its spec has {spec['classes']}. {fix}", file)
    from .view import view_shape  # local import: view imports nothing of ours but keeps this module light

    steps, features = view_shape(meta["view"], shape, file)
    if (steps, features) != (spec["timeSteps"], spec["features"]):
        raise _fail(
            "MALFORMED",
            f"{file}: its view gives {steps} steps of {features} features but its spec expects {spec['timeSteps']} of {spec['features']}. {fix}",
            file,
        )
    return meta


def read_metadata(path: str) -> dict[str, Any]:
    """gruvision metadata from a ``model.json`` (``userDefinedMetadata.gruvision``), a model directory, or a
    safetensors file (``__metadata__["gruvision"]``)."""
    if os.path.isdir(path):
        path = os.path.join(path, "model.json")
    if path.endswith(".safetensors"):
        from .safetensors_io import load_file

        _, metadata = load_file(path)
        if "gruvision" not in metadata:
            raise _fail(
                "MALFORMED",
                f"{path}: its __metadata__ has no \"gruvision\" entry. Only files written by `gruvision export` or gruvision_torch carry the model description; pass --model model.json instead.",
                path,
            )
        try:
            return check_metadata(json.loads(metadata["gruvision"]), path)
        except json.JSONDecodeError as error:
            raise _fail("MALFORMED", f"{path}: __metadata__.gruvision is not JSON ({error}). Export the model again.", path) from error
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read(16 * 1024 * 1024 + 1)
    except OSError as error:
        raise _fail("NOT_FOUND", f"{path}: cannot be read ({error.strerror}). Check the path.", path) from error
    if len(text) > 16 * 1024 * 1024:
        raise _fail("TOO_LARGE", f"{path}: is larger than 16 MiB; this is not a gruvision model.json.", path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail("MALFORMED", f"{path}: is not valid JSON ({error}). Save the model again.", path) from error
    udm = document.get("userDefinedMetadata") if isinstance(document, dict) else None
    if not isinstance(udm, dict) or "gruvision" not in udm:
        raise _fail(
            "MALFORMED",
            f"{path}: has no userDefinedMetadata.gruvision (class names, view, spec). It was not saved by gruvision.",
            path,
        )
    return check_metadata(udm["gruvision"], path)


# --------------------------------------------------------------------------------------------
# Which specs map onto one nn.GRU / nn.LSTM / nn.RNN
# --------------------------------------------------------------------------------------------


def torch_layout(spec: Mapping[str, Any], file: str = "model") -> dict[str, Any]:
    """``cell``, ``units``, ``layers``, ``bidirectional``, ``input_dropout`` and ``head_dropout`` of the
    PyTorch module for ``spec``; a typed ``UNSUPPORTED`` error naming the field for specs that one
    ``nn.GRU|nn.LSTM|nn.RNN`` plus ``nn.Linear`` cannot express."""
    layers = spec["layers"]
    first = layers[0]
    cell = first.get("cell")
    if cell not in _GATES:
        raise _fail("MALFORMED", f"{file}: spec.layers[0].cell {cell!r} is not gru, lstm or simpleRnn.", file)
    for i, layer in enumerate(layers):
        where = f"{file}: spec.layers[{i}]"
        for key, default in (("cell", None), ("units", None), ("bidirectional", False)):
            if layer.get(key, default) != first.get(key, default):
                raise _fail(
                    "UNSUPPORTED",
                    f"{where}.{key} is {layer.get(key, default)!r} but layer 0 has {first.get(key, default)!r}. "
                    "PyTorch's nn.GRU/nn.LSTM/nn.RNN stacks identical layers; train such a model in gruvision.",
                    file,
                )
        if cell == "gru" and not layer.get("resetAfter", False):
            raise _fail(
                "UNSUPPORTED",
                f"{where} is a reset-before GRU (resetAfter false); nn.GRU has only the reset-after form. "
                "Train the gruvision model with --reset-after, or pass --reset-after to gruvision_torch.train to train the PyTorch form instead.",
                file,
            )
        if layer.get("recurrentActivation", "sigmoid") != "sigmoid":
            raise _fail(
                "UNSUPPORTED",
                f"{where}.recurrentActivation is {layer['recurrentActivation']!r}; PyTorch's cells use the sigmoid. Train with sigmoid gates.",
                file,
            )
        if layer.get("goBackwards", False):
            raise _fail("UNSUPPORTED", f"{where}.goBackwards is true; nn.GRU has no go_backwards. Use --bidirectional instead.", file)
        if layer.get("recurrentDropout", 0):
            raise _fail("UNSUPPORTED", f"{where}.recurrentDropout is not supported by PyTorch's fused cells; set it to 0.", file)
        if cell == "lstm" and layer.get("unitForgetBias", True) is False:
            pass  # only an initializer choice; the weights map either way
        if i > 0 and layer.get("dropout", 0):
            raise _fail(
                "UNSUPPORTED",
                f"{where}.dropout is {layer['dropout']}: gruvision drops the inputs of every layer, which nn.GRU cannot; "
                "use dropout only on one-layer models (or none).",
                file,
            )
    return {
        "cell": cell,
        "units": int(first["units"]),
        "layers": len(layers),
        "bidirectional": bool(first.get("bidirectional", False)),
        "input_dropout": float(first.get("dropout", 0) or 0),
        "head_dropout": float(spec.get("headDropout", 0) or 0),
    }


class GruvisionModule(nn.Module):
    """``rnn`` + ``head`` as in the module docstring; input ``[batch, timeSteps, features]``, output logits."""

    def __init__(self, spec: Mapping[str, Any], file: str = "model") -> None:
        super().__init__()
        layout = torch_layout(spec, file)
        self.spec = dict(spec)
        self.cell = layout["cell"]
        self.units = layout["units"]
        self.num_layers = layout["layers"]
        self.bidirectional = layout["bidirectional"]
        self.input_dropout = layout["input_dropout"]
        rnn_class = {"gru": nn.GRU, "lstm": nn.LSTM, "simpleRnn": nn.RNN}[self.cell]
        self.rnn = rnn_class(
            int(spec["features"]),
            self.units,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=self.bidirectional,
        )
        self.head_dropout = nn.Dropout(layout["head_dropout"])
        self.head = nn.Linear(self.units * (2 if self.bidirectional else 1), int(spec["classes"]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.input_dropout > 0:
            # gruvision's input dropout: one mask per sequence, shared by every time step.
            keep = 1 - self.input_dropout
            mask = torch.bernoulli(torch.full((x.shape[0], 1, x.shape[2]), keep, device=x.device, dtype=x.dtype))
            x = x * mask / keep
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # [layers·directions, batch, units]
        last = torch.cat([h_n[-2], h_n[-1]], dim=1) if self.bidirectional else h_n[-1]
        return self.head(self.head_dropout(last))

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.forward(x), dim=1)


def build_module(meta_or_spec: Mapping[str, Any], file: str = "model") -> GruvisionModule:
    """The module of gruvision metadata (its ``spec``) or of a bare ``ModelSpec``."""
    spec = meta_or_spec["spec"] if "spec" in meta_or_spec else meta_or_spec
    return GruvisionModule(spec, file)


# --------------------------------------------------------------------------------------------
# Initialization as gruvision's math engine does it (Keras defaults)
# --------------------------------------------------------------------------------------------


def _torch_gate_order(cell: str, units: int) -> torch.Tensor:
    """Index that reorders Keras gate blocks into PyTorch's: GRU z|r|h → r|z|n; LSTM and RNN keep theirs."""
    if cell != "gru":
        return torch.arange(_GATES[cell] * units)
    u = units
    return torch.cat([torch.arange(u, 2 * u), torch.arange(0, u), torch.arange(2 * u, 3 * u)])


@torch.no_grad()
def keras_init(module: GruvisionModule, seed: int) -> None:
    """Keras' default initializers in PyTorch's layout: kernels glorot-uniform over the whole
    ``[input, gates·units]`` kernel, recurrent kernels orthogonal, biases zero, the LSTM forget-gate bias 1,
    the head glorot-uniform. Same distributions as gruvision's math engine (not the same numbers)."""
    generator = torch.Generator().manual_seed(seed)
    g = _GATES[module.cell] * module.units
    for name, param in module.rnn.named_parameters():
        if name.startswith("weight_ih"):
            fan_in, fan_out = param.shape[1], g
            limit = math.sqrt(6 / (fan_in + fan_out))
            param.copy_(torch.rand(param.shape, generator=generator) * 2 * limit - limit)
        elif name.startswith("weight_hh"):
            a = torch.randn(param.shape, generator=generator)  # [g, units]: orthonormal columns
            q, r = torch.linalg.qr(a)
            q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
            param.copy_(q)
        elif name.startswith("bias_ih"):
            param.zero_()
            if module.cell == "lstm":
                param[module.units : 2 * module.units] = 1.0
        else:
            param.zero_()
    limit = math.sqrt(6 / (module.head.in_features + module.head.out_features))
    module.head.weight.copy_(torch.rand(module.head.weight.shape, generator=generator) * 2 * limit - limit)
    module.head.bias.zero_()


# --------------------------------------------------------------------------------------------
# gruvision's canonical (Keras) weights ↔ PyTorch state dict
# --------------------------------------------------------------------------------------------


def keras_names(spec: Mapping[str, Any]) -> list[list[str]]:
    """Per layer, the Keras weight-name prefix of each direction (as gruvision's ``resolveLayers``):
    ``gru``, ``gru_1``; ``bidirectional/forward_gru``, ``bidirectional/backward_gru``, ``bidirectional_1/…``."""
    counters: dict[str, int] = {}

    def next_name(base: str) -> str:
        n = counters.get(base, 0)
        counters[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    result = []
    for layer in spec["layers"]:
        inner = next_name(_KERAS_BASE[layer["cell"]])
        if layer.get("bidirectional", False):
            outer = next_name("bidirectional")
            result.append([f"{outer}/forward_{inner}", f"{outer}/backward_{inner}"])
        else:
            result.append([inner])
    return result


def keras_to_state_dict(spec: Mapping[str, Any], weights: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """gruvision's canonical weights (Keras names and layout, as in ``weights.bin``) as the module's state dict."""
    layout = torch_layout(spec)
    order = _torch_gate_order(layout["cell"], layout["units"])
    state: dict[str, torch.Tensor] = {}
    for k, prefixes in enumerate(keras_names(spec)):
        for d, prefix in enumerate(prefixes):
            suffix = f"_l{k}" + ("_reverse" if d == 1 else "")
            kernel = weights[f"{prefix}/kernel"]
            recurrent = weights[f"{prefix}/recurrent_kernel"]
            bias = weights[f"{prefix}/bias"]
            state[f"rnn.weight_ih{suffix}"] = kernel[:, order].t().contiguous()
            state[f"rnn.weight_hh{suffix}"] = recurrent[:, order].t().contiguous()
            if bias.dim() == 2:  # reset-after GRU: [input bias; recurrent bias]
                state[f"rnn.bias_ih{suffix}"] = bias[0][order].contiguous()
                state[f"rnn.bias_hh{suffix}"] = bias[1][order].contiguous()
            else:
                state[f"rnn.bias_ih{suffix}"] = bias[order].contiguous()
                state[f"rnn.bias_hh{suffix}"] = torch.zeros_like(bias)
    state["head.weight"] = weights["dense/kernel"].t().contiguous()
    state["head.bias"] = weights["dense/bias"].clone()
    return state


def read_gruvision_weights(model_dir: str) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Metadata and canonical weights of a gruvision model directory (``model.json`` + its weight files)."""
    import numpy as np

    path = os.path.join(model_dir, "model.json")
    meta = read_metadata(path)
    with open(path, encoding="utf-8") as file:
        manifest = json.load(file)["weightsManifest"]
    weights: dict[str, torch.Tensor] = {}
    for group in manifest:
        blobs = []
        for part in group["paths"]:
            if os.path.isabs(part) or ".." in part.replace("\\", "/").split("/"):
                raise _fail("MALFORMED", f"{path}: weight path {part!r} leaves the model directory; do not use this file.", path)
            with open(os.path.join(model_dir, part), "rb") as file:
                blobs.append(file.read())
        data = b"".join(blobs)
        offset = 0
        for entry in group["weights"]:
            count = math.prod(entry["shape"])
            if offset + 4 * count > len(data):
                raise _fail("TRUNCATED", f"{model_dir}: the weight files end before {entry['name']}. Save the model again.", model_dir)
            array = np.frombuffer(data, dtype="<f4", count=count, offset=offset).astype(np.float32)
            weights[entry["name"]] = torch.from_numpy(array.copy()).reshape(entry["shape"])
            offset += 4 * count
    return meta, weights


def load_state(module: GruvisionModule, state: Mapping[str, torch.Tensor], file: str) -> None:
    """``load_state_dict(strict=True)`` with typed errors for missing, unexpected, misshapen or non-finite tensors."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    extra = sorted(set(state) - set(own))
    if missing or extra:
        raise _fail(
            "WEIGHTS_MISMATCH",
            f"{file}: tensor names do not match the model"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unexpected {', '.join(extra)}" if extra else "")
            + ". The file belongs to another model; export it again.",
            file,
        )
    for name, tensor in state.items():
        if tuple(tensor.shape) != tuple(own[name].shape):
            raise _fail(
                "WEIGHTS_MISMATCH",
                f"{file}: tensor {name} has shape {list(tensor.shape)} but the model needs {list(own[name].shape)}. Export the model again.",
                file,
            )
        if not torch.isfinite(tensor).all():
            raise _fail("NON_FINITE", f"{file}: tensor {name} holds NaN or infinite values. The model is corrupt; train or export it again.", file)
    module.load_state_dict({k: v.to(torch.float32) for k, v in state.items()}, strict=True)


def load_safetensors_model(path: str) -> tuple[dict[str, Any], GruvisionModule]:
    """Metadata and module of a safetensors file written by ``gruvision export`` or gruvision_torch."""
    from .safetensors_io import load_file

    tensors, metadata = load_file(path)
    if "gruvision" not in metadata:
        raise _fail("MALFORMED", f"{path}: its __metadata__ has no \"gruvision\" entry; it does not describe a gruvision model.", path)
    meta = check_metadata(json.loads(metadata["gruvision"]), path)
    module = build_module(meta, path)
    load_state(module, tensors, path)
    return meta, module
