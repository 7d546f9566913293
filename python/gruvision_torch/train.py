"""Train a gruvision model with PyTorch DistributedDataParallel.

One process per device (CPU: gloo; GPUs: nccl, device = LOCAL_RANK). Processes find each other the
standard way: ``MASTER_ADDR``, ``MASTER_PORT``, ``RANK``, ``WORLD_SIZE`` (and ``LOCAL_RANK``) in the
environment, set by ``torchrun`` or by ``python3 -m gruvision_torch.launch``. Without them it trains
in one process.

    python3 -m gruvision_torch.train --model models/mnist/model.json --data data/mnist \\
        --out mnist.safetensors --epochs 4

``--batch-size`` is the global batch (as in ``gruvision train``): each of the W processes takes
``batch-size / W`` images of every batch, and DDP averages the gradients, so one step sees the same
images and the same mean gradient whatever W is. Every process draws the same seeded shuffle.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from . import __version__
from .dataset import Dataset, load_dataset
from .errors import GruvisionTorchError
from .model import (
    ARTIFACT_FORMAT_VERSION,
    build_module,
    keras_init,
    keras_to_state_dict,
    load_state,
    read_gruvision_weights,
    read_metadata,
)
from .safetensors_io import load_file, save_file
from .view import compute_normalization, to_sequences, view_shape


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 -m gruvision_torch.train",
        description="Train a gruvision model with PyTorch DistributedDataParallel and write safetensors for `gruvision import`.",
        epilog=(
            "Two processes on this machine: python3 -m gruvision_torch.launch --nproc 2 -- --model … --data … --out …\n"
            "Several machines: run the launcher on each with --nnodes N --node-rank R --master-addr HOST."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", required=True, help="folder written by `gruvision export-data`")
    parser.add_argument("--out", required=True, help="safetensors file to write (PyTorch names + gruvision metadata)")
    parser.add_argument("--model", help="gruvision model.json, model directory or .safetensors whose architecture and view to train")
    parser.add_argument("--init", help="start from these weights (a gruvision model directory or a .safetensors file) instead of a fresh initialization")
    parser.add_argument("--reset-after", action="store_true", help="train reset-before GRU specs in PyTorch's reset-after form")
    parser.add_argument("--cell", choices=["gru", "lstm", "rnn"], default="gru", help="without --model: recurrent cell")
    parser.add_argument("--units", type=int, default=128, help="without --model: hidden units per layer")
    parser.add_argument("--layers", type=int, default=1, help="without --model: stacked layers")
    parser.add_argument("--bidirectional", action="store_true", help="without --model: read forwards and backwards")
    parser.add_argument("--view", choices=["rows", "columns", "pixels", "patches"], default="rows", help="without --model: sequence view")
    parser.add_argument("--patch-size", type=int, default=4, help="without --model: tile size of the patches view")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64, help="global batch, split evenly over the processes")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--optimizer", choices=["adam", "adamw", "sgd", "rmsprop"], default="adam")
    parser.add_argument("--schedule", choices=["constant", "cosine", "step"], default="cosine")
    parser.add_argument("--clip-norm", type=float, help="clip gradients to this global norm")
    parser.add_argument("--seed", type=int, default=0, help="seed of initialization and shuffling")
    parser.add_argument("--threads", type=int, help="torch threads per process (default: OMP_NUM_THREADS, else 1)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="auto: nccl on GPUs, gloo on CPU")
    parser.add_argument("--rank-weights", help="folder where every process writes its final weights as rank<R>.safetensors (to check they agree)")
    parser.add_argument("--json", action="store_true", help="print one JSON result document on stdout")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "units", "layers", "patch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive whole number")
    if not args.lr > 0:
        parser.error("--lr must be > 0")
    return args


def learning_rate_at(base: float, schedule: str, epoch: int, batch: int, batches: int, epochs: int) -> float:
    """gruvision train's schedules: cosine (warm-up over the first quarter epoch when epochs > 2), step, constant."""
    warmup = 0.25 if schedule == "cosine" and epochs > 2 else 0.0
    progress = epoch + batch / max(1, batches)
    if warmup > 0 and progress < warmup:
        step = epoch * batches + batch + 1
        return base * step / max(1, round(warmup * batches))
    if schedule == "step":
        return base * 0.3 ** (epoch // max(1, epochs // 3))
    if schedule == "cosine":
        t = min(1.0, max(0.0, (progress - warmup) / max(1e-9, epochs - warmup)))
        return max(0.5 * base * (1 + math.cos(math.pi * t)), 1e-12)
    return base


def make_optimizer(name: str, params: Any, lr: float) -> torch.optim.Optimizer:
    """gruvision's optimizer defaults (Keras'): Adam ε 1e-7, AdamW decay 0.004, SGD Nesterov momentum 0.9, RMSprop ρ 0.9."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, eps=1e-7)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, eps=1e-7, weight_decay=0.004)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)


def model_not_for_data(args: argparse.Namespace, problem: str) -> GruvisionTorchError:
    """--model was made for other images than --data holds: the error naming the model, the problem and the fix."""
    return GruvisionTorchError(
        "INVALID_ARGUMENT", f"{args.model}: {problem}. Export the dataset the model was made for.", file=args.model
    )


def metadata_for(args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    """The gruvision metadata of the model to train: from --model, or built from the flags and the dataset."""
    if args.model:
        meta = json.loads(json.dumps(read_metadata(args.model)))
        if meta["input"] != data.shape:
            raise model_not_for_data(
                args,
                f"the model reads {meta['input']['height']}×{meta['input']['width']}×{meta['input']['channels']} images "
                f"but {args.data} holds {data.height}×{data.width}×{data.channels}",
            )
        if meta["classNames"] != data.class_names:
            raise model_not_for_data(
                args,
                f"the model's classes ({', '.join(meta['classNames'][:5])}…) differ from {args.data}'s "
                f"({', '.join(data.class_names[:5])}…)",
            )
        meta.pop("training", None)
    else:
        view: dict[str, Any] = {"mode": args.view}
        if args.view == "patches":
            view["patchSize"] = args.patch_size
        steps, features = view_shape(view, data.shape, "--view")
        cell = {"gru": "gru", "lstm": "lstm", "rnn": "simpleRnn"}[args.cell]
        layer: dict[str, Any] = {"cell": cell, "units": args.units, "recurrentActivation": "sigmoid"}
        if cell == "gru":
            layer["resetAfter"] = True
        if args.bidirectional:
            layer["bidirectional"] = True
        source = data.source
        meta = {
            "formatVersion": ARTIFACT_FORMAT_VERSION,
            "version": "0.0.0",
            "classNames": data.class_names,
            "input": data.shape,
            "view": view,
            "preprocess": "mnist" if source == "mnist" or source.startswith("idx:") else "none",
            "spec": {
                "timeSteps": steps,
                "features": features,
                "layers": [dict(layer) for _ in range(args.layers)],
                "classes": len(data.class_names),
            },
            "seed": args.seed,
        }
    if args.reset_after:
        for layer in meta["spec"]["layers"]:
            if layer["cell"] == "gru":
                layer["resetAfter"] = True
    meta["seed"] = args.seed
    return meta


def initial_state(args: argparse.Namespace, meta: dict[str, Any]) -> dict[str, torch.Tensor] | None:
    if not args.init:
        return None
    if args.init.endswith(".safetensors"):
        tensors, _ = load_file(args.init)
        return tensors
    init_meta, weights = read_gruvision_weights(args.init)
    if init_meta["spec"] != meta["spec"]:
        raise GruvisionTorchError(
            "WEIGHTS_MISMATCH",
            f"{args.init}: its spec differs from the model being trained. Pass --init with weights of the same model.",
            file=args.init,
        )
    return keras_to_state_dict(init_meta["spec"], weights)


def log(rank: int, text: str) -> None:
    if rank == 0:
        print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        raise GruvisionTorchError("INVALID_ARGUMENT", "--device cuda: PyTorch sees no GPU here. Use --device cpu.")
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    backend = args.backend if args.backend != "auto" else ("nccl" if use_cuda else "gloo")
    # Like torchrun: OMP_NUM_THREADS when set, else one thread per process (more threads than cores, or
    # threads fighting other processes, make small recurrent matrices many times slower).
    threads = args.threads or max(1, int(os.environ.get("OMP_NUM_THREADS", "1") or 1))
    torch.set_num_threads(threads)
    if world > 1:
        if "MASTER_ADDR" not in os.environ or "MASTER_PORT" not in os.environ:
            raise GruvisionTorchError(
                "INVALID_ARGUMENT",
                f"WORLD_SIZE is {world} but MASTER_ADDR / MASTER_PORT are not set. Start the processes with torchrun or "
                "`python3 -m gruvision_torch.launch --nproc N -- …`.",
            )
        if use_cuda:
            torch.cuda.set_device(device)
        dist.init_process_group(backend, init_method="env://", rank=rank, world_size=world, timeout=timedelta(minutes=10))
    try:
        return _train(args, rank, world, device, backend, threads)
    finally:
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _train(args: argparse.Namespace, rank: int, world: int, device: torch.device, backend: str, threads: int) -> dict[str, Any]:
    if args.batch_size % world:
        raise GruvisionTorchError(
            "INVALID_ARGUMENT",
            f"--batch-size {args.batch_size} does not split evenly over {world} processes. Pick a multiple of {world}.",
        )
    data = load_dataset(args.data)
    meta = metadata_for(args, data)
    if meta["view"].get("normalize") is None:
        meta["view"]["normalize"] = compute_normalization(data.train.pixels)
    x_train = to_sequences(data.train.pixels, meta["view"], data.shape)
    y_train = data.train.labels
    module = build_module(meta, args.model or "--cell/--units")
    state = initial_state(args, meta)
    if state is not None:
        load_state(module, state, args.init)
    else:
        keras_init(module, args.seed)
    module.to(device)
    model = DistributedDataParallel(module, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else module
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    n = x_train.shape[0]
    batch = args.batch_size
    per_rank = batch // world
    batches = math.ceil(n / batch)
    parameters = sum(p.numel() for p in module.parameters())
    log(
        rank,
        f"training {meta['spec']['layers'][0]['cell'].upper()}-{module.units}{f' ×{module.num_layers}' if module.num_layers > 1 else ''} "
        f"({parameters} parameters) on {n} images, {world} process{'es' if world > 1 else ''} ({backend if world > 1 else 'no DDP'}, "
        f"{device}, {threads} thread{'s' if threads > 1 else ''} each), {args.epochs} epochs of {batches} batches of {batch}",
    )
    start = time.perf_counter()
    history = []
    for epoch in range(args.epochs):
        model.train()
        generator = torch.Generator().manual_seed(args.seed * 100_003 + epoch)
        order = torch.randperm(n, generator=generator)
        if batches * batch > n:  # pad the last batch by wrapping around, so every process gets its share
            order = torch.cat([order, order[: batches * batch - n]])
        sums = torch.zeros(3, dtype=torch.float64)  # loss·count, correct, count (this process)
        epoch_start = time.perf_counter()
        for b in range(batches):
            lr = learning_rate_at(args.lr, args.schedule, epoch, b, batches, args.epochs)
            for group in optimizer.param_groups:
                group["lr"] = lr
            idx = order[b * batch + rank * per_rank : b * batch + (rank + 1) * per_rank]
            x = x_train[idx].to(device, non_blocking=True)
            y = y_train[idx].to(device, non_blocking=True)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if args.clip_norm:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_norm)
            optimizer.step()
            if not math.isfinite(loss.item()):
                raise GruvisionTorchError(
                    "NON_FINITE",
                    f"training diverged: the loss became {loss.item()} at epoch {epoch + 1}, batch {b + 1} with learning rate {lr}. "
                    f"Lower --lr (e.g. {args.lr / 10}) or pass --clip-norm 1.",
                )
            sums += torch.tensor([loss.item() * len(idx), (logits.argmax(1) == y).sum().item(), len(idx)], dtype=torch.float64)
        if world > 1:
            dist.all_reduce(sums)
        entry = {
            "epoch": epoch + 1,
            "loss": float(sums[0] / sums[2]),
            "accuracy": float(sums[1] / sums[2]),
            "learningRate": lr,
            "seconds": time.perf_counter() - epoch_start,
        }
        history.append(entry)
        log(rank, f"epoch {epoch + 1}/{args.epochs}: loss {entry['loss']:.4f}, accuracy {100 * entry['accuracy']:.2f}% ({entry['seconds']:.1f} s)")
    seconds = time.perf_counter() - start
    test = evaluate(module, data, meta, rank, world, device)
    module.cpu()
    state_dict = {k: v.detach().clone() for k, v in module.state_dict().items()}
    if args.rank_weights:
        save_file(state_dict, os.path.join(args.rank_weights, f"rank{rank}.safetensors"), pure=True)
    meta["training"] = {
        "engine": f"pytorch-ddp-{backend}-x{world}" if world > 1 else "pytorch",
        "epochs": args.epochs,
        "samples": n,
        "batchSize": batch,
        "optimizer": {"type": args.optimizer, "learningRate": args.lr},
        "seconds": seconds,
        "loss": history[-1]["loss"],
        "accuracy": history[-1]["accuracy"],
    }
    if rank == 0:
        save_file(state_dict, args.out, {"format": "pt", "gruvision": json.dumps(meta, separators=(",", ":"))})
    return {
        "type": "result",
        "out": os.path.abspath(args.out),
        "testAccuracy": test["accuracy"],
        "testLoss": test["loss"],
        "testCount": test["count"],
        "seconds": seconds,
        "processes": world,
        "backend": backend if world > 1 else None,
        "threads": threads,
        "parameters": parameters,
        "history": history,
        "gruvisionTorch": __version__,
    }


@torch.no_grad()
def evaluate(module: torch.nn.Module, data: Dataset, meta: dict[str, Any], rank: int, world: int, device: torch.device) -> dict[str, float]:
    """Test accuracy and mean loss, each process scoring every W-th image, summed over processes."""
    module.eval()
    pixels = data.test.pixels[rank::world]
    labels = data.test.labels[rank::world]
    sums = torch.zeros(3, dtype=torch.float64)
    for start in range(0, pixels.shape[0], 1000):
        x = to_sequences(pixels[start : start + 1000], meta["view"], data.shape).to(device)
        y = labels[start : start + 1000].to(device)
        logits = module(x)
        sums += torch.tensor(
            [F.cross_entropy(logits, y, reduction="sum").item(), (logits.argmax(1) == y).sum().item(), y.shape[0]],
            dtype=torch.float64,
        )
    if world > 1:
        dist.all_reduce(sums)
    count = max(1.0, float(sums[2]))
    return {"accuracy": float(sums[1]) / count, "loss": float(sums[0]) / count, "count": int(sums[2])}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rank = int(os.environ.get("RANK", "0"))
    try:
        result = run(args)
    except GruvisionTorchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    if rank == 0:
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"test accuracy {100 * result['testAccuracy']:.2f}% ({round(result['testAccuracy'] * result['testCount'])}/{result['testCount']}), "
                f"loss {result['testLoss']:.4f} after {args.epochs} epochs in {result['seconds']:.1f} s on {result['processes']} process(es)"
            )
            print(f"weights saved to {result['out']} (bring them back with: gruvision import {result['out']} --out <dir>)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
