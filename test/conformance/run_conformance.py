#!/usr/bin/env python3
"""Reads every table of the shared Delta conformance corpus through the `basin` CLI and compares
the result with the corpus's expected results (see ../shared/delta-conformance/SOURCES.md).

Prints one summary line per corpus, the reason for every failure and skip, and a total line.
Exits 1 if any case failed.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import datetime as dt
import decimal
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
CORPORA = ["dat", "delta-golden-tables", "delta-kernel-rs-test-tables", "delta-rs-test-tables",
           "delta-spark-test-tables"]
TIMEOUT_S = 120

# Cases whose CASES.tsv notes say a reader must refuse them, though they are not marked MUST FAIL.
REFUSE = {
    "data-reader-absolute-paths-escaped-chars": "no metaData action in the log",
    "hive": "a folder of tables, not a table",
    "crc-malformed": "only a .crc file, no commits",
    "table-with-geo": "geospatial feature beyond the spec",
    "simple_table_features": "reader version 5 and an unknown feature",
}


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def run_basin(basin, *args):
    try:
        proc = subprocess.run([basin, *map(str, args)], capture_output=True, text=True,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out after {TIMEOUT_S}s: basin {' '.join(map(str, args))}")
    if proc.returncode < 0 or proc.returncode >= 128:
        raise Failure(f"crashed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    return proc


def read_table(basin, root, *extra, changes=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.parquet"
        if changes is not None:
            args = ["table", "changes", root, "--from-version", changes[0]]
            if changes[1] is not None:
                args += ["--to-version", changes[1]]
        else:
            args = ["table", "read", root, *extra]
        proc = run_basin(basin, *args, "--format", "parquet", "-o", out)
        if proc.returncode != 0:
            raise Failure(f"read failed: {proc.stderr.strip()[:300]}")
        return pq.read_table(out)


# ---- value normalization: both sides become comparable text -------------------------------

def norm_time_text(text: str) -> str:
    t = text.strip().replace("T", " ")
    if t.endswith("Z"):
        t = t[:-1]
    t = re.sub(r"\+00:?00$", "", t)
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", t):
        pass
    return t


def norm_value(v):
    """Canonical text of a Python value read from Arrow."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return format(v, ".6g")
    if isinstance(v, decimal.Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v.normalize(), "f")
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return norm_time_text(v.isoformat(sep=" "))
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, list) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        # A map (pyarrow gives a list of (key, value) tuples): printed like a struct.
        return "{" + ",".join(f"{norm_value(k)}:{norm_value(x)}" for k, x in v) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(str(norm_value(x)) for x in v) + "]"
    if isinstance(v, dict):
        items = list(v.items())
        if set(v) == {"metadata", "value"}:
            # A variant's binary struct: the expectations print metadata first, Delta files
            # (and Spark) store value first.
            items.sort()
        return "{" + ",".join(f"{k}:{norm_value(x)}" for k, x in items) + "}"
    return str(v)


def norm_text(text: str, like):
    """Canonical text of an expected cell, shaped by the type of the actual value `like`."""
    if text is None or text == "":
        return ""
    if isinstance(like, (dict, list)):
        # Nested values are printed like "{a: 1, b: 2}": compare without the spaces.
        return re.sub(r"([:,])\s+", r"\1", text.strip())
    if isinstance(like, bool):
        return text.strip().lower()
    if isinstance(like, float):
        try:
            f = float(text)
            return "NaN" if math.isnan(f) else format(f, ".6g")
        except ValueError:
            return text
    if isinstance(like, decimal.Decimal):
        try:
            d = decimal.Decimal(text.strip())
            return format(d.normalize(), "f")
        except decimal.InvalidOperation:
            return text
    if isinstance(like, dt.datetime):
        return norm_time_text(text)
    if isinstance(like, int):
        try:
            return str(int(text))
        except ValueError:
            return text.strip()
    return text


def rows_of(table: pa.Table):
    return [tuple(r[c] for c in table.column_names) for r in table.to_pylist()]


def compare_rows(actual_rows, expected_rows, columns, what):
    """Compares two multisets of rows, given as tuples (actual values, expected texts or values)."""
    if len(actual_rows) != len(expected_rows):
        raise Failure(f"{what}: {len(actual_rows)} rows, expected {len(expected_rows)}")
    # Types are taken from the first non-null actual value of each column.
    likes = []
    for i in range(len(columns)):
        like = next((r[i] for r in actual_rows if r[i] is not None), None)
        likes.append(like)
    act = sorted(tuple(str(norm_value(v)) for v in r) for r in actual_rows)
    exp = sorted(tuple(str(norm_text(v, likes[i]) if isinstance(v, str) else norm_value(v))
                       for i, v in enumerate(r)) for r in expected_rows)
    if act != exp:
        for a, e in zip(act, exp):
            if a != e:
                raise Failure(f"{what}: row {a} != expected {e} (columns {columns})")
        raise Failure(f"{what}: rows differ")


def compare_tables(actual: pa.Table, expected: pa.Table, what):
    if sorted(actual.column_names) != sorted(expected.column_names):
        raise Failure(f"{what}: columns {actual.column_names} != expected {expected.column_names}")
    expected = expected.select(actual.column_names)
    compare_rows(rows_of(actual), rows_of(expected), actual.column_names, what)


# ---- expected-result forms ----------------------------------------------------------------

def parse_text_table(path: Path):
    header, rows, meta = None, [], {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        else:
            rows.append(tuple(None if c == "" else c for c in cells))
    return header, rows, meta


def apply_filter(table: pa.Table, text: str) -> pa.Table:
    if text in ("", "none"):
        return table
    mask = None
    for part in re.split(r"\s+AND\s+", text):
        m = re.fullmatch(r"(\w+)\s+IS\s+(NOT\s+)?NULL", part)
        if m:
            col = table[m.group(1)]
            cond = pc.is_valid(col) if m.group(2) else pc.is_null(col)
        else:
            m = re.fullmatch(r"(\w+)\s*(>=|<=|=|>|<|!=)\s*(-?\d+(?:\.\d+)?)", part)
            if not m:
                raise Skip(f"filter '{text}' is not one the runner can evaluate")
            col, op, lit = table[m.group(1)], m.group(2), float(m.group(3))
            fn = {">": pc.greater, "<": pc.less, ">=": pc.greater_equal, "<=": pc.less_equal,
                  "=": pc.equal, "!=": pc.not_equal}[op]
            cond = pc.fill_null(fn(col, lit), False)
        mask = cond if mask is None else pc.and_(mask, cond)
    return table.filter(mask)


def check_text_expectations(basin, root, files):
    for f in files:
        header, rows, meta = parse_text_table(f)
        cdf = meta.get("change data feed read")
        if header is None:  # "(no rows)": the columns come from the header comment
            cols = meta.get("columns read", "")
            header = [c.strip() for c in cols.split(",")] if not cols.startswith("all") else None
        if cdf:
            m = re.search(r"start version (\d+), end version (\w+)", cdf)
            end = None if m.group(2) == "latest" else int(m.group(2))
            table = read_table(basin, root, changes=(int(m.group(1)), end))
            table = apply_filter(table, meta.get("filter", "none"))
        else:
            # These expectations come from kernel scans with a predicate: the predicate prunes
            # whole files by their statistics, and the rows of the kept files are returned.
            predicate = meta.get("filter", "none")
            extra = [] if predicate in ("", "none") else ["--files-where", predicate]
            table = read_table(basin, root, *extra)
        if header is None:
            header = table.column_names
        missing = [c for c in header if c not in table.column_names]
        if missing:
            raise Failure(f"{f.name}: columns {missing} not in the result {table.column_names}")
        table = table.select(header)
        compare_rows(rows_of(table), rows, header, f.name)


def check_json_expectation(basin, root, path: Path):
    spec = json.loads(path.read_text())
    if "versions" in spec:
        col = spec["column"]
        for version, values in spec["versions"].items():
            table = read_table(basin, root, "--version", version, "--columns", col)
            got = sorted(table[col].to_pylist(), key=lambda x: (x is None, x))
            want = sorted(values, key=lambda x: (x is None, x))
            if got != want:
                raise Failure(f"{path.name}: version {version}: {len(got)} values, expected "
                              f"{len(want)}; first difference "
                              f"{next(((a, b) for a, b in zip(got, want) if a != b), None)}")
        return
    if "cases" in spec:
        for case in spec["cases"]:
            cols = case["columns"]
            table = read_table(basin, root, "--columns", ",".join(cols))
            compare_rows(rows_of(table), [tuple(r) for r in case["rows"]], cols, path.name)
        return
    if "setup" in spec and "FOLDER_WITH_SPECIAL_CHAR" in spec["setup"]:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "t"
            shutil.copytree(root, copy)
            special = next(p for p in copy.iterdir() if p.is_dir() and p.name != "_delta_log")
            log = copy / "_delta_log" / "00000000000000000000.json"
            log.write_text(log.read_text().replace("{{FOLDER_WITH_SPECIAL_CHAR}}", str(special)))
            table = read_table(basin, copy, "--columns", spec["column"])
            if sorted(table[spec["column"]].to_pylist()) != sorted(spec["rows"]):
                raise Failure(f"{path.name}: {table[spec['column']].to_pylist()} != {spec['rows']}")
        return
    if "rows" in spec and "columns" in spec:
        cols = spec["columns"]
        table = read_table(basin, root, "--columns", ",".join(cols))
        compare_rows(rows_of(table), [tuple(r) for r in spec["rows"]], cols, path.name)
        return
    raise Skip(f"{path.name}: no checker for this expectation form")


def check_dat(basin, case_dir: Path, root: Path):
    expected_dir = case_dir / "expected"
    for vdir in sorted(expected_dir.iterdir()):
        content = vdir / "table_content.parquet"
        if not content.exists():
            content_files = sorted(vdir.glob("table_content/*.parquet"))
            if not content_files:
                continue
            expected = pa.concat_tables([pq.read_table(p) for p in content_files])
        else:
            expected = pq.read_table(content)
        extra = [] if vdir.name == "latest" else ["--version", vdir.name.lstrip("v")]
        compare_tables(read_table(basin, root, *extra), expected, vdir.name)
    meta = expected_dir / "latest" / "table_version_metadata.json"
    if meta.exists():
        want = json.loads(meta.read_text())
        proc = run_basin(basin, "table", "detail", root)
        if proc.returncode != 0:
            raise Failure(f"detail failed: {proc.stderr.strip()[:200]}")
        got = json.loads(proc.stdout)
        for key, ours in (("min_reader_version", "minReaderVersion"),
                          ("min_writer_version", "minWriterVersion")):
            if key in want and want[key] != got.get(ours):
                raise Failure(f"{key}: {got.get(ours)} != expected {want[key]}")


# Tables whose zone-less TIMESTAMP partition values ("2021-09-08 11:11:11") were written, and whose
# expected/ rows were read back, by Spark in a session time zone other than UTC. Spark reads such a
# value as wall-clock time in the reader's session zone, so the runner reads it in the same zone.
# (Delta's golden-table generator ran in America/Los_Angeles; kernel-rs reads these in UTC and
# skips the case for that reason.)
WRITER_TIME_ZONE = {
    ("delta-golden-tables", "data-reader-partition-values"): "America/Los_Angeles",
}


def check_case(basin, shared: Path, corpus: str, row: dict):
    table = row["table"]
    case_dir = shared / corpus / table
    root = case_dir / "delta" if (case_dir / "delta").is_dir() else case_dir
    expectation = row.get("expectation", "")
    notes = row.get("notes", "")
    if "MUST FAIL" in expectation or table in REFUSE:
        proc = run_basin(basin, "table", "read", root, "--format", "jsonl", "-o", os.devnull)
        if proc.returncode == 0:
            raise Failure("read succeeded but the table must be refused")
        if not proc.stderr.startswith("["):
            raise Failure(f"error without an error class: {proc.stderr.strip()[:200]}")
        return
    if corpus == "dat":
        return check_dat(basin, case_dir, root)
    expected_dir = case_dir / "expected"
    parquet_files = sorted(glob.glob(str(expected_dir / "**" / "*.parquet"), recursive=True))
    if parquet_files:
        expected = pa.concat_tables([pq.read_table(p) for p in parquet_files],
                                    promote_options="default")
        extra = []
        if (corpus, table) in WRITER_TIME_ZONE:
            extra = ["--time-zone", WRITER_TIME_ZONE[(corpus, table)]]
        compare_tables(read_table(basin, root, *extra), expected, "full scan")
        return
    side = shared / corpus / "_expected" / table
    if side.is_dir():
        texts = sorted(side.glob("*.txt"))
        if texts:
            check_text_expectations(basin, root, texts)
        for j in sorted(side.glob("*.json")):
            check_json_expectation(basin, root, j)
        return
    if re.search(r"no data files|do not exist|files do not exist", notes):
        # The log refers to data files that were never copied: the snapshot must load.
        proc = run_basin(basin, "table", "detail", root)
        if proc.returncode != 0:
            raise Failure(f"snapshot did not load: {proc.stderr.strip()[:200]}")
        return
    try:
        read_table(basin, root)
    except Failure as e:
        # Fixtures that carry only a log: their data files were never part of the corpus. The
        # bar is then that the snapshot loads and names files that really are absent.
        m = re.search(r"File (.+?) referenced in the transaction log cannot be found", str(e))
        if not m or Path(m.group(1)).exists():
            raise
        proc = run_basin(basin, "table", "detail", root)
        if proc.returncode != 0:
            raise Failure(f"snapshot did not load: {proc.stderr.strip()[:200]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--basin", default=str(REPO / "build" / "basin"))
    parser.add_argument("--shared", default=os.environ.get(
        "BASIN_SHARED_DIR", str(REPO.parent / "shared" / "delta-conformance")))
    parser.add_argument("--corpus", action="append")
    parser.add_argument("--case")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "SOURCES.md").exists():
        print(f"conformance: corpus not found at {shared}")
        return 1
    known = {}
    for line in (Path(__file__).parent / "known_failures.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            corpus_name, case_name, reason = line.split("\t", 2)
            known[(corpus_name, case_name)] = reason
    totals = [0, 0, 0]
    known_failed, known_passed = [], []
    for corpus in args.corpus or CORPORA:
        with open(shared / corpus / "CASES.tsv", newline="") as f:
            rows = [r for r in csv.DictReader(f, delimiter="\t")
                    if not args.case or r["table"] == args.case]

        def one(row):
            try:
                check_case(args.basin, shared, corpus, row)
                return ("PASS", row["table"], "")
            except Skip as e:
                return ("SKIP", row["table"], str(e))
            except Failure as e:
                return ("FAIL", row["table"], str(e))
            except Exception as e:  # a bug in the runner or an unreadable result
                return ("FAIL", row["table"], f"{type(e).__name__}: {e}")

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(one, rows))
        # Known failures are reported apart; one that passes again is a failure of this list.
        adjusted = []
        known_here = 0
        for status, name, reason in results:
            if (corpus, name) in known:
                if status == "FAIL":
                    known_failed.append(f"{corpus}/{name}: {known[(corpus, name)]}")
                    known_here += 1
                    continue
                if status == "PASS":
                    known_passed.append(f"{corpus}/{name}")
                    status, reason = "FAIL", "listed in known_failures.tsv but passes: remove it"
            adjusted.append((status, name, reason))
        results = adjusted
        counts = {k: sum(1 for r in results if r[0] == k) for k in ("PASS", "FAIL", "SKIP")}
        print(f"conformance {corpus}: {counts['PASS']} passed, {counts['FAIL']} failed, "
              f"{counts['SKIP']} skipped" + (f" ({known_here} known failures)" if known_here else ""))
        for status, name, reason in results:
            if status != "PASS" or args.verbose:
                print(f"  {status} {name}: {reason}"[:400])
        totals[0] += counts["PASS"]
        totals[1] += counts["FAIL"]
        totals[2] += counts["SKIP"]
    if known_failed:
        print(f"conformance known failures ({len(known_failed)}, see known_failures.tsv):")
        for line in known_failed:
            print(f"  KNOWN {line}"[:300])
    print(f"conformance: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
