"""Runs one PySpark parity test module (or a subset of its tests) and writes one JSON line per
event to an events file, so that run_parity.py can watch progress, time out a hung test and
resume after it in a fresh process.

Not meant to be run by hand: run_parity.py starts it as

    python parity_worker.py --suites DIR --module M --events FILE (--list | --tests-file FILE)

DIR holds the suites as a `pyspark/sql/tests/...` tree; it is grafted onto the installed
`pyspark.sql` package so that `pyspark.sql.tests.connect.test_parity_*` import unchanged.
The server comes from SPARK_CONNECT_TESTING_REMOTE, which ReusedConnectTestCase reads.

Events: {"event": "start", "test": ID}, {"event": "end", "test": ID, "outcome": ...,
"error_type": ..., "error": FIRST_LINE, "detail": TRACEBACK_TAIL}, {"event": "class_error",
"class": ..., ...} for a failing setUpClass, and {"event": "done"}.
Outcomes: passed, failed, error, skipped, xfail, xpass.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
import unittest
from pathlib import Path

DETAIL_CHARS = 3000


def graft_suites(suites: Path) -> None:
    """Makes pyspark.sql.tests importable from `suites`, and pyspark.testing too when `suites`
    has its own copy (the helpers of the same commit as the tests win over the installed ones)."""
    import pyspark
    import pyspark.sql

    assert "pyspark.testing" not in sys.modules
    pyspark.sql.__path__.append(str(suites / "pyspark" / "sql"))
    if (suites / "pyspark" / "testing").is_dir():
        pyspark.__path__.insert(0, str(suites / "pyspark"))


def flatten(suite) -> list[unittest.TestCase]:
    out = []
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


class EventWriter:
    def __init__(self, path: Path):
        self.file = open(path, "a", buffering=1, encoding="utf-8")

    def write(self, **event) -> None:
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


class EventResult(unittest.TestResult):
    """A TestResult that reports each test's outcome as an event (one per test, subtests folded)."""

    def __init__(self, events: EventWriter):
        super().__init__()
        self.events = events
        self.current: dict | None = None

    def _describe(self, err) -> dict:
        exc_type, exc, tb = err
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        message = str(exc) if exc is not None else ""
        return {
            "error_type": exc_type.__name__ if exc_type else "",
            "error": first_line(message) or (exc_type.__name__ if exc_type else ""),
            "detail": text[-DETAIL_CHARS:],
        }

    def startTest(self, test):
        super().startTest(test)
        self.current = {"test": test.id(), "outcome": "passed"}
        self.events.write(event="start", test=test.id())

    def stopTest(self, test):
        super().stopTest(test)
        if self.current is not None:
            self.events.write(event="end", **self.current)
        self.current = None

    def _mark(self, test, outcome: str, err=None) -> None:
        if self.current is None or self.current["test"] != test.id():
            # Errors of class or module fixtures arrive outside startTest/stopTest.
            info = self._describe(err) if err else {}
            self.events.write(event="class_error", name=str(test), **info)
            return
        if self.current["outcome"] in ("failed", "error"):
            return  # keep the first failure of a test with several subtests
        self.current["outcome"] = outcome
        if err is not None:
            self.current.update(self._describe(err))

    def addError(self, test, err):
        super().addError(test, err)
        self._mark(test, "error", err)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark(test, "failed", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if self.current is None or self.current["test"] != test.id():
            self.events.write(event="class_skip", name=str(test), reason=reason)
            return
        self.current["outcome"] = "skipped"
        self.current["error"] = first_line(reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._mark(test, "xfail", err)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark(test, "xpass")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            outcome = "failed" if issubclass(err[0], test.failureException) else "error"
            self._mark(test, outcome, err)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--suites", type=Path, required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--list", action="store_true", help="only list the test ids")
    parser.add_argument("--tests-file", type=Path, help="JSON list of test ids to run, in order")
    args = parser.parse_args()

    events = EventWriter(args.events)
    graft_suites(args.suites)
    loader = unittest.TestLoader()
    try:
        module_suite = loader.loadTestsFromName(args.module)
    except Exception:
        text = traceback.format_exc()
        events.write(event="import_error", error=first_line(text.splitlines()[-1]),
                     detail=text[-DETAIL_CHARS:])
        return 3
    tests = flatten(module_suite)
    if args.list:
        events.write(event="list", tests=[t.id() for t in tests])
        events.write(event="done")
        return 0

    wanted = json.loads(args.tests_file.read_text())
    by_id = {t.id(): t for t in tests}
    suite = unittest.TestSuite([by_id[name] for name in wanted if name in by_id])
    result = EventResult(events)
    suite.run(result)
    events.write(event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
