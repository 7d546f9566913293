"""Reads the folder ``gruvision export-data`` writes (format ``gruvision-dataset``, version 1).

``dataset.json`` names the class names, the image shape and, per split (``train``, ``test``), an IDX
image file (rank 3 ``[N, H, W]`` for one channel, rank 4 ``[N, H, W, C]`` otherwise; unsigned bytes)
and an IDX label file (rank 1, unsigned bytes, or big-endian int32 past 256 classes). Pixels are raw:
no sequence view and no normalization applied; the model's view does that (``view.to_sequences``).
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .errors import GruvisionTorchError

FORMAT = "gruvision-dataset"
VERSION = 1


@dataclass
class Split:
    #: uint8 ``[N, H, W, C]``
    pixels: torch.Tensor
    #: int64 ``[N]``
    labels: torch.Tensor

    @property
    def count(self) -> int:
        return int(self.labels.shape[0])


@dataclass
class Dataset:
    source: str
    class_names: list[str]
    height: int
    width: int
    channels: int
    train: Split
    test: Split

    @property
    def shape(self) -> dict[str, int]:
        return {"height": self.height, "width": self.width, "channels": self.channels}


def _bad(path: str, code: str, problem: str) -> GruvisionTorchError:
    return GruvisionTorchError(
        code, f"{path}: {problem} Write the folder again with `gruvision export-data --out <dir>`.", file=path
    )


def read_idx(path: str) -> np.ndarray:
    """An IDX file of unsigned bytes (type 0x08) or big-endian int32 (0x0C) as a numpy array."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise GruvisionTorchError("NOT_FOUND", f"{path}: cannot be read ({error.strerror}). Check the folder.", file=path) from error
    if len(data) < 4:
        raise _bad(path, "TRUNCATED", f"has {len(data)} bytes, too few for an IDX header.")
    zero, kind, rank = data[0:2], data[2], data[3]
    if zero != b"\0\0" or kind not in (0x08, 0x0C) or rank == 0:
        raise _bad(path, "MALFORMED", "is not an IDX file of unsigned bytes or int32.")
    head = 4 + 4 * rank
    if len(data) < head:
        raise _bad(path, "TRUNCATED", f"declares {rank} dimensions but ends inside its header.")
    dims = list(struct.unpack(f">{rank}I", data[4:head]))
    itemsize = 1 if kind == 0x08 else 4
    size = math.prod(dims) * itemsize
    if len(data) - head != size:
        problem = "truncated" if len(data) - head < size else "followed by extra bytes"
        raise _bad(
            path,
            "TRUNCATED" if len(data) - head < size else "MALFORMED",
            f"declares {'×'.join(map(str, dims))} values ({size} bytes) but holds {len(data) - head}: it is {problem}.",
        )
    array = np.frombuffer(data, dtype=np.uint8 if kind == 0x08 else ">i4", offset=head)
    return array.reshape(dims)


def load_dataset(folder: str) -> Dataset:
    """The train and test splits of an exported dataset folder, checked against ``dataset.json``."""
    path = os.path.join(folder, "dataset.json")
    try:
        with open(path, encoding="utf-8") as file:
            info: Any = json.load(file)
    except OSError as error:
        raise GruvisionTorchError(
            "NOT_FOUND",
            f"{path}: cannot be read ({error.strerror}). Point --data to a folder written by `gruvision export-data`.",
            file=path,
        ) from error
    except json.JSONDecodeError as error:
        raise _bad(path, "MALFORMED", f"is not valid JSON ({error}).") from error
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise _bad(path, "MALFORMED", f"has format {info.get('format') if isinstance(info, dict) else None!r}, expected {FORMAT!r}.")
    if not isinstance(info.get("version"), int) or info["version"] > VERSION:
        raise GruvisionTorchError(
            "UNSUPPORTED",
            f"{path}: is version {info.get('version')!r} of {FORMAT}; this gruvision_torch reads up to {VERSION}. Upgrade gruvision_torch.",
            file=path,
        )
    names = info.get("classNames")
    if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
        raise _bad(path, "MALFORMED", "classNames must list at least two class names.")
    dims = [info.get(k) for k in ("height", "width", "channels")]
    if not all(isinstance(d, int) and d >= 1 for d in dims):
        raise _bad(path, "MALFORMED", "height, width and channels must be positive whole numbers.")
    height, width, channels = dims
    splits = {}
    for split in ("train", "test"):
        entry = (info.get("splits") or {}).get(split)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("images", "labels")):
            raise _bad(path, "MALFORMED", f"splits.{split} must name its images and labels files.")
        for key in ("images", "labels"):
            name = entry[key]
            if os.path.isabs(name) or os.path.basename(name) != name:
                raise _bad(path, "MALFORMED", f"splits.{split}.{key} {name!r} is not a plain file name inside the folder.")
        images_path = os.path.join(folder, entry["images"])
        labels_path = os.path.join(folder, entry["labels"])
        images = read_idx(images_path)
        labels = read_idx(labels_path)
        if images.ndim == 3:
            images = images.reshape(*images.shape, 1)
        if images.ndim != 4 or images.dtype != np.uint8 or tuple(images.shape[1:]) != (height, width, channels):
            raise _bad(
                images_path,
                "MALFORMED",
                f"holds images of shape {list(images.shape[1:])} but dataset.json says {height}×{width}×{channels} uint8.",
            )
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise _bad(labels_path, "MALFORMED", f"holds {labels.shape} labels for {images.shape[0]} images.")
        if entry.get("count") != images.shape[0]:
            raise _bad(path, "MALFORMED", f"splits.{split}.count is {entry.get('count')!r} but {entry['images']} holds {images.shape[0]} images.")
        if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
            bad = int(labels.max() if labels.max() >= len(names) else labels.min())
            raise _bad(labels_path, "MALFORMED", f"has label {bad}, outside [0, {len(names)}).")
        splits[split] = Split(
            pixels=torch.from_numpy(np.array(images, dtype=np.uint8, copy=True)),
            labels=torch.from_numpy(labels.astype(np.int64)),
        )
    return Dataset(
        source=str(info.get("source", "")),
        class_names=names,
        height=height,
        width=width,
        channels=channels,
        train=splits["train"],
        test=splits["test"],
    )
