"""gruvision's sequence views in PyTorch: how an image becomes a ``[timeSteps, features]`` sequence.

A port of ``packages/data/src/sequence-view.ts``:

- ``rows``: T = height, F = width·channels (step t = row t);
- ``columns``: T = width, F = height·channels (step t = column t, top to bottom);
- ``pixels``: T = height·width, F = channels (raster order);
- ``patches``: p×p tiles in raster order, T = (height/p)·(width/p), F = p·p·channels;
- ``permutationSeed``: output step t is input step ``perm[t]`` with ``perm = seeded_permutation(T, seed)``
  (xoshiro128** seeded through splitmix32, Fisher–Yates from the end — gruvision's ``SeededRandom``);
- ``normalize``: a byte v becomes ``v·scale + shift`` with ``scale = 1/(255·std)``, ``shift = −mean/std``
  (computed in double precision, then rounded to float32, exactly as gruvision does); without it ``v/255``.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from .errors import GruvisionTorchError

MODES = ("rows", "columns", "pixels", "patches")
_M32 = 0xFFFFFFFF


class SeededRandom:
    """gruvision's seeded generator (``SeededRandom`` in ``@gruvision/data``), bit for bit."""

    def __init__(self, seed: float) -> None:
        x = int(seed) & _M32  # Math.trunc(seed) >>> 0

        def splitmix() -> int:
            nonlocal x
            x = (x + 0x9E3779B9) & _M32
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & _M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & _M32
            return (z ^ (z >> 16)) & _M32

        self.s = [splitmix(), splitmix(), splitmix(), splitmix()]

    def next_uint32(self) -> int:
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & _M32, 7) * 9) & _M32
        t = (s1 << 9) & _M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def int(self, n: int) -> int:
        return int((self.next_uint32() / 4294967296) * n)


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def seeded_permutation(length: int, seed: float) -> list[int]:
    """``seededPermutation(length, seed)`` of ``@gruvision/data``."""
    order = list(range(length))
    rng = SeededRandom(seed)
    for i in range(length - 1, 0, -1):
        j = rng.int(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def _bad(file: str, problem: str) -> GruvisionTorchError:
    return GruvisionTorchError("MALFORMED", f"{file}: the sequence view {problem}. Save the model again with gruvision.", file)


def view_shape(view: Mapping[str, Any], shape: Mapping[str, int], file: str = "view") -> tuple[int, int]:
    """``(timeSteps, features)`` of ``view`` applied to images of ``shape`` (height, width, channels)."""
    mode = view.get("mode")
    h, w, c = shape["height"], shape["width"], shape["channels"]
    if mode not in MODES:
        raise _bad(file, f"mode {mode!r} is not one of {', '.join(MODES)}")
    norm = view.get("normalize")
    if norm is not None and (
        not isinstance(norm, dict)
        or not all(isinstance(norm.get(k), (int, float)) for k in ("mean", "std"))
        or not norm["std"] > 0
    ):
        raise _bad(file, "normalize needs a finite mean and a positive std")
    if mode == "rows":
        return h, w * c
    if mode == "columns":
        return w, h * c
    if mode == "pixels":
        return h * w, c
    p = view.get("patchSize")
    if not isinstance(p, int) or p < 1 or h % p or w % p:
        raise _bad(file, f"patchSize {p!r} must be a positive whole number dividing {h}×{w}")
    return (h // p) * (w // p), p * p * c


def sequence_gather(view: Mapping[str, Any], shape: Mapping[str, int]) -> torch.Tensor:
    """For each float of one image's ``[T, F]`` sequence, the offset of the HWC byte it reads (``sequenceGather``)."""
    T, F = view_shape(view, shape)
    h, w, c = shape["height"], shape["width"], shape["channels"]
    mode = view["mode"]
    if mode in ("rows", "pixels"):
        base = torch.arange(T * F)
    elif mode == "columns":
        base = torch.arange(h * w * c).reshape(h, w, c).permute(1, 0, 2).reshape(-1)
    else:
        p = view["patchSize"]
        base = torch.arange(h * w * c).reshape(h // p, p, w // p, p, c).permute(0, 2, 1, 3, 4).reshape(-1)
    if view.get("permutationSeed") is not None:
        perm = torch.tensor(seeded_permutation(T, view["permutationSeed"]), dtype=torch.long)
        base = base.reshape(T, F)[perm].reshape(-1)
    return base


def scale_shift(view: Mapping[str, Any]) -> tuple[float, float]:
    norm = view.get("normalize") or {}
    mean = float(norm.get("mean", 0.0))
    std = float(norm.get("std", 1.0))
    return 1.0 / (255.0 * std), -mean / std


def to_sequences(pixels: torch.Tensor, view: Mapping[str, Any], shape: Mapping[str, int]) -> torch.Tensor:
    """uint8 images ``[N, H, W, C]`` (or ``[N, H·W·C]``) as float32 sequences ``[N, T, F]`` (``fillSequence``)."""
    T, F = view_shape(view, shape)
    flat = pixels.reshape(pixels.shape[0], -1)
    gathered = flat[:, sequence_gather(view, shape)].to(torch.float64)
    scale, shift = scale_shift(view)
    return (gathered * scale + shift).to(torch.float32).reshape(-1, T, F)


def compute_normalization(pixels: torch.Tensor) -> dict[str, float]:
    """Population mean and std of all pixels scaled to [0, 1] (``computeNormalization``; std 1 for a constant set)."""
    histogram = torch.bincount(pixels.reshape(-1).to(torch.long), minlength=256).to(torch.float64)
    total = histogram.sum()
    if total == 0:
        return {"mean": 0.0, "std": 1.0}
    values = torch.arange(256, dtype=torch.float64) / 255
    mean = float((histogram * values).sum() / total)
    std = float(((histogram * (values - mean) ** 2).sum() / total).sqrt())
    return {"mean": mean, "std": std if std > 1e-12 else 1.0}
