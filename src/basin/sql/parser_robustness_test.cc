// Feeds the parser random bytes, random token soup and every truncation of valid statements:
// each call must return (a value or an error Status) without crashing or hanging.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "basin/sql/parser.h"

namespace basin::sql {
namespace {

const char* const kValid[] = {
    "SELECT a, b AS c, count(DISTINCT d) FILTER (WHERE e > 0) FROM cat.db.t AS x(a, b) "
    "LEFT JOIN u USING (id) WHERE a BETWEEN 1 AND 2 AND b NOT IN (SELECT c FROM v) "
    "GROUP BY ROLLUP(a, b) HAVING sum(c) > 1 ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 2",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
    "SELECT CASE WHEN a = 1 THEN 'x' ELSE CAST(b AS decimal(10, 2)) END, INTERVAL '1' DAY, "
    "transform(arr, x -> x + 1), m['k'].f, TRIM(BOTH 'x' FROM s), EXTRACT(YEAR FROM d) FROM t",
    "SELECT /*+ BROADCAST(b) */ * FROM a JOIN b ON a.x = b.x LATERAL VIEW OUTER explode(c) e AS y "
    "PIVOT (sum(v) FOR k IN ('a' AS a, 'b'))",
    "SELECT row_number() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
    "FROM t TABLESAMPLE (10 PERCENT) QUALIFY 1 = 1",
    "CREATE OR REPLACE TABLE t (id BIGINT NOT NULL COMMENT 'x', d DATE GENERATED ALWAYS AS "
    "(CAST(ts AS "
    "DATE))) USING delta PARTITIONED BY (d) TBLPROPERTIES ('a' = 'b')",
    "CREATE OR REPLACE TABLE t USING delta PARTITIONED BY (d) TBLPROPERTIES ('a' = 'b') AS "
    "SELECT 1 AS d, 2 AS e",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN "
    "INSERT *",
    "INSERT INTO t (a, b) VALUES (1, 'x'), (2, X'0A')",
    "SELECT `weird``name`, 'it''s', \"dq\", 1.5e3D, 10Y, -5L FROM delta.`/tmp/x` VERSION AS OF 3",
};

bool Survives(std::string_view text) {
  // Any outcome is fine; reaching the end of the calls is the test.
  (void)ParseStatements(text);
  (void)ParseExpression(text);
  (void)ParseDataType(text);
  return true;
}

TEST(ParserRobustnessTest, ValidStatementsParse) {
  for (const char* sql : kValid) {
    auto r = ParseStatement(sql);
    EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().ToString();
  }
}

TEST(ParserRobustnessTest, EveryTruncationReturnsAStatus) {
  for (const char* sql : kValid) {
    std::string s(sql);
    for (size_t n = 0; n <= s.size(); ++n) ASSERT_TRUE(Survives(std::string_view(s).substr(0, n)));
  }
}

TEST(ParserRobustnessTest, RandomBytes) {
  std::mt19937 rng(20261125);
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    ASSERT_TRUE(Survives(s));
  }
}

TEST(ParserRobustnessTest, RandomTokenSoup) {
  const char* const kPieces[] = {
      "SELECT",  "FROM",   "WHERE",   "(",     ")",         ",",           "a",    "1",
      "'s'",     "*",      "+",       "-",     "AND",       "OR",          "NOT",  "IN",
      "JOIN",    "ON",     "GROUP",   "BY",    "CASE",      "WHEN",        "THEN", "END",
      "AS",      "OVER",   "[",       "]",     ".",         "::",          "->",   "=>",
      "<",       ">",      ">>",      "array", "struct",    "INTERVAL",    "DAY",  "UNION",
      "WITH",    "VALUES", "LATERAL", "VIEW",  "PIVOT",     "FOR",         "/*+",  "*/",
      "--",      "\n",     "?",       ":x",    ";",         "`q`",         "CAST", "EXISTS",
      "BETWEEN", "LIKE",   "ESCAPE",  "ROWS",  "PRECEDING", "TABLESAMPLE", "@",    "v1"};
  std::mt19937 rng(7);
  const size_t n = sizeof(kPieces) / sizeof(kPieces[0]);
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    int len = static_cast<int>(rng() % 30);
    for (int k = 0; k < len; ++k) {
      s += kPieces[rng() % n];
      s += ' ';
    }
    ASSERT_TRUE(Survives(s));
  }
}

TEST(ParserRobustnessTest, MutatedValidStatements) {
  std::mt19937 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::string s = kValid[rng() % (sizeof(kValid) / sizeof(kValid[0]))];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s.erase(at, 1 + rng() % 5);
          break;
        case 1:
          s.insert(at, 1, "()'`\"[]<>,;.-/*"[rng() % 15]);
          break;
        default:
          s[at] = static_cast<char>(rng() % 128);
          break;
      }
    }
    ASSERT_TRUE(Survives(s));
  }
}

}  // namespace
}  // namespace basin::sql
