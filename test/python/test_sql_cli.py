"""`basin sql`: non-interactive runs, output formats, errors, the memory limit, and a differential
check of random expressions against DuckDB where Spark's and DuckDB's semantics agree."""

from __future__ import annotations

import json
import random
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def sql(basin, *args, check=True):
    return basin.run("sql", *args, check=check)


def test_query_prints_a_show_table(basin):
    out = sql(basin, "-e", "SELECT id, id * 2 AS twice FROM range(3)").stdout
    assert out.splitlines() == [
        "+---+-----+",
        "| id|twice|",
        "+---+-----+",
        "|  0|    0|",
        "|  1|    2|",
        "|  2|    4|",
        "+---+-----+",
    ]


def test_file_with_several_statements_writes_last_query(basin, tmp_path):
    script = tmp_path / "s.sql"
    script.write_text("SET spark.sql.session.timeZone = UTC;\n"
                      "CREATE TEMPORARY VIEW v AS SELECT id FROM range(5);\n"
                      "SELECT count(*) AS n FROM v;\n"
                      "SELECT id FROM v WHERE id > 2 ORDER BY id;\n")
    out = tmp_path / "out.parquet"
    sql(basin, "-f", script, "--format", "parquet", "-o", out)
    assert pq.read_table(out).to_pydict() == {"id": [3, 4]}


@pytest.mark.parametrize("query, error_class", [
    ("SELECT 1 / 0", "DIVIDE_BY_ZERO"),
    ("SELECT nope FROM range(1)", "UNRESOLVED_COLUMN.WITH_SUGGESTION"),
    ("SELEC 1", "PARSE_SYNTAX_ERROR"),
    ("SELECT * FROM missing_table", "TABLE_OR_VIEW_NOT_FOUND"),
    ("SELECT CAST('x' AS INT)", "CAST_INVALID_INPUT"),
])
def test_errors_print_class_and_exit_non_zero(basin, query, error_class):
    proc = sql(basin, "-e", query, check=False)
    assert proc.returncode != 0
    assert f"[{error_class}]" in proc.stderr, proc.stderr


def test_query_over_the_memory_limit_spills_and_finishes(basin, tmp_path):
    # 2 million groups and a full sort under a 32 MB limit.
    out = tmp_path / "out.parquet"
    spill = tmp_path / "spill"
    spill.mkdir()
    sql(basin, "--conf", "spark.driver.memory=32m", "--conf", f"basin.exec.spillDir={spill}",
        "-e", "SELECT k, count(*) AS c, sum(id) AS s FROM "
              "(SELECT id, id % 2000000 AS k FROM range(4000000)) GROUP BY k ORDER BY k DESC LIMIT 3",
        "--format", "parquet", "-o", out)
    got = pq.read_table(out).to_pydict()
    assert got["k"] == [1999999, 1999998, 1999997]
    assert got["c"] == [2, 2, 2]
    assert got["s"] == [1999999 + 3999999, 1999998 + 3999998, 1999997 + 3999997]
    assert not list(spill.iterdir()), "spill files must be removed at the end"


def test_interactive_shell_runs_statements_from_stdin(basin):
    proc = subprocess.run([str(basin.binary), "sql"], input="SELECT 40 +\n 2 AS answer;\nquit\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "|answer|" in proc.stdout and "|    42|" in proc.stdout
    assert "Fetched 1 row(s)" in proc.stderr


# ---------------------------------------------------------------------------------------------
# Differential: random integer/string expressions, Basin against DuckDB.

def random_expr(rng: random.Random, depth: int = 0) -> str:
    leaves = ["a", "b", "c", str(rng.randint(-5, 5))]
    if depth > 2 or rng.random() < 0.3:
        return rng.choice(leaves)
    kind = rng.randint(0, 6)
    x, y = random_expr(rng, depth + 1), random_expr(rng, depth + 1)
    if kind <= 2:
        return f"({x} {rng.choice(['+', '-', '*'])} {y})"
    if kind == 3:
        return f"(CASE WHEN {x} {rng.choice(['<', '>', '=', '<>'])} {y} THEN {x} ELSE {y} END)"
    if kind == 4:
        return f"coalesce({x}, {y})"
    if kind == 5:
        return f"abs({x})"
    return f"greatest({x}, {y})" if rng.random() < 0.5 else f"least({x}, {y})"


def random_predicate(rng: random.Random) -> str:
    p = f"{random_expr(rng)} {rng.choice(['<', '<=', '>', '>=', '=', '<>'])} {random_expr(rng)}"
    if rng.random() < 0.3:
        p = f"({p}) {rng.choice(['AND', 'OR'])} ({random_expr(rng)} IS NULL)"
    return p


ROWS = "VALUES (1, 2, 3), (-4, NULL, 7), (NULL, 5, -2), (0, 0, 0), (9, -9, 1), (NULL, NULL, NULL)"


def test_random_expressions_match_duckdb(basin):
    import duckdb

    rng = random.Random(20261125)
    exprs = [random_expr(rng) for _ in range(150)]
    preds = [random_predicate(rng) for _ in range(50)]
    select = ", ".join([f"{e} AS e{i}" for i, e in enumerate(exprs)] +
                       [f"CASE WHEN {p} THEN 1 ELSE 0 END AS p{i}" for i, p in enumerate(preds)])
    query = f"SELECT {select} FROM ({ROWS}) AS t(a, b, c) ORDER BY a NULLS FIRST, b NULLS FIRST, c NULLS FIRST"
    ours = basin.run("sql", "-e", query, "--format", "jsonl").stdout.splitlines()
    import json

    ours = [json.loads(line) for line in ours]
    theirs = duckdb.sql(query).fetchall()
    names = [f"e{i}" for i in range(len(exprs))] + [f"p{i}" for i in range(len(preds))]
    assert len(ours) == len(theirs)
    for row_ours, row_theirs in zip(ours, theirs):
        for name, value in zip(names, row_theirs):
            assert row_ours[name] == value, (name, (exprs + preds)[names.index(name)], row_ours[name], value)


def test_parquet_with_view_and_large_types_reads_as_spark_types(basin, tmp_path):
    # Newer Arrow writers store string_view / large types; Spark sees plain strings and arrays.
    path = tmp_path / "views.parquet"
    pq.write_table(pa.table({
        "s": pa.array(["a", "b", "c"], pa.string_view()),
        "b": pa.array([b"x", b"y", b"z"], pa.large_binary()),
        "l": pa.array([["x"], ["y"], []], pa.large_list(pa.large_string())),
    }), path)
    query = (f"SELECT s, upper(s) AS u, s LIKE 'a%' AS a, length(b) AS n, size(l) AS k, "
             f"typeof(s) AS t FROM parquet.`{path}` ORDER BY s DESC")
    lines = basin.run("sql", "-e", query, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == [
        {"s": "c", "u": "C", "a": False, "n": 1, "k": 0, "t": "string"},
        {"s": "b", "u": "B", "a": False, "n": 1, "k": 1, "t": "string"},
        {"s": "a", "u": "A", "a": True, "n": 1, "k": 1, "t": "string"},
    ]


def test_variants_print_as_json_in_every_text_format(basin):
    query = "SELECT parse_json('{\"b\":[1,2.5],\"a\":\"x\"}') AS v, parse_json('\"s\"') AS s"
    table = sql(basin, "-e", query).stdout.splitlines()
    # Spark's show(): the JSON text, a string variant with its quotes.
    assert table[3] == '|{"a":"x","b":[1,2.5]}|"s"|'
    line = sql(basin, "--format", "jsonl", "-e", query).stdout.strip()
    assert json.loads(line) == {"v": {"a": "x", "b": [1, 2.5]}, "s": "s"}
    csv_text = sql(basin, "--format", "csv", "-e", query).stdout
    assert '"{""a"":""x"",""b"":[1,2.5]}"' in csv_text


def test_count_star_reads_no_column_of_delta_or_parquet(basin, tmp_path):
    # count(*) needs no column: the Delta and Parquet scans read none (EXPLAIN lists no column),
    # and the counts still honour deletion vectors.
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": list(range(1000)), "b": ["x"] * 1000}), path)
    script = tmp_path / "s.sql"
    script.write_text(
        "CREATE TABLE cnt TBLPROPERTIES ('delta.enableDeletionVectors' = 'true') AS "
        "SELECT id, CAST(id % 3 AS INT) AS p FROM range(1000);\n"
        "DELETE FROM cnt WHERE id % 10 = 0;\n"
        "EXPLAIN SELECT count(*) FROM cnt;\n"
        f"EXPLAIN SELECT count(*) FROM parquet.`{path}`;\n"
        f"SELECT (SELECT count(*) FROM cnt) AS delta_rows, (SELECT count(*) FROM cnt WHERE p = 1) "
        f"AS p1, (SELECT count(*) FROM parquet.`{path}`) AS parquet_rows;\n")
    out = sql(basin, "-f", script, "--format", "jsonl").stdout
    assert "FileScan delta []" in out
    assert "FileScan parquet []" in out
    # 1,000 ids less the 100 with id % 10 = 0; id % 3 = 1: 333 ids, 33 of them deleted.
    assert json.loads(out.strip().splitlines()[-1]) == {"delta_rows": 900, "p1": 300,
                                                         "parquet_rows": 1000}
