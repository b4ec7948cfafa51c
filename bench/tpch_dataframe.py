"""TPC-H through the PySpark DataFrame API: Basin's Connect server against Spark's, same client.

    .venv/bin/python bench/tpch_dataframe.py [--sf 0.1] [--reps 3] [--only q1,q5]
                                             [--source parquet|delta] [--no-spark]

The 22 queries are written here with the DataFrame API (joins, semi and anti joins for EXISTS /
IN / NOT EXISTS, aggregates joined back for correlated scalar subqueries), following the
semantics and substitution parameters of the SQL in test/tpch/queries. Both sides run the very
same DataFrame code from the pinned pyspark Connect client:
  basin  `basin --warehouse W serve --port 0` (a private copy of build/basin, or BASIN_BIN)
  spark  Spark's Connect server in local[2] mode in this process's JVM (2 shuffle partitions,
         spark.driver.memory 4g, the Delta jars), as bench/connect_bench.py starts it

Data: the same preparation as test/tpch/tpch_check.py and bench/tpch_bench.py: tpchgen-cli's
Parquet files in bench/data/tpch-sf<SF>/parquet and the Delta tables that `basin table write`
made of them in bench/data/tpch-sf<SF>/warehouse/main/default/<table>. --source delta (the
default) reads the Delta tables (`spark.read.format("delta").load`), --source parquet the
Parquet files (`spark.read.parquet`); both servers read the same files.

Each query runs --reps times per server (Basin, then Spark), query by query; a time is
building the DataFrame plus `collect()`. The answers are compared: the same number of rows,
column names and values (numbers to a relative 1e-9; decimals of different scales rounded to the
coarser one; "ok (order)": the same rows, in another order). A query that fails on Basin is
recorded with its error class and message and the run goes on. Prints per query the median
seconds and Spark/Basin (above 1.0: Basin is faster), the total and geometric mean over the
queries both answered, and writes bench/data/results/tpch_dataframe-sf<SF>-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "test" / "tpch"))
from connect_bench import (RESULTS, BasinServer, connect, machine, private_basin,  # noqa: E402
                           start_spark_server, stop_spark_server)
from tpch_check import TABLES, prepare  # noqa: E402  (the checker's data preparation)

# ---------------------------------------------------------------------------------------------
# The 22 queries. Each takes a dict table name -> DataFrame and returns a DataFrame.


def _f():
    import pyspark.sql.functions as F

    return F


# --sql-decimal-literals: decimal constants as SQL literals (F.expr("0.05"), typed decimal(2,2) by
# the SQL parser) instead of Python Decimals (which the client sends as Connect decimal literals).
SQL_DECIMAL_LITERALS = False


def dec(text: str):
    """A decimal constant, as the SQL text of the TPC-H query writes it."""
    return _f().expr(text) if SQL_DECIMAL_LITERALS else Decimal(text)


def revenue_expr():
    F = _f()
    return F.col("l_extendedprice") * (1 - F.col("l_discount"))


def q1(t):
    F = _f()
    disc_price = revenue_expr()
    return (t["lineitem"]
            .filter(F.col("l_shipdate") <= date(1998, 9, 2))
            .groupBy("l_returnflag", "l_linestatus")
            .agg(F.sum("l_quantity").alias("sum_qty"),
                 F.sum("l_extendedprice").alias("sum_base_price"),
                 F.sum(disc_price).alias("sum_disc_price"),
                 F.sum(disc_price * (1 + F.col("l_tax"))).alias("sum_charge"),
                 F.avg("l_quantity").alias("avg_qty"),
                 F.avg("l_extendedprice").alias("avg_price"),
                 F.avg("l_discount").alias("avg_disc"),
                 F.count("*").alias("count_order"))
            .orderBy("l_returnflag", "l_linestatus"))


def q2(t):
    F = _f()
    europe_suppliers = (t["region"].filter(F.col("r_name") == "EUROPE")
                        .join(t["nation"], F.col("r_regionkey") == F.col("n_regionkey"))
                        .join(t["supplier"], F.col("n_nationkey") == F.col("s_nationkey")))
    offers = (t["part"].filter((F.col("p_size") == 15) & F.col("p_type").like("%BRASS"))
              .join(t["partsupp"], F.col("p_partkey") == F.col("ps_partkey"))
              .join(europe_suppliers, F.col("ps_suppkey") == F.col("s_suppkey")))
    cheapest = (offers.groupBy(F.col("ps_partkey").alias("min_partkey"))
                .agg(F.min("ps_supplycost").alias("min_cost")))
    return (offers.join(cheapest, (F.col("ps_partkey") == F.col("min_partkey"))
                        & (F.col("ps_supplycost") == F.col("min_cost")))
            .select("s_acctbal", "s_name", "n_name", "p_partkey", "p_mfgr", "s_address", "s_phone",
                    "s_comment")
            .orderBy(F.desc("s_acctbal"), "n_name", "s_name", "p_partkey")
            .limit(100))


def q3(t):
    F = _f()
    cutoff = date(1995, 3, 15)
    return (t["customer"].filter(F.col("c_mktsegment") == "BUILDING")
            .join(t["orders"].filter(F.col("o_orderdate") < cutoff),
                  F.col("c_custkey") == F.col("o_custkey"))
            .join(t["lineitem"].filter(F.col("l_shipdate") > cutoff),
                  F.col("l_orderkey") == F.col("o_orderkey"))
            .groupBy("l_orderkey", "o_orderdate", "o_shippriority")
            .agg(F.sum(revenue_expr()).alias("revenue"))
            .select("l_orderkey", "revenue", "o_orderdate", "o_shippriority")
            .orderBy(F.col("revenue").desc(), "o_orderdate", "l_orderkey")
            .limit(10))


def q4(t):
    F = _f()
    late = t["lineitem"].filter(F.col("l_commitdate") < F.col("l_receiptdate"))
    return (t["orders"]
            .filter((F.col("o_orderdate") >= date(1993, 7, 1))
                    & (F.col("o_orderdate") < date(1993, 10, 1)))
            .join(late, F.col("o_orderkey") == F.col("l_orderkey"), "left_semi")
            .groupBy("o_orderpriority")
            .agg(F.count("*").alias("order_count"))
            .orderBy("o_orderpriority"))


def q5(t):
    F = _f()
    orders = t["orders"].filter((F.col("o_orderdate") >= date(1994, 1, 1))
                                & (F.col("o_orderdate") < date(1995, 1, 1)))
    return (t["region"].filter(F.col("r_name") == "ASIA")
            .join(t["nation"], F.col("r_regionkey") == F.col("n_regionkey"))
            .join(t["supplier"], F.col("n_nationkey") == F.col("s_nationkey"))
            .join(t["lineitem"], F.col("s_suppkey") == F.col("l_suppkey"))
            .join(orders, F.col("l_orderkey") == F.col("o_orderkey"))
            .join(t["customer"], (F.col("o_custkey") == F.col("c_custkey"))
                  & (F.col("c_nationkey") == F.col("s_nationkey")))
            .groupBy("n_name")
            .agg(F.sum(revenue_expr()).alias("revenue"))
            .orderBy(F.desc("revenue")))


def q6(t):
    F = _f()
    return (t["lineitem"]
            .filter((F.col("l_shipdate") >= date(1994, 1, 1))
                    & (F.col("l_shipdate") < date(1995, 1, 1))
                    & F.col("l_discount").between(dec("0.05"), dec("0.07"))
                    & (F.col("l_quantity") < 24))
            .agg(F.sum(F.col("l_extendedprice") * F.col("l_discount")).alias("revenue")))


def q7(t):
    F = _f()
    supp_nation = t["nation"].select(F.col("n_nationkey").alias("supp_nationkey"),
                                     F.col("n_name").alias("supp_nation"))
    cust_nation = t["nation"].select(F.col("n_nationkey").alias("cust_nationkey"),
                                     F.col("n_name").alias("cust_nation"))
    pair = (((F.col("supp_nation") == "FRANCE") & (F.col("cust_nation") == "GERMANY"))
            | ((F.col("supp_nation") == "GERMANY") & (F.col("cust_nation") == "FRANCE")))
    shipped = t["lineitem"].filter(F.col("l_shipdate").between(date(1995, 1, 1),
                                                               date(1996, 12, 31)))
    return (t["supplier"]
            .join(supp_nation, F.col("s_nationkey") == F.col("supp_nationkey"))
            .join(shipped, F.col("s_suppkey") == F.col("l_suppkey"))
            .join(t["orders"], F.col("o_orderkey") == F.col("l_orderkey"))
            .join(t["customer"], F.col("c_custkey") == F.col("o_custkey"))
            .join(cust_nation, F.col("c_nationkey") == F.col("cust_nationkey"))
            .filter(pair)
            .select("supp_nation", "cust_nation", F.year("l_shipdate").alias("l_year"),
                    revenue_expr().alias("volume"))
            .groupBy("supp_nation", "cust_nation", "l_year")
            .agg(F.sum("volume").alias("revenue"))
            .orderBy("supp_nation", "cust_nation", "l_year"))


def q8(t):
    F = _f()
    cust_nation = t["nation"].select(F.col("n_nationkey").alias("cust_nationkey"),
                                     F.col("n_regionkey").alias("cust_regionkey"))
    supp_nation = t["nation"].select(F.col("n_nationkey").alias("supp_nationkey"),
                                     F.col("n_name").alias("nation"))
    orders = t["orders"].filter(F.col("o_orderdate").between(date(1995, 1, 1),
                                                            date(1996, 12, 31)))
    all_nations = (t["part"].filter(F.col("p_type") == "ECONOMY ANODIZED STEEL")
                   .join(t["lineitem"], F.col("p_partkey") == F.col("l_partkey"))
                   .join(t["supplier"], F.col("s_suppkey") == F.col("l_suppkey"))
                   .join(orders, F.col("l_orderkey") == F.col("o_orderkey"))
                   .join(t["customer"], F.col("o_custkey") == F.col("c_custkey"))
                   .join(cust_nation, F.col("c_nationkey") == F.col("cust_nationkey"))
                   .join(t["region"].filter(F.col("r_name") == "AMERICA"),
                         F.col("cust_regionkey") == F.col("r_regionkey"))
                   .join(supp_nation, F.col("s_nationkey") == F.col("supp_nationkey"))
                   .select(F.year("o_orderdate").alias("o_year"),
                           revenue_expr().alias("volume"), "nation"))
    brazil = F.when(F.col("nation") == "BRAZIL", F.col("volume")).otherwise(0)
    return (all_nations.groupBy("o_year")
            .agg((F.sum(brazil) / F.sum("volume")).alias("mkt_share"))
            .orderBy("o_year"))


def q9(t):
    F = _f()
    amount = revenue_expr() - F.col("ps_supplycost") * F.col("l_quantity")
    return (t["part"].filter(F.col("p_name").like("%green%"))
            .join(t["lineitem"], F.col("p_partkey") == F.col("l_partkey"))
            .join(t["supplier"], F.col("s_suppkey") == F.col("l_suppkey"))
            .join(t["partsupp"], (F.col("ps_suppkey") == F.col("l_suppkey"))
                  & (F.col("ps_partkey") == F.col("l_partkey")))
            .join(t["orders"], F.col("o_orderkey") == F.col("l_orderkey"))
            .join(t["nation"], F.col("s_nationkey") == F.col("n_nationkey"))
            .select(F.col("n_name").alias("nation"), F.year("o_orderdate").alias("o_year"),
                    amount.alias("amount"))
            .groupBy("nation", "o_year")
            .agg(F.sum("amount").alias("sum_profit"))
            .orderBy("nation", F.desc("o_year")))


def q10(t):
    F = _f()
    orders = t["orders"].filter((F.col("o_orderdate") >= date(1993, 10, 1))
                                & (F.col("o_orderdate") < date(1994, 1, 1)))
    return (t["customer"]
            .join(orders, F.col("c_custkey") == F.col("o_custkey"))
            .join(t["lineitem"].filter(F.col("l_returnflag") == "R"),
                  F.col("l_orderkey") == F.col("o_orderkey"))
            .join(t["nation"], F.col("c_nationkey") == F.col("n_nationkey"))
            .groupBy("c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address",
                     "c_comment")
            .agg(F.sum(revenue_expr()).alias("revenue"))
            .select("c_custkey", "c_name", "revenue", "c_acctbal", "n_name", "c_address",
                    "c_phone", "c_comment")
            .orderBy(F.desc("revenue"), "c_custkey")
            .limit(20))


def q11(t):
    F = _f()
    german = (t["partsupp"]
              .join(t["supplier"], F.col("ps_suppkey") == F.col("s_suppkey"))
              .join(t["nation"].filter(F.col("n_name") == "GERMANY"),
                    F.col("s_nationkey") == F.col("n_nationkey"))
              .select("ps_partkey", (F.col("ps_supplycost") * F.col("ps_availqty")).alias("v")))
    threshold = german.agg((F.sum("v") * dec("0.0001")).alias("threshold"))
    return (german.groupBy("ps_partkey").agg(F.sum("v").alias("value"))
            .crossJoin(threshold)
            .filter(F.col("value") > F.col("threshold"))
            .select("ps_partkey", "value")
            .orderBy(F.desc("value"), "ps_partkey"))


def q12(t):
    F = _f()
    urgent = F.col("o_orderpriority").isin("1-URGENT", "2-HIGH")
    return (t["lineitem"]
            .filter(F.col("l_shipmode").isin("MAIL", "SHIP")
                    & (F.col("l_commitdate") < F.col("l_receiptdate"))
                    & (F.col("l_shipdate") < F.col("l_commitdate"))
                    & (F.col("l_receiptdate") >= date(1994, 1, 1))
                    & (F.col("l_receiptdate") < date(1995, 1, 1)))
            .join(t["orders"], F.col("o_orderkey") == F.col("l_orderkey"))
            .groupBy("l_shipmode")
            .agg(F.sum(F.when(urgent, 1).otherwise(0)).alias("high_line_count"),
                 F.sum(F.when(~urgent, 1).otherwise(0)).alias("low_line_count"))
            .orderBy("l_shipmode"))


def q13(t):
    F = _f()
    orders = t["orders"].filter(~F.col("o_comment").like("%special%requests%"))
    return (t["customer"]
            .join(orders, F.col("c_custkey") == F.col("o_custkey"), "left_outer")
            .groupBy("c_custkey")
            .agg(F.count("o_orderkey").alias("c_count"))
            .groupBy("c_count")
            .agg(F.count("*").alias("custdist"))
            .orderBy(F.desc("custdist"), F.desc("c_count")))


def q14(t):
    F = _f()
    volume = revenue_expr()
    promo = F.when(F.col("p_type").like("PROMO%"), volume).otherwise(0)
    return (t["lineitem"]
            .filter((F.col("l_shipdate") >= date(1995, 9, 1))
                    & (F.col("l_shipdate") < date(1995, 10, 1)))
            .join(t["part"], F.col("l_partkey") == F.col("p_partkey"))
            .agg((dec("100.00") * F.sum(promo) / F.sum(volume)).alias("promo_revenue")))


def q15(t):
    F = _f()
    revenue = (t["lineitem"]
               .filter((F.col("l_shipdate") >= date(1996, 1, 1))
                       & (F.col("l_shipdate") < date(1996, 4, 1)))
               .groupBy(F.col("l_suppkey").alias("supplier_no"))
               .agg(F.sum(revenue_expr()).alias("total_revenue")))
    top = revenue.agg(F.max("total_revenue").alias("max_revenue"))
    return (t["supplier"]
            .join(revenue, F.col("s_suppkey") == F.col("supplier_no"))
            .join(top, F.col("total_revenue") == F.col("max_revenue"))
            .select("s_suppkey", "s_name", "s_address", "s_phone", "total_revenue")
            .orderBy("s_suppkey"))


def q16(t):
    F = _f()
    complaints = (t["supplier"].filter(F.col("s_comment").like("%Customer%Complaints%"))
                  .select("s_suppkey"))
    parts = t["part"].filter((F.col("p_brand") != "Brand#45")
                             & ~F.col("p_type").like("MEDIUM POLISHED%")
                             & F.col("p_size").isin(49, 14, 23, 45, 19, 3, 36, 9))
    return (t["partsupp"]
            .join(parts, F.col("p_partkey") == F.col("ps_partkey"))
            .join(complaints, F.col("ps_suppkey") == F.col("s_suppkey"), "left_anti")
            .groupBy("p_brand", "p_type", "p_size")
            .agg(F.countDistinct("ps_suppkey").alias("supplier_cnt"))
            .orderBy(F.desc("supplier_cnt"), "p_brand", "p_type", "p_size"))


def q17(t):
    F = _f()
    limits = (t["lineitem"].groupBy(F.col("l_partkey").alias("limit_partkey"))
              .agg((dec("0.2") * F.avg("l_quantity")).alias("qty_limit")))
    return (t["lineitem"]
            .join(t["part"].filter((F.col("p_brand") == "Brand#23")
                                   & (F.col("p_container") == "MED BOX")),
                  F.col("p_partkey") == F.col("l_partkey"))
            .join(limits, F.col("limit_partkey") == F.col("p_partkey"))
            .filter(F.col("l_quantity") < F.col("qty_limit"))
            .agg((F.sum("l_extendedprice") / dec("7.0")).alias("avg_yearly")))


def q18(t):
    F = _f()
    big = (t["lineitem"].groupBy(F.col("l_orderkey").alias("big_orderkey"))
           .agg(F.sum("l_quantity").alias("order_qty"))
           .filter(F.col("order_qty") > 300))
    return (t["orders"]
            .join(big, F.col("o_orderkey") == F.col("big_orderkey"), "left_semi")
            .join(t["customer"], F.col("c_custkey") == F.col("o_custkey"))
            .join(t["lineitem"], F.col("o_orderkey") == F.col("l_orderkey"))
            .groupBy("c_name", "c_custkey", "o_orderkey", "o_orderdate", "o_totalprice")
            .agg(F.sum("l_quantity").alias("total_qty"))
            .orderBy(F.desc("o_totalprice"), "o_orderdate", "o_orderkey")
            .limit(100))


def q19(t):
    F = _f()

    def kind(brand, containers, low, high, size):
        return ((F.col("p_brand") == brand) & F.col("p_container").isin(*containers)
                & (F.col("l_quantity") >= low) & (F.col("l_quantity") <= high)
                & F.col("p_size").between(1, size))

    return (t["lineitem"]
            .filter(F.col("l_shipmode").isin("AIR", "AIR REG")
                    & (F.col("l_shipinstruct") == "DELIVER IN PERSON"))
            .join(t["part"], F.col("p_partkey") == F.col("l_partkey"))
            .filter(kind("Brand#12", ["SM CASE", "SM BOX", "SM PACK", "SM PKG"], 1, 11, 5)
                    | kind("Brand#23", ["MED BAG", "MED BOX", "MED PKG", "MED PACK"], 10, 20, 10)
                    | kind("Brand#34", ["LG CASE", "LG BOX", "LG PACK", "LG PKG"], 20, 30, 15))
            .agg(F.sum(revenue_expr()).alias("revenue")))


def q20(t):
    F = _f()
    forest = t["part"].filter(F.col("p_name").like("forest%")).select("p_partkey")
    shipped = (t["lineitem"]
               .filter((F.col("l_shipdate") >= date(1994, 1, 1))
                       & (F.col("l_shipdate") < date(1995, 1, 1)))
               .groupBy("l_partkey", "l_suppkey")
               .agg((dec("0.5") * F.sum("l_quantity")).alias("half_qty")))
    offers = (t["partsupp"]
              .join(forest, F.col("ps_partkey") == F.col("p_partkey"), "left_semi")
              .join(shipped, (F.col("ps_partkey") == F.col("l_partkey"))
                    & (F.col("ps_suppkey") == F.col("l_suppkey")))
              .filter(F.col("ps_availqty") > F.col("half_qty"))
              .select("ps_suppkey"))
    return (t["supplier"]
            .join(t["nation"].filter(F.col("n_name") == "CANADA"),
                  F.col("s_nationkey") == F.col("n_nationkey"))
            .join(offers, F.col("s_suppkey") == F.col("ps_suppkey"), "left_semi")
            .select("s_name", "s_address")
            .orderBy("s_name"))


def q21(t):
    F = _f()
    late = F.col("l_receiptdate") > F.col("l_commitdate")
    others = t["lineitem"].select(F.col("l_orderkey").alias("o2_orderkey"),
                                  F.col("l_suppkey").alias("o2_suppkey"))
    late_others = t["lineitem"].filter(late).select(F.col("l_orderkey").alias("o3_orderkey"),
                                                    F.col("l_suppkey").alias("o3_suppkey"))
    return (t["supplier"]
            .join(t["nation"].filter(F.col("n_name") == "SAUDI ARABIA"),
                  F.col("s_nationkey") == F.col("n_nationkey"))
            .join(t["lineitem"].filter(late), F.col("s_suppkey") == F.col("l_suppkey"))
            .join(t["orders"].filter(F.col("o_orderstatus") == "F"),
                  F.col("o_orderkey") == F.col("l_orderkey"))
            .join(others, (F.col("o2_orderkey") == F.col("l_orderkey"))
                  & (F.col("o2_suppkey") != F.col("l_suppkey")), "left_semi")
            .join(late_others, (F.col("o3_orderkey") == F.col("l_orderkey"))
                  & (F.col("o3_suppkey") != F.col("l_suppkey")), "left_anti")
            .groupBy("s_name")
            .agg(F.count("*").alias("numwait"))
            .orderBy(F.desc("numwait"), "s_name")
            .limit(100))


def q22(t):
    F = _f()
    codes = ["13", "31", "23", "29", "30", "18", "17"]
    candidates = (t["customer"]
                  .select(F.substring("c_phone", 1, 2).alias("cntrycode"), "c_acctbal",
                          "c_custkey")
                  .filter(F.col("cntrycode").isin(*codes)))
    average = (candidates.filter(F.col("c_acctbal") > dec("0.00"))
               .agg(F.avg("c_acctbal").alias("avg_acctbal")))
    return (candidates.crossJoin(average)
            .filter(F.col("c_acctbal") > F.col("avg_acctbal"))
            .join(t["orders"], F.col("c_custkey") == F.col("o_custkey"), "left_anti")
            .groupBy("cntrycode")
            .agg(F.count("*").alias("numcust"), F.sum("c_acctbal").alias("totacctbal"))
            .orderBy("cntrycode"))


QUERIES = {n: globals()[f"q{n}"] for n in range(1, 23)}

# ---------------------------------------------------------------------------------------------
# Comparing answers


def same_value(a, b) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        exponent = max(a.as_tuple().exponent, b.as_tuple().exponent)
        if isinstance(exponent, int):  # round both to the coarser scale
            quantum = Decimal(1).scaleb(exponent)
            return (a.quantize(quantum, rounding=decimal.ROUND_HALF_UP)
                    == b.quantize(quantum, rounding=decimal.ROUND_HALF_UP))
        return a == b
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


ORDER_ONLY = "the same rows in another order"


def compare(ours, theirs) -> str | None:
    """None when the answers agree, ORDER_ONLY when they agree only once sorted (ties of the
    ORDER BY keys can do that), else what differs."""
    if len(ours) != len(theirs):
        return f"{len(ours)} rows, Spark has {len(theirs)}"
    if ours and list(ours[0].__fields__) != list(theirs[0].__fields__):
        return f"columns {list(ours[0].__fields__)}, Spark has {list(theirs[0].__fields__)}"

    def rows_equal(xs, ys):
        for i, (a, b) in enumerate(zip(xs, ys)):
            if len(a) != len(b) or not all(same_value(x, y) for x, y in zip(a, b)):
                return f"row {i}: basin {tuple(a)} spark {tuple(b)}"
        return None

    problem = rows_equal(ours, theirs)
    if problem and rows_equal(sorted(ours, key=repr), sorted(theirs, key=repr)) is None:
        return ORDER_ONLY
    return problem


# ---------------------------------------------------------------------------------------------
# Running


def load_tables(session, root: Path, source: str) -> dict:
    if source == "parquet":
        return {t: session.read.parquet(str(root / "parquet" / f"{t}.parquet")) for t in TABLES}
    warehouse = root / "warehouse" / "main" / "default"
    return {t: session.read.format("delta").load(str(warehouse / t)) for t in TABLES}


def error_text(e: Exception) -> tuple[str, str]:
    """(error class or exception type, first line of the message)."""
    kind = None
    if hasattr(e, "getCondition"):
        try:
            kind = e.getCondition()
        except Exception:  # noqa: BLE001
            kind = None
    kind = kind or type(e).__name__
    message = getattr(e, "_message", None) or str(e)
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return kind, (lines[0] if lines else "(no message)")[:400]


def run_query(session, tables, n: int, reps: int, slow: float):
    """(median seconds, rows of the last run, number of runs)."""
    times, rows = [], []
    for _ in range(reps):
        started = time.perf_counter()
        rows = QUERIES[n](tables).collect()
        times.append(time.perf_counter() - started)
        if times[-1] > slow:
            break
    return statistics.median(times), rows, times


def parse_only(text: str) -> list[int]:
    wanted = set()
    for item in text.split(","):
        item = item.strip().lower().lstrip("q")
        if item:
            if not 1 <= int(item) <= 22:
                raise SystemExit(f"--only: no TPC-H query {item!r}")
            wanted.add(int(item))
    return sorted(wanted) or list(range(1, 23))


def print_table(queries, results, systems, sf, reps) -> None:
    print()
    print(f"TPC-H sf{sf} through the DataFrame API, median of {reps} runs, seconds "
          "(spark/basin = Spark's time / Basin's; above 1.0 Basin is faster)")
    header = f"{'query':<7}" + "".join(f"{s:>11}" for s in systems)
    if len(systems) == 2:
        header += f"{'spark/basin':>13}  check"
    print(header)
    print("-" * len(header))
    for n in queries:
        r = results[n]
        cells = "".join(f"{r[s]['median_s']:>11.3f}" if "median_s" in r.get(s, {}) else
                        f"{'FAILED':>11}" for s in systems)
        line = f"q{n:02d}".ljust(7) + cells
        if len(systems) == 2:
            b, p = r["basin"].get("median_s"), r["spark"].get("median_s")
            line += f"{p / b:>13.2f}" if b and p else f"{'-':>13}"
            line += "  " + r.get("check", "-")
        print(line)
    print("-" * len(header))
    both = [n for n in queries if all("median_s" in results[n].get(s, {}) for s in systems)]
    if not both:
        print("total: no query finished on every server")
        return
    totals = {s: sum(results[n][s]["median_s"] for n in both) for s in systems}
    line = "total".ljust(7) + "".join(f"{totals[s]:>11.2f}" for s in systems)
    if len(systems) == 2:
        line += f"{totals['spark'] / totals['basin']:>13.2f}"
    print(line)
    if len(systems) == 2:
        logs = [math.log(results[n]["spark"]["median_s"] / results[n]["basin"]["median_s"])
                for n in both]
        print("geomean".ljust(7 + 11 * len(systems)) + f"{math.exp(statistics.fmean(logs)):>13.2f}")
    which = "" if len(both) == len(queries) else ": " + ",".join(f"q{n:02d}" for n in both)
    print(f"total (sum of medians) and geomean (of the ratios) over the {len(both)} queries "
          f"answered by every server{which}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sf", default="0.1", help="scale factor (default 0.1)")
    parser.add_argument("--reps", type=int, default=3, help="runs per query and server")
    parser.add_argument("--only", default="", help="queries, e.g. q1,q5 (default: all 22)")
    parser.add_argument("--source", choices=["parquet", "delta"], default="delta")
    parser.add_argument("--no-spark", action="store_true", help="Basin only (no answer check)")
    parser.add_argument("--sql-decimal-literals", action="store_true",
                        help="write decimal constants as F.expr('0.05') instead of Decimal('0.05')")
    parser.add_argument("--basin", default=None, help="the basin binary (default build/basin)")
    parser.add_argument("--slow", type=float, default=300,
                        help="skip the other repetitions after a first run slower than this")
    parser.add_argument("--out", help="JSON file (default bench/data/results/...)")
    args = parser.parse_args(argv)

    import os

    global SQL_DECIMAL_LITERALS
    SQL_DECIMAL_LITERALS = args.sql_decimal_literals
    queries = parse_only(args.only)
    systems = ["basin"] if args.no_spark else ["basin", "spark"]
    info = machine()
    binary_arg = Path(args.basin or os.environ.get("BASIN_BIN", REPO / "build" / "basin"))
    results = {n: {s: {} for s in systems} for n in queries}
    failures = []
    with tempfile.TemporaryDirectory(prefix="tpch-dataframe-") as tmp:
        work = Path(tmp)
        binary = private_basin(binary_arg, work)
        print(f"preparing TPC-H sf{args.sf} ...", flush=True)
        root = prepare(args.sf, binary)
        basin = BasinServer(binary, work / "warehouse")
        sessions = {"basin": connect(basin.url)}
        if not args.no_spark:
            sessions["spark"] = connect(start_spark_server(work))
        tables = {s: load_tables(session, root, args.source) for s, session in sessions.items()}
        answers = {}
        for n in queries:
            for s in systems:
                try:
                    median, rows, times = run_query(sessions[s], tables[s], n, args.reps,
                                                    args.slow)
                    results[n][s] = {"median_s": median, "runs_s": times, "rows": len(rows)}
                    answers[s] = rows
                except Exception as e:  # noqa: BLE001 - recorded per query and server
                    kind, message = error_text(e)
                    results[n][s] = {"error_class": kind, "error": message}
                    answers.pop(s, None)
                    failures.append(f"q{n:02d} / {s}: {kind}: {message}")
            if len(systems) == 2:
                if "basin" in answers and "spark" in answers:
                    problem = compare(answers["basin"], answers["spark"])
                    results[n]["check"] = ("ok" if problem is None else
                                           "ok (order)" if problem == ORDER_ONLY else "DIFFERS")
                    if problem:
                        results[n]["difference"] = problem
                else:
                    results[n]["check"] = "-"
            done = " ".join(f"{s}={results[n][s]['median_s']:.3f}" if "median_s" in results[n][s]
                            else f"{s}=FAILED" for s in systems)
            print(f"  q{n:02d}: {done} {results[n].get('check', '')}", flush=True)
        for session in sessions.values():
            session.stop()
        code = basin.stop()
        if not args.no_spark:
            stop_spark_server()

    print_table(queries, results, systems, args.sf, args.reps)
    for n in queries:
        if results[n].get("check") == "ok (order)":
            print(f"NOTE q{n:02d}: {ORDER_ONLY} (ties of the ORDER BY keys?)")
    differs = [n for n in queries if results[n].get("check") == "DIFFERS"]
    for n in differs:
        print(f"DIFFERS q{n:02d}: {results[n]['difference']}")
    for line in failures:
        print(f"FAILED {line}")
    if code != 0:
        print(f"FAILED basin serve exited {code}")

    result = {**info, "benchmark": "tpch_dataframe",
              "config": {"sf": args.sf, "reps": args.reps, "source": args.source,
                         "sql_decimal_literals": args.sql_decimal_literals,
                         "spark_master": "local[2]", "spark_shuffle_partitions": 2},
              "queries": {f"q{n:02d}": results[n] for n in queries}}
    out = Path(args.out) if args.out else RESULTS / (
        f"tpch_dataframe-sf{args.sf}-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(f"results: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 1 if failures or differs or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
