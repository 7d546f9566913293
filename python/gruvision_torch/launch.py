"""Start N training processes on this machine with the standard DDP environment — a small stand-in for
``torchrun`` (Debian's ``torchrun`` fails on Python 3.11).

    python3 -m gruvision_torch.launch --nproc 2 -- --model model.json --data data/mnist --out out.safetensors

Each process runs ``python3 -m gruvision_torch.train <arguments after -->`` with ``MASTER_ADDR``,
``MASTER_PORT``, ``WORLD_SIZE`` (= nnodes·nproc), ``RANK`` (= node_rank·nproc + local rank),
``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, and ``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` (cores / nproc
unless already set). When Debian's pthread OpenBLAS is installed, its folder goes first on
``LD_LIBRARY_PATH``. Several machines: run the same command on each with ``--nnodes``, ``--node-rank``
and ``--master-addr`` of node 0. If one process fails, the others are stopped and the launcher exits
with its code.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

OPENBLAS_PTHREAD = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def child_environment(base: dict[str, str], *, rank: int, local_rank: int, world: int, nproc: int, addr: str, port: int) -> dict[str, str]:
    env = dict(base)
    threads = str(max(1, (os.cpu_count() or 1) // nproc))
    env.update(
        MASTER_ADDR=addr,
        MASTER_PORT=str(port),
        WORLD_SIZE=str(world),
        RANK=str(rank),
        LOCAL_RANK=str(local_rank),
        LOCAL_WORLD_SIZE=str(nproc),
    )
    env.setdefault("OMP_NUM_THREADS", threads)
    env.setdefault("OPENBLAS_NUM_THREADS", threads)
    if os.path.isdir(OPENBLAS_PTHREAD) and OPENBLAS_PTHREAD not in env.get("LD_LIBRARY_PATH", ""):
        env["LD_LIBRARY_PATH"] = ":".join(p for p in (OPENBLAS_PTHREAD, env.get("LD_LIBRARY_PATH", "")) if p)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = ":".join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" in argv:
        split = argv.index("--")
        own, rest = argv[:split], argv[split + 1 :]
    else:
        own, rest = argv, []
    parser = argparse.ArgumentParser(
        prog="python3 -m gruvision_torch.launch",
        description="Start --nproc training processes with MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE set; arguments after -- go to gruvision_torch.train.",
    )
    parser.add_argument("--nproc", type=int, default=1, help="processes on this machine (one per GPU, or per group of cores)")
    parser.add_argument("--nnodes", type=int, default=1, help="machines taking part")
    parser.add_argument("--node-rank", type=int, default=0, help="this machine's index, 0 … nnodes−1")
    parser.add_argument("--master-addr", default="127.0.0.1", help="address of node 0")
    parser.add_argument("--master-port", type=int, default=29500, help="a free TCP port on node 0")
    parser.add_argument("--module", default="gruvision_torch.train", help=argparse.SUPPRESS)
    args = parser.parse_args(own)
    if args.nproc < 1 or args.nnodes < 1 or not 0 <= args.node_rank < args.nnodes:
        parser.error("--nproc and --nnodes must be ≥ 1 and 0 ≤ --node-rank < --nnodes")
    world = args.nnodes * args.nproc
    children: list[subprocess.Popen[bytes]] = []
    for local_rank in range(args.nproc):
        rank = args.node_rank * args.nproc + local_rank
        env = child_environment(
            dict(os.environ), rank=rank, local_rank=local_rank, world=world, nproc=args.nproc, addr=args.master_addr, port=args.master_port
        )
        children.append(subprocess.Popen([sys.executable, "-m", args.module, *rest], env=env))

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while any(child.poll() is None for child in children):
        for child in children:
            status = child.poll()
            if status not in (None, 0) and code == 0:
                code = status if status > 0 else 128 - status
                print(f"launch: process {children.index(child)} exited with {status}; stopping the others", file=sys.stderr)
                for other in children:
                    if other.poll() is None:
                        other.terminate()
        time.sleep(0.1)
    for child in children:
        if child.returncode not in (0, None) and code == 0:
            code = child.returncode if child.returncode > 0 else 128 - child.returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
