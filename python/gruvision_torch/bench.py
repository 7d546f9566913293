"""Wall time of the same training job on 1, 2, … DDP processes (gloo, one thread each).

    python3 -m gruvision_torch.bench --data data/mnist-10k --nproc 1,2 --rounds 2 -- --units 64 --epochs 2

Arguments after ``--`` go to every run of ``gruvision_torch.train`` (``--data`` and ``--out`` are set
here). Rounds interleave the process counts, so a change in machine load hits them alike. Prints one
line per run and a summary; ``--json`` prints the runs as JSON instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    own, rest = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(prog="python3 -m gruvision_torch.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="folder written by `gruvision export-data`")
    parser.add_argument("--nproc", default="1,2", help="comma-separated process counts")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--master-port", type=int, default=29650)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(own)
    counts = [int(n) for n in args.nproc.split(",")]
    runs = []
    out_dir = tempfile.mkdtemp(prefix="gruvision-bench-")
    for round_ in range(args.rounds):
        for n in counts:
            out = os.path.join(out_dir, f"n{n}.safetensors")
            command = [sys.executable, "-m", "gruvision_torch.launch", "--nproc", str(n), "--master-port", str(args.master_port + round_),
                       "--", "--data", args.data, "--out", out, "--threads", "1", "--json", *rest]  # fmt: skip
            env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
            env["PYTHONPATH"] = ":".join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
            start = time.perf_counter()
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return result.returncode
            document = json.loads(result.stdout.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            run = {"processes": n, "round": round_ + 1, "wallSeconds": wall, "trainSeconds": document["seconds"],
                   "testAccuracy": document["testAccuracy"], "loadAverage": load}  # fmt: skip
            runs.append(run)
            if not args.json:
                print(f"{n} process(es): wall {wall:.1f} s, training {document['seconds']:.1f} s, test accuracy {100 * document['testAccuracy']:.2f}% (load {load:.1f})")
    if args.json:
        print(json.dumps(runs))
    else:
        for n in counts:
            mine = [r["trainSeconds"] for r in runs if r["processes"] == n]
            print(f"{n} process(es): best training time {min(mine):.1f} s over {len(mine)} run(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
