"""Tests of the parity runner itself, on a made-up suite and a stand-in server (no Spark suites,
no Basin): outcomes are recorded, a hung test times out, a dead server is a crash of the test
that was running, and the run goes on after both.

    .venv/bin/python -m pytest test/connect_parity
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_parity  # noqa: E402

FAKE_MODULE = "pyspark.sql.tests.connect.test_parity_runner_selftest"

FAKE_TESTS = '''
import os
import signal
import time
import unittest


class SelfTest(unittest.TestCase):
    def test_a_passes(self):
        pass

    def test_b_fails(self):
        self.assertEqual(1, 2, "one is not two")

    def test_c_hangs(self):
        time.sleep(600)

    def test_d_kills_the_server(self):
        with open(os.environ["SELFTEST_SERVER_PID"]) as f:
            os.kill(int(f.read()), signal.SIGKILL)
        time.sleep(600)

    @unittest.skip("not today")
    def test_e_skipped(self):
        pass

    def test_f_errors(self):
        raise KeyError("missing")

    def test_g_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)
'''

FAKE_SERVER = '''#!/bin/sh
echo $$ > "$SELFTEST_SERVER_PID"
echo "Basin Spark Connect server ready on sc://127.0.0.1:1 (self-test)"
exec sleep 600
'''


@pytest.fixture
def setup(tmp_path, monkeypatch):
    suites = tmp_path / "suites"
    connect = suites / "pyspark" / "sql" / "tests" / "connect"
    connect.mkdir(parents=True)
    (suites / "pyspark" / "sql" / "tests" / "__init__.py").write_text("")
    (connect / "__init__.py").write_text("")
    (connect / "test_parity_runner_selftest.py").write_text(textwrap.dedent(FAKE_TESTS))
    server_script = tmp_path / "fake-basin"
    server_script.write_text(FAKE_SERVER)
    server_script.chmod(0o755)
    monkeypatch.setenv("SELFTEST_SERVER_PID", str(tmp_path / "server.pid"))
    server = run_parity.Server(server_script, tmp_path / "warehouse", tmp_path)
    server.start()
    yield suites, server, tmp_path
    server.stop(timeout=2)


def test_outcomes_timeout_and_crash(setup):
    suites, server, tmp_path = setup
    args = SimpleNamespace(suites=suites, test_timeout=4.0, module_timeout=120.0)
    begin = time.time()
    result = run_parity.run_module(FAKE_MODULE, server, args, tmp_path / "work", time.time() + 300)
    tests = {t.rsplit(".", 1)[-1]: r for t, r in result["tests"].items()}

    assert tests["test_a_passes"]["outcome"] == "passed"
    assert tests["test_b_fails"]["outcome"] == "failed"
    assert "one is not two" in tests["test_b_fails"]["error"]
    assert tests["test_c_hangs"]["error_type"] == "Timeout"
    assert tests["test_d_kills_the_server"]["error_type"] == "ServerCrash"
    assert tests["test_e_skipped"]["outcome"] == "skipped"
    assert tests["test_f_errors"] == {**tests["test_f_errors"], "outcome": "error",
                                      "error_type": "KeyError"}
    assert tests["test_g_subtests"]["outcome"] == "failed"
    # Both incidents are listed with the test that caused them, and the server came back.
    kinds = {(c["kind"], c["test"].rsplit(".", 1)[-1]) for c in result["crashes"]}
    assert kinds == {("hang", "test_c_hangs"), ("crash", "test_d_kills_the_server")}
    assert "killed by SIGKILL" in next(c["exit"] for c in result["crashes"] if c["kind"] == "crash")
    assert server.starts == 3 and server.alive()
    assert time.time() - begin < 60


def test_counts_and_line():
    tests = {"a": {"outcome": "passed"}, "b": {"outcome": "failed"}, "c": {"outcome": "error"},
             "d": {"outcome": "skipped"}, "e": {"outcome": "xfail"}, "f": {"outcome": "xpass"}}
    assert run_parity.count_line("m", run_parity.counts(tests)) == \
        "m: passed 1, failed 2, errors 1, skipped 2"


@pytest.mark.parametrize("record, expected", [
    ({"error_type": "AnalysisException",
      "error": "[UNRESOLVED_ROUTINE] Cannot resolve routine `parse_json` on search path"},
     ("function missing (UNRESOLVED_ROUTINE)", "parse_json")),
    ({"error_type": "UnsupportedOperationException",
      "error": "[UNSUPPORTED_FEATURE] The Spark Connect relation 'transpose' is not "
               "supported yet."},
     ("Connect relation/command/feature not supported yet", "'transpose'")),
    ({"error_type": "AssertionError", "error": "AnalysisException not raised by <lambda>"},
     ("error expected but none raised", "AnalysisException")),
    ({"error_type": "AssertionError", "error": "1 != 10"}, ("wrong result (AssertionError)", "")),
    ({"error_type": "ServerCrash", "error": "Basin server killed by SIGSEGV during this test"},
     ("Basin server crashed", "")),
    ({"error_type": "SparkRuntimeException", "error": "[PIVOT_VALUE_DATA_TYPE_MISMATCH] x"},
     ("SparkRuntimeException [PIVOT_VALUE_DATA_TYPE_MISMATCH]", "")),
])
def test_failure_class(record, expected):
    assert run_parity.failure_class(record) == expected


def test_failure_class_same_as_on_spark():
    record = {"error_type": "AssertionError", "error": "'NOT_STR' != 'NOT_EXPECTED_TYPE'"}
    same = "failed: AssertionError: 'NOT_STR' != 'NOT_EXPECTED_TYPE'"
    assert run_parity.failure_class(record, same)[0] == run_parity.SKEW_CLASS
    other = "failed: AssertionError: 'NOT_INT' != 'NOT_EXPECTED_TYPE'"
    assert run_parity.failure_class(record, other)[0] == "wrong result (AssertionError)"


def test_compare_runs():
    before = {"modules": {"m": {"tests": {"a": {"outcome": "error"}, "b": {"outcome": "passed"},
                                          "gone": {"outcome": "passed"}}}}}
    after = {"modules": {"m": {"tests": {"a": {"outcome": "passed"}, "b": {"outcome": "passed"},
                                         "new": {"outcome": "failed"}}}}}
    assert run_parity.compare_runs(before, after) == [
        "changed: a: error -> passed", "changed: gone: passed -> absent",
        "changed: new: absent -> failed"]
