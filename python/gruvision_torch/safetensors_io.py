"""A small safetensors reader and writer (https://github.com/huggingface/safetensors, format v1).

Layout: an unsigned 64-bit little-endian header length ``N``; ``N`` bytes of UTF-8 JSON mapping each
tensor name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the data that
follows) plus an optional ``"__metadata__"`` map of strings to strings; then the tensor bytes,
little-endian, row-major, with no gaps. The header is padded with spaces so the data starts at a
multiple of 8 bytes.

``save_file`` / ``load_file`` use the real ``safetensors`` package when it is importable
(``pure=False``, the default) and this module's own code otherwise, so Debian's ``python3-torch``
alone is enough. Both paths write byte-identical files for float32 tensors and read each other's.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
from typing import Mapping

import numpy as np
import torch

from .errors import GruvisionTorchError

try:  # pragma: no cover - depends on the machine
    import safetensors.torch as _real  # type: ignore[import-not-found]
except ImportError:  # Debian has no python3-safetensors
    _real = None

#: Largest header we accept (the reference implementation's limit).
MAX_HEADER_BYTES = 100_000_000
#: Largest file we read by default.
DEFAULT_MAX_FILE_BYTES = 4 * 1024**3

_DTYPES: dict[str, tuple[torch.dtype, str | None, int]] = {
    # name: (torch dtype, little-endian numpy dtype or None for bf16, bytes per element)
    "F64": (torch.float64, "<f8", 8),
    "F32": (torch.float32, "<f4", 4),
    "F16": (torch.float16, "<f2", 2),
    "BF16": (torch.bfloat16, None, 2),
    "I64": (torch.int64, "<i8", 8),
    "I32": (torch.int32, "<i4", 4),
    "I16": (torch.int16, "<i2", 2),
    "I8": (torch.int8, "i1", 1),
    "U8": (torch.uint8, "u1", 1),
    "BOOL": (torch.bool, "?", 1),
}
_NAMES = {dtype: name for name, (dtype, _, _) in _DTYPES.items()}


def has_real_package() -> bool:
    """True when the ``safetensors`` package is importable (then it reads and writes by default)."""
    return _real is not None


def _tensor_bytes(tensor: torch.Tensor) -> bytes:
    t = tensor.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2", copy=False).tobytes()
    name = _NAMES.get(t.dtype)
    if name is None:
        raise GruvisionTorchError(
            "UNSUPPORTED",
            f"safetensors: tensors of dtype {t.dtype} cannot be written; convert them to float32 first.",
        )
    return t.numpy().astype(_DTYPES[name][1], copy=False).tobytes()


def encode(tensors: Mapping[str, torch.Tensor], metadata: Mapping[str, str] | None = None) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (in name order) and ``metadata``."""
    header: dict[str, object] = {}
    if metadata:
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise GruvisionTorchError(
                    "INVALID_ARGUMENT",
                    f"safetensors: metadata must map strings to strings; {key!r} maps to a {type(value).__name__}. "
                    "Encode other values with json.dumps.",
                )
        header["__metadata__"] = dict(metadata)
    chunks: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise GruvisionTorchError("INVALID_ARGUMENT", "safetensors: a tensor may not be named __metadata__.")
        tensor = tensors[name]
        data = _tensor_bytes(tensor)
        header[name] = {
            "dtype": _NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def _bad(path: str, code: str, problem: str, fix: str) -> GruvisionTorchError:
    return GruvisionTorchError(code, f"{path}: {problem} {fix}", file=path)


def decode(
    data: bytes, path: str = "safetensors data"
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors (name → tensor, copies) and metadata of safetensors bytes; a typed error for bad input."""
    fix = "The file is truncated or not a safetensors file; write it again."
    if len(data) < 8:
        raise _bad(path, "TRUNCATED", f"has {len(data)} bytes, too few for a safetensors header.", fix)
    (size,) = struct.unpack("<Q", data[:8])
    if size > MAX_HEADER_BYTES:
        raise _bad(path, "TOO_LARGE", f"declares a header of {size} bytes (at most {MAX_HEADER_BYTES}).", fix)
    if 8 + size > len(data):
        raise _bad(path, "TRUNCATED", f"declares a {size}-byte header but holds only {len(data) - 8} bytes after the length.", fix)
    try:
        header = json.loads(data[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _bad(path, "MALFORMED", f"its header is not JSON ({error}).", fix) from error
    if not isinstance(header, dict):
        raise _bad(path, "MALFORMED", "its header is not a JSON object.", fix)
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _bad(path, "MALFORMED", "its __metadata__ is not a map of strings.", fix)
    buffer = memoryview(data)[8 + size :]
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= info.keys():
            raise _bad(path, "MALFORMED", f"tensor {name!r} lacks dtype, shape or data_offsets.", fix)
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise _bad(
                path, "UNSUPPORTED", f"tensor {name!r} has dtype {dtype!r}.", f"Supported: {', '.join(_DTYPES)}."
            )
        shape = info["shape"]
        offsets = info["data_offsets"]
        if (
            not isinstance(shape, list)
            or not all(isinstance(d, int) and d >= 0 for d in shape)
            or not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(isinstance(o, int) and o >= 0 for o in offsets)
            or offsets[1] < offsets[0]
        ):
            raise _bad(path, "MALFORMED", f"tensor {name!r} has an invalid shape or data_offsets.", fix)
        expected = math.prod(shape) * _DTYPES[dtype][2]
        if offsets[1] - offsets[0] != expected:
            raise _bad(
                path,
                "MALFORMED",
                f"tensor {name!r} of shape {shape} and dtype {dtype} needs {expected} bytes but its data_offsets span {offsets[1] - offsets[0]}.",
                fix,
            )
        if offsets[1] > len(buffer):
            raise _bad(
                path,
                "TRUNCATED",
                f"tensor {name!r} ends at byte {offsets[1]} of the data but the file holds only {len(buffer)}.",
                fix,
            )
        entries.append((offsets[0], offsets[1], name, dtype, shape))
    entries.sort()
    position = 0
    for begin, end, name, _, _ in entries:
        if begin != position:
            raise _bad(path, "MALFORMED", f"tensor {name!r} starts at byte {begin}, expected {position} (gap or overlap).", fix)
        position = end
    if position != len(buffer):
        raise _bad(path, "MALFORMED", f"{len(buffer) - position} bytes follow the last tensor.", fix)
    tensors: dict[str, torch.Tensor] = {}
    for begin, end, name, dtype, shape in entries:
        torch_dtype, np_dtype, _ = _DTYPES[dtype]
        raw = buffer[begin:end]
        if np_dtype is None:  # bfloat16: reinterpret int16
            array = np.frombuffer(raw, dtype="<i2").astype("=i2")
            tensor = torch.from_numpy(array.copy()).view(torch.bfloat16)
        else:
            array = np.frombuffer(raw, dtype=np_dtype).astype(np.dtype(np_dtype).newbyteorder("="))
            tensor = torch.from_numpy(array.copy())
        tensors[name] = tensor.reshape(shape)
        assert tensors[name].dtype == torch_dtype
    return tensors, {str(k): v for k, v in metadata.items()}


def _write_atomic(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.tmp-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_file(
    tensors: Mapping[str, torch.Tensor],
    path: str,
    metadata: Mapping[str, str] | None = None,
    pure: bool = False,
) -> None:
    """Writes ``tensors`` and ``metadata`` to ``path`` atomically (temporary file, fsync, rename)."""
    if _real is not None and not pure:
        directory = os.path.dirname(os.path.abspath(path)) or "."
        os.makedirs(directory, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.tmp-", dir=directory)
        os.close(handle)
        try:
            _real.save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, tmp, metadata=dict(metadata or {}))
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return
    _write_atomic(path, encode(tensors, metadata))


def load_file(
    path: str, pure: bool = False, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Tensors and metadata of the safetensors file at ``path``."""
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise GruvisionTorchError(
            "NOT_FOUND", f"{path}: cannot be read ({error.strerror}). Check the path.", file=path
        ) from error
    if size > max_bytes:
        raise _bad(path, "TOO_LARGE", f"is {size} bytes, more than the {max_bytes} allowed.", "Raise max_bytes if you trust it.")
    with open(path, "rb") as file:
        data = file.read()
    if _real is not None and not pure:
        tensors_, metadata_ = decode(data, path)  # validates with our messages first
        del tensors_
        with open(path, "rb") as file:
            loaded = _real.load(file.read())
        return loaded, metadata_
    return decode(data, path)
