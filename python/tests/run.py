#!/usr/bin/env python3
"""Runs the gruvision_torch tests (unittest) and writes python/.test-results/python.json in the shape of
Vitest's JSON report (numPassedTests, numFailedTests, testResults[].assertionResults[]), so
scripts/test-summary.mjs counts them in CI's `N passed, N failed` line.

    /usr/bin/python3 python/tests/run.py [-k PATTERN]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, PYTHON_DIR)


class RecordingResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.records: list[dict] = []
        self._started: dict[str, float] = {}

    def startTest(self, test) -> None:
        self._started[test.id()] = time.perf_counter()
        super().startTest(test)

    def _record(self, test, status: str, message: str | None = None) -> None:
        duration = 1000 * (time.perf_counter() - self._started.get(test.id(), time.perf_counter()))
        module, _, name = test.id().partition(".")
        self.records.append(
            {
                "file": module,
                "title": name,
                "fullName": test.id(),
                "status": status,
                "duration": duration,
                "failureMessages": [message] if message else [],
            }
        )

    def addSuccess(self, test) -> None:
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err) -> None:
        super().addFailure(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err) -> None:
        super().addError(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._record(subtest, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason) -> None:
        super().addSkip(test, reason)
        self._record(test, "pending", reason)

    def addExpectedFailure(self, test, err) -> None:
        super().addExpectedFailure(test, err)
        self._record(test, "failed", "expected failures are not allowed")

    def addUnexpectedSuccess(self, test) -> None:
        super().addUnexpectedSuccess(test)
        self._record(test, "failed", "unexpected success")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="pattern", action="append", help="only tests whose name contains this")
    args = parser.parse_args()
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{p}*" for p in args.pattern]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    start = time.time()
    runner = unittest.TextTestRunner(verbosity=2, resultclass=RecordingResult, stream=sys.stderr)
    result: RecordingResult = runner.run(suite)  # type: ignore[assignment]
    # A test with failing subtests has a "failed" record per subtest and may also be reported as a success: keep one.
    failed_ids = {r["fullName"].split(" ", 1)[0] for r in result.records if r["status"] == "failed"}
    records = [r for r in result.records if not (r["status"] == "passed" and r["fullName"] in failed_ids)]
    seen: set[str] = set()
    unique = []
    for record in records:
        key = record["fullName"].split(" ", 1)[0] + record["status"]
        if record["status"] == "failed" and key in seen:
            continue
        seen.add(key)
        unique.append(record)
    # Modules that failed to import show up as errors of a synthetic test; they count as failures too.
    files: dict[str, list[dict]] = {}
    for record in unique:
        files.setdefault(record["file"], []).append(record)
    passed = sum(r["status"] == "passed" for r in unique)
    failed = sum(r["status"] == "failed" for r in unique)
    pending = sum(r["status"] == "pending" for r in unique)
    report = {
        "numTotalTests": len(unique),
        "numPassedTests": passed,
        "numFailedTests": failed,
        "numPendingTests": pending,
        "numTodoTests": 0,
        "numRuntimeErrorTestSuites": 0,
        "startTime": int(start * 1000),
        "success": failed == 0 and passed > 0,
        "testResults": [
            {
                "name": os.path.join(HERE, f"{name}.py"),
                "status": "failed" if any(r["status"] == "failed" for r in rows) else "passed",
                "assertionResults": [
                    {k: r[k] for k in ("title", "fullName", "status", "duration", "failureMessages")} for r in rows
                ],
            }
            for name, rows in files.items()
        ],
    }
    out = os.path.join(PYTHON_DIR, ".test-results")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "python.json"), "w", encoding="utf-8") as file:
        json.dump(report, file, indent=1)
    print(f"python: {passed} passed, {failed} failed" + (f", {pending} skipped" if pending else ""), file=sys.stderr)
    return 0 if report["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
