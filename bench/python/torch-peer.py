"""The PyTorch peer of `pnpm bench --peers`, and the exporter of the ONNX fixture its onnxruntime peers run.

The model is the benchmark's: GRU-128 over 28 steps of 28 features, a dense layer to 10 classes, softmax;
trained with Adam (1e-3) on batches of 128 (cross-entropy). Run with Debian's python3-torch:

    /usr/bin/python3 bench/python/torch-peer.py export-onnx      # writes bench/fixtures/gru128-mnist-rows.onnx
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 \\
      /usr/bin/python3 bench/python/torch-peer.py measure --threads 1 --seconds 6   # one JSON row on stdout

`measure` prints the row format of bench/src/common.ts (BenchResult plus peakMemoryMB); progress goes to
stderr. `bench/src/run.ts` runs it as a child process, with the environment above.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch

TIME_STEPS = 28
FEATURES = 28
UNITS = 128
CLASSES = 10
BATCH = 128
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "gru128-mnist-rows.onnx")


class GruClassifier(torch.nn.Module):
    """x [batch, 28, 28] -> class probabilities [batch, 10] (softmax of the last hidden state's logits)."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = torch.nn.GRU(FEATURES, UNITS, batch_first=True)
        self.dense = torch.nn.Linear(UNITS, CLASSES)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.gru(x)
        return self.dense(h[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=-1)


def export_onnx(out: str) -> None:
    """PyTorch's default initialization with seed 0, exported with a dynamic batch axis (opset 14)."""
    torch.manual_seed(0)
    model = GruClassifier().eval()
    torch.onnx.export(
        model,
        torch.rand(1, TIME_STEPS, FEATURES),
        out,
        input_names=["x"],
        output_names=["probabilities"],
        dynamic_axes={"x": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=14,
    )
    print(f"wrote {os.path.normpath(out)} (torch {torch.__version__}, opset 14)")


def timed(step, seconds: float, min_runs: int):
    """Runs per wall-clock second and per CPU second (this process, all threads), and the run count."""
    start, cpu = time.perf_counter(), time.process_time()
    runs = 0
    while runs < min_runs or time.perf_counter() - start < seconds:
        step()
        runs += 1
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return runs / wall, runs / max(used, 1e-9), runs


def median_ms(step, runs: int) -> float:
    step()
    step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[runs // 2]


def measure(threads: int, seconds: float) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = GruClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(BATCH, TIME_STEPS, FEATURES)
    y = torch.randint(0, CLASSES, (BATCH,))
    x1 = x[:1].clone()

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model.logits(x), y).backward()
        optimizer.step()

    print(f"pytorch-{threads}: torch {torch.__version__}, {threads} thread(s); warming up", file=sys.stderr)
    train_step()
    train_step()
    train = timed(train_step, seconds, 3)
    with torch.inference_mode():
        model.eval()
        model(x)
        infer = timed(lambda: model(x), seconds / 2, 3)
        latency = median_ms(lambda: model(x1), 201)
    return {
        "engine": f"pytorch-{threads}",
        "threads": threads,
        "trainSamplesPerSec": train[0] * BATCH,
        "inferSamplesPerSec": infer[0] * BATCH,
        "trainSamplesPerCpuSec": train[1] * BATCH,
        "inferSamplesPerCpuSec": infer[1] * BATCH,
        "latencyMs": latency,
        "trainBatches": train[2],
        "inferBatches": infer[2],
        "peakMemoryMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "version": torch.__version__,
        "blas": os.environ.get("LD_LIBRARY_PATH", ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export-onnx", help="write the ONNX fixture")
    export.add_argument("--out", default=FIXTURE)
    run = commands.add_parser("measure", help="print one bench row (JSON) on stdout")
    run.add_argument("--threads", type=int, default=1)
    run.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args()
    if args.command == "export-onnx":
        export_onnx(args.out)
    else:
        print(json.dumps(measure(args.threads, args.seconds)))


if __name__ == "__main__":
    main()
