"""Shared by the Python tests: paths, the gruvision CLI, and the references gruvision makes (generated once)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

OPENBLAS_PTHREAD = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def scratch(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=f"gruvision-py-{prefix}-")


def run(command: list[str], cwd: str = REPO, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Runs a command, failing with its output when it exits non-zero."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited with {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
        )
    return result


def gruvision(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """The gruvision CLI from this checkout's sources (as `pnpm gruvision …`)."""
    return run(["pnpm", "-s", "gruvision", *args], timeout=timeout)


def python_env(threads: int = 1) -> dict[str, str]:
    """Environment of a gruvision_torch process: this package importable, OpenBLAS pthread build, few threads."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ":".join(p for p in (PYTHON_DIR, env.get("PYTHONPATH", "")) if p)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    if os.path.isdir(OPENBLAS_PTHREAD):
        env["LD_LIBRARY_PATH"] = ":".join(p for p in (OPENBLAS_PTHREAD, env.get("LD_LIBRARY_PATH", "")) if p)
    return env


@functools.lru_cache(maxsize=None)
def reference() -> dict:
    """Runs tests/reference.ts once: view sequences, a permutation, saved models and their probabilities."""
    out = scratch("reference")
    run(["pnpm", "exec", "tsx", "--conditions=@gruvision/source", "python/tests/reference.ts", out])
    with open(os.path.join(out, "reference.json"), encoding="utf-8") as file:
        return json.load(file)
