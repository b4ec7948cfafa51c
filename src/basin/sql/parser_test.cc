#include "basin/sql/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace basin::sql {
namespace {

struct ParseCase {
  const char* sql;
  const char* dump;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.sql; }

std::string DumpStatement(std::string_view sql) {
  auto r = ParseStatement(sql);
  if (!r.ok()) return "ERROR " + r.status().message();
  return ToString(**r);
}

std::string DumpExpression(std::string_view sql) {
  auto r = ParseExpression(sql);
  if (!r.ok()) return "ERROR " + r.status().message();
  return ToString(**r);
}

// The first line of the error message of parsing `sql` as a statement, or "OK".
std::string ErrorOf(std::string_view sql) {
  auto r = ParseStatement(sql);
  if (r.ok()) return "OK";
  std::string m = r.status().message();
  return m.substr(0, m.find('\n'));
}

std::string ErrorClass(const Status& st) { return ErrorClassOf(st).value_or("<none>"); }

// Cases: {sql, expected dump}. Expression cases go through ParseExpression, the others through
// ParseStatement.
const ParseCase kExpressionCases[] = {
    {R"sql(a OR b AND c)sql", R"sql((OR a (AND b c)))sql"},
    {R"sql(-2 * 3)sql", R"sql((* -2 3))sql"},
    {R"sql(NOT a = b)sql", R"sql((NOT (= a b)))sql"},
    {R"sql(a || b = c)sql", R"sql((= (|| a b) c))sql"},
    {R"sql(a + b * c - d / e % f)sql", R"sql((- (+ a (* b c)) (% (/ d e) f)))sql"},
    {R"sql(a DIV b)sql", R"sql((div a b))sql"},
    {R"sql(-a.b)sql", R"sql((- a.b))sql"},
    {R"sql(- 2147483648)sql", R"sql(-2147483648)sql"},
    {R"sql(2147483648)sql", R"sql(2147483648L)sql"},
    {R"sql(9223372036854775808)sql", R"sql(9223372036854775808BD)sql"},
    {R"sql(1.5)sql", R"sql(1.5BD)sql"},
    {R"sql(1e10)sql", R"sql(1e10D)sql"},
    {R"sql(1.5D)sql", R"sql(1.5D)sql"},
    {R"sql(1.5F)sql", R"sql(1.5F)sql"},
    {R"sql(10BD)sql", R"sql(10BD)sql"},
    {R"sql(10L)sql", R"sql(10L)sql"},
    {R"sql(10S)sql", R"sql(10S)sql"},
    {R"sql(10Y)sql", R"sql(10Y)sql"},
    {R"sql('a' 'b')sql", R"sql('ab')sql"},
    {R"sql('it''s')sql", R"sql('it\'s')sql"},
    {R"sql('a\nb\t\'c')sql", R"sql('a\nb	\'c')sql"},
    {R"sql(X'0A1b')sql", R"sql(X'0A1b')sql"},
    {R"sql(DATE '2020-01-01')sql", R"sql(DATE '2020-01-01')sql"},
    {R"sql(TIMESTAMP '2020-01-01 00:00:00')sql", R"sql(TIMESTAMP '2020-01-01 00:00:00')sql"},
    {R"sql(TIMESTAMP_NTZ '2020-01-01 00:00:00')sql",
     R"sql(TIMESTAMP_NTZ '2020-01-01 00:00:00')sql"},
    {R"sql(INTERVAL '1' DAY)sql", R"sql((INTERVAL '1' DAY))sql"},
    {R"sql(INTERVAL 1 DAY 2 HOURS)sql", R"sql((INTERVAL 1 DAY 2 HOUR))sql"},
    {R"sql(INTERVAL '1-2' YEAR TO MONTH)sql", R"sql((INTERVAL '1-2' YEAR TO MONTH))sql"},
    {R"sql(INTERVAL '1 day 2 hours')sql", R"sql((INTERVAL '1 day 2 hours'))sql"},
    {R"sql(INTERVAL -3 MINUTES)sql", R"sql((INTERVAL -3 MINUTE))sql"},
    {R"sql(true AND false OR NULL)sql", R"sql((OR (AND true false) NULL))sql"},
    {R"sql(a IS NULL)sql", R"sql((IS NULL a))sql"},
    {R"sql(a IS NOT NULL)sql", R"sql((IS NOT NULL a))sql"},
    {R"sql(a IS TRUE)sql", R"sql((IS TRUE a))sql"},
    {R"sql(a IS NOT FALSE)sql", R"sql((IS NOT FALSE a))sql"},
    {R"sql(a IS DISTINCT FROM b)sql", R"sql((NOT (<=> a b)))sql"},
    {R"sql(a IS NOT DISTINCT FROM b)sql", R"sql((<=> a b))sql"},
    {R"sql(a BETWEEN 1 AND 2)sql", R"sql((BETWEEN a 1 2))sql"},
    {R"sql(a NOT BETWEEN 1 AND 2 AND b)sql", R"sql((AND (NOT BETWEEN a 1 2) b))sql"},
    {R"sql(a IN (1, 2, 3))sql", R"sql((IN a 1 2 3))sql"},
    {R"sql(a NOT IN (SELECT b FROM t))sql", R"sql((NOT IN a (SELECT b (FROM (TABLE t)))))sql"},
    {R"sql((a, b) IN (SELECT x, y FROM t))sql",
     R"sql((IN (ROW a b) (SELECT x y (FROM (TABLE t)))))sql"},
    {R"sql(a LIKE 'x%')sql", R"sql((LIKE a 'x%'))sql"},
    {R"sql(a NOT ILIKE 'x%' ESCAPE '!')sql", R"sql((NOT ILIKE a 'x%' ESCAPE '!'))sql"},
    {R"sql(a RLIKE '^x')sql", R"sql((RLIKE a '^x'))sql"},
    {R"sql(a REGEXP 'x')sql", R"sql((RLIKE a 'x'))sql"},
    {R"sql(a LIKE ANY ('a%', 'b%'))sql", R"sql((LIKE ANY a 'a%' 'b%'))sql"},
    {R"sql(a NOT LIKE ALL ('a%', 'b%'))sql", R"sql((NOT LIKE ALL a 'a%' 'b%'))sql"},
    {R"sql(EXISTS (SELECT 1))sql", R"sql((EXISTS (SELECT 1)))sql"},
    {R"sql(NOT EXISTS (SELECT 1 FROM t WHERE t.a = b))sql",
     R"sql((NOT EXISTS (SELECT 1 (FROM (TABLE t)) (WHERE (= t.a b)))))sql"},
    {R"sql((SELECT max(a) FROM t))sql", R"sql((SUBQUERY (SELECT (max a) (FROM (TABLE t)))))sql"},
    {R"sql(CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' ELSE 'z' END)sql",
     R"sql((CASE (WHEN (= a 1) 'x') (WHEN (= a 2) 'y') (ELSE 'z')))sql"},
    {R"sql(CASE a WHEN 1 THEN 'x' END)sql", R"sql((CASE a (WHEN 1 'x')))sql"},
    {R"sql(CAST(a AS INT))sql", R"sql((CAST a int))sql"},
    {R"sql(TRY_CAST(a AS decimal(10, 2)))sql", R"sql((TRY_CAST a decimal(10,2)))sql"},
    {R"sql(a::string)sql", R"sql((CAST a string))sql"},
    {R"sql(a::array<int>)sql", R"sql((CAST a array<int>))sql"},
    {R"sql(count(*))sql", R"sql((count *))sql"},
    {R"sql(count(t.*))sql", R"sql((count t.*))sql"},
    {R"sql(count(DISTINCT a, b))sql", R"sql((count DISTINCT a b))sql"},
    {R"sql(sum(a) FILTER (WHERE a > 0))sql", R"sql((sum a (FILTER (> a 0))))sql"},
    {R"sql(first_value(a) IGNORE NULLS OVER (PARTITION BY b ORDER BY c DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))sql",
     R"sql((first_value a IGNORE NULLS (OVER (WINDOW (PARTITION BY b) (ORDER BY (c DESC NULLS LAST)) (ROWS UNBOUNDED PRECEDING AND CURRENT ROW)))))sql"},
    {R"sql(row_number() OVER w)sql", R"sql((row_number (OVER (WINDOW w))))sql"},
    {R"sql(sum(a) OVER (w ORDER BY c))sql", R"sql((sum a (OVER (WINDOW w (ORDER BY (c))))))sql"},
    {R"sql(sum(a) OVER (ORDER BY c RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND 2 FOLLOWING))sql",
     R"sql((sum a (OVER (WINDOW (ORDER BY (c)) (RANGE (INTERVAL 1 DAY) PRECEDING AND 2 FOLLOWING)))))sql"},
    {R"sql(sum(a) OVER (ROWS 3 PRECEDING))sql",
     R"sql((sum a (OVER (WINDOW (ROWS 3 PRECEDING AND CURRENT ROW)))))sql"},
    {R"sql(t.*)sql", R"sql(t.*)sql"},
    {R"sql(*)sql", R"sql(*)sql"},
    {R"sql(a.b.c)sql", R"sql(a.b.c)sql"},
    {R"sql(a[0])sql", R"sql(([] a 0))sql"},
    {R"sql(m['k'].x)sql", R"sql((. ([] m 'k') x))sql"},
    {R"sql(f(x).y)sql", R"sql((. (f x) y))sql"},
    {R"sql(transform(a, x -> x + 1))sql", R"sql((transform a (LAMBDA (x) (+ x 1))))sql"},
    {R"sql(aggregate(a, 0, (acc, x) -> acc + x))sql",
     R"sql((aggregate a 0 (LAMBDA (acc x) (+ acc x))))sql"},
    {R"sql(f(a => 1, b => 'x'))sql", R"sql((f (=> a 1) (=> b 'x')))sql"},
    {R"sql(?)sql", R"sql(?0)sql"},
    {R"sql(:name)sql", R"sql(:name)sql"},
    {R"sql(EXTRACT(YEAR FROM d))sql", R"sql((extract 'YEAR' d))sql"},
    {R"sql(POSITION('a' IN s))sql", R"sql((position 'a' s))sql"},
    {R"sql(position('a', s))sql", R"sql((position 'a' s))sql"},
    {R"sql(SUBSTRING(s FROM 1 FOR 2))sql", R"sql((substring s 1 2))sql"},
    {R"sql(substr(s, 1, 2))sql", R"sql((substr s 1 2))sql"},
    {R"sql(TRIM(BOTH 'x' FROM s))sql", R"sql((btrim s 'x'))sql"},
    {R"sql(TRIM(LEADING FROM s))sql", R"sql((ltrim s))sql"},
    {R"sql(TRIM(LEADING 'x' FROM s))sql", R"sql((ltrim 'x' s))sql"},
    {R"sql(TRIM(TRAILING 'x' FROM s))sql", R"sql((rtrim 'x' s))sql"},
    {R"sql(TRIM(s))sql", R"sql((TRIM s))sql"},
    {R"sql(TRIM('x' FROM s))sql", R"sql((btrim s 'x'))sql"},
    {R"sql(OVERLAY(s PLACING 'ab' FROM 2 FOR 3))sql", R"sql((overlay s 'ab' 2 3))sql"},
    {R"sql(CURRENT_DATE)sql", R"sql((current_date))sql"},
    {R"sql(current_timestamp())sql", R"sql((current_timestamp))sql"},
    {R"sql(CURRENT_TIMESTAMP + INTERVAL 1 HOUR)sql",
     R"sql((+ (current_timestamp) (INTERVAL 1 HOUR)))sql"},
    {R"sql(struct(a AS x, b))sql", R"sql((struct (AS a x) b))sql"},
    {R"sql(a & b | c ^ d)sql", R"sql((| (& a b) (^ c d)))sql"},
    {R"sql(~a)sql", R"sql((~ a))sql"},
    {R"sql(a <=> b)sql", R"sql((<=> a b))sql"},
    {R"sql(a != b AND a <> c AND a == d)sql", R"sql((AND (AND (!= a b) (!= a c)) (= a d)))sql"},
    {R"sql(`weird col`.`x``y`)sql", R"sql(`weird col`.`x``y`)sql"},
    {R"sql(db.f(1))sql", R"sql((db.f 1))sql"},
    {R"sql(a > 0 = true)sql", R"sql((= (> a 0) true))sql"},
    {R"sql(1a)sql", R"sql(`1a`)sql"},
    {R"sql(0x1F)sql", R"sql(`0x1F`)sql"},
    {R"sql(-x::int)sql", R"sql((- (CAST x int)))sql"},
    {R"sql(map('a', 1)['a'])sql", R"sql(([] (map 'a' 1) 'a'))sql"},
    {R"sql(array(1, 2)[0])sql", R"sql(([] (array 1 2) 0))sql"},
};
const ParseCase kQueryCases[] = {
    {R"sql(SELECT a, b AS c, d e, f AS (g, h) FROM t)sql",
     R"sql((SELECT a (AS b c) (AS d e) (AS f (g h)) (FROM (TABLE t))))sql"},
    {R"sql(SELECT DISTINCT a FROM cat.db.t)sql",
     R"sql((SELECT DISTINCT a (FROM (TABLE cat.db.t))))sql"},
    {R"sql(SELECT ALL a FROM `my table`)sql", R"sql((SELECT a (FROM (TABLE `my table`))))sql"},
    {R"sql(SELECT * FROM delta.`/tmp/path` AS d)sql",
     R"sql((SELECT * (FROM (TABLE delta.`/tmp/path` AS d))))sql"},
    {R"sql(SELECT * FROM parquet.`/p/x.parquet`)sql",
     R"sql((SELECT * (FROM (TABLE parquet.`/p/x.parquet`))))sql"},
    {R"sql(SELECT * FROM t VERSION AS OF 5)sql",
     R"sql((SELECT * (FROM (TABLE t (VERSION AS OF 5)))))sql"},
    {R"sql(SELECT * FROM t TIMESTAMP AS OF '2024-01-01')sql",
     R"sql((SELECT * (FROM (TABLE t (TIMESTAMP AS OF '2024-01-01')))))sql"},
    {R"sql(SELECT * FROM t FOR SYSTEM_TIME AS OF current_timestamp() - INTERVAL 1 DAY)sql",
     R"sql((SELECT * (FROM (TABLE t (TIMESTAMP AS OF (- (current_timestamp) (INTERVAL 1 DAY)))))))sql"},
    {R"sql(SELECT * FROM t@v5)sql", R"sql((SELECT * (FROM (TABLE t (VERSION AS OF 5 @)))))sql"},
    {R"sql(SELECT * FROM t@20190101000000000 x)sql",
     R"sql((SELECT * (FROM (TABLE t (TIMESTAMP AS OF '20190101000000000' @) AS x))))sql"},
    {R"sql(SELECT * FROM t AS x(a, b))sql", R"sql((SELECT * (FROM (TABLE t AS x (a b)))))sql"},
    {R"sql(SELECT * FROM (SELECT 1 AS a) s)sql",
     R"sql((SELECT * (FROM (SUBQUERY (SELECT (AS 1 a)) AS s))))sql"},
    {R"sql(SELECT * FROM t, LATERAL (SELECT t.a + 1 AS b) l)sql",
     R"sql((SELECT * (FROM (JOIN COMMA (TABLE t) (SUBQUERY LATERAL (SELECT (AS (+ t.a 1) b)) AS l)))))sql"},
    {R"sql(SELECT * FROM range(10))sql", R"sql((SELECT * (FROM (TVF (range 10)))))sql"},
    {R"sql(SELECT * FROM range(0, 10, 2) AS r(id))sql",
     R"sql((SELECT * (FROM (TVF (range 0 10 2) AS r (id)))))sql"},
    {R"sql(SELECT * FROM explode(array(1, 2)) e)sql",
     R"sql((SELECT * (FROM (TVF (explode (array 1 2)) AS e))))sql"},
    {R"sql(SELECT * FROM VALUES (1, 'a'), (2, 'b') AS v(id, name))sql",
     R"sql((SELECT * (FROM (VALUES (ROW 1 'a') (ROW 2 'b') AS v (id name)))))sql"},
    {R"sql(VALUES (1, 2), (3, 4))sql", R"sql((VALUES (ROW 1 2) (ROW 3 4)))sql"},
    {R"sql(VALUES 1, 2)sql", R"sql((VALUES (ROW 1) (ROW 2)))sql"},
    {R"sql(SELECT * FROM a JOIN b ON a.id = b.id)sql",
     R"sql((SELECT * (FROM (JOIN INNER (TABLE a) (TABLE b) (ON (= a.id b.id))))))sql"},
    {R"sql(SELECT * FROM a INNER JOIN b USING (id))sql",
     R"sql((SELECT * (FROM (JOIN INNER (TABLE a) (TABLE b) (USING (id))))))sql"},
    {R"sql(SELECT * FROM a LEFT JOIN b ON x LEFT OUTER JOIN c ON y)sql",
     R"sql((SELECT * (FROM (JOIN LEFT (JOIN LEFT (TABLE a) (TABLE b) (ON x)) (TABLE c) (ON y)))))sql"},
    {R"sql(SELECT * FROM a RIGHT OUTER JOIN b ON x FULL JOIN c ON y FULL OUTER JOIN d ON z)sql",
     R"sql((SELECT * (FROM (JOIN FULL (JOIN FULL (JOIN RIGHT (TABLE a) (TABLE b) (ON x)) (TABLE c) (ON y)) (TABLE d) (ON z)))))sql"},
    {R"sql(SELECT * FROM a LEFT SEMI JOIN b ON x SEMI JOIN c ON y)sql",
     R"sql((SELECT * (FROM (JOIN SEMI (JOIN SEMI (TABLE a) (TABLE b) (ON x)) (TABLE c) (ON y)))))sql"},
    {R"sql(SELECT * FROM a LEFT ANTI JOIN b ON x ANTI JOIN c ON y)sql",
     R"sql((SELECT * (FROM (JOIN ANTI (JOIN ANTI (TABLE a) (TABLE b) (ON x)) (TABLE c) (ON y)))))sql"},
    {R"sql(SELECT * FROM a CROSS JOIN b)sql",
     R"sql((SELECT * (FROM (JOIN CROSS (TABLE a) (TABLE b)))))sql"},
    {R"sql(SELECT * FROM a NATURAL JOIN b NATURAL LEFT JOIN c)sql",
     R"sql((SELECT * (FROM (JOIN NATURAL LEFT (JOIN NATURAL INNER (TABLE a) (TABLE b)) (TABLE c)))))sql"},
    {R"sql(SELECT * FROM a, b, c WHERE a.x = b.x)sql",
     R"sql((SELECT * (FROM (JOIN COMMA (JOIN COMMA (TABLE a) (TABLE b)) (TABLE c))) (WHERE (= a.x b.x))))sql"},
    {R"sql(SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x)sql",
     R"sql((SELECT * (FROM (JOIN INNER (TABLE a) (JOIN INNER (TABLE b) (TABLE c) (ON (= b.x c.x))) (ON (= a.x b.x))))))sql"},
    {R"sql(SELECT * FROM a JOIN LATERAL (SELECT * FROM b WHERE b.x = a.x) l ON true)sql",
     R"sql((SELECT * (FROM (JOIN INNER (TABLE a) (SUBQUERY LATERAL (SELECT * (FROM (TABLE b)) (WHERE (= b.x a.x))) AS l) (ON true)))))sql"},
    {R"sql(SELECT c FROM t LATERAL VIEW explode(arr) e AS c)sql",
     R"sql((SELECT c (FROM (LATERAL VIEW (TABLE t) (explode arr) AS e (c)))))sql"},
    {R"sql(SELECT k, v FROM t LATERAL VIEW OUTER explode(m) e AS k, v LATERAL VIEW posexplode(a) p pos, val)sql",
     R"sql((SELECT k v (FROM (LATERAL VIEW (LATERAL VIEW OUTER (TABLE t) (explode m) AS e (k v)) (posexplode a) AS p (pos val)))))sql"},
    {R"sql(SELECT * FROM sales PIVOT (sum(amount) AS s FOR quarter IN ('Q1' AS q1, 'Q2')))sql",
     R"sql((SELECT * (FROM (PIVOT (TABLE sales) (AGG (sum amount) AS s) (FOR quarter) (IN 'Q1' AS q1 'Q2')))))sql"},
    {R"sql(SELECT * FROM t PIVOT (sum(a), avg(b) FOR (x, y) IN ((1, 'a') AS one, (2, 'b') AS two)) p)sql",
     R"sql((SELECT * (FROM (PIVOT (TABLE t) (AGG (sum a) (avg b)) (FOR x y) (IN (ROW 1 'a') AS one (ROW 2 'b') AS two) AS p))))sql"},
    {R"sql(SELECT * FROM t UNPIVOT (val FOR name IN (a, b AS bee)))sql",
     R"sql((SELECT * (FROM (UNPIVOT (TABLE t) (VALUES (val)) (FOR name) (IN (a) (b AS bee))))))sql"},
    {R"sql(SELECT * FROM t UNPIVOT INCLUDE NULLS ((v1, v2) FOR name IN ((a, b) AS ab, (c, d) AS cd)) u)sql",
     R"sql((SELECT * (FROM (UNPIVOT INCLUDE NULLS (TABLE t) (VALUES (v1 v2)) (FOR name) (IN (a b AS ab) (c d AS cd)) AS u))))sql"},
    {R"sql(SELECT * FROM t TABLESAMPLE (10 PERCENT))sql",
     R"sql((SELECT * (FROM (TABLE t (SAMPLE 10 PERCENT)))))sql"},
    {R"sql(SELECT * FROM t TABLESAMPLE (5 ROWS) REPEATABLE (42) s)sql",
     R"sql((SELECT * (FROM (TABLE t (SAMPLE 5 ROWS REPEATABLE 42) AS s))))sql"},
    {R"sql(SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 4 ON rand()))sql",
     R"sql((SELECT * (FROM (TABLE t (SAMPLE BUCKET 1 OUT OF 4 ON (rand))))))sql"},
    {R"sql(SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1)sql",
     R"sql((SELECT a (count *) (FROM (TABLE t)) (GROUP BY a) (HAVING (> (count *) 1))))sql"},
    {R"sql(SELECT a, b FROM t GROUP BY 1, 2)sql",
     R"sql((SELECT a b (FROM (TABLE t)) (GROUP BY 1 2)))sql"},
    {R"sql(SELECT a, sum(b) FROM t GROUP BY ALL)sql",
     R"sql((SELECT a (sum b) (FROM (TABLE t)) (GROUP BY ALL)))sql"},
    {R"sql(SELECT a, b, sum(c) FROM t GROUP BY ROLLUP(a, b))sql",
     R"sql((SELECT a b (sum c) (FROM (TABLE t)) (GROUP BY (ROLLUP (a) (b)))))sql"},
    {R"sql(SELECT a, b, sum(c) FROM t GROUP BY CUBE(a, (a, b)))sql",
     R"sql((SELECT a b (sum c) (FROM (TABLE t)) (GROUP BY (CUBE (a) (a b)))))sql"},
    {R"sql(SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), ()))sql",
     R"sql((SELECT a b (sum c) (FROM (TABLE t)) (GROUP BY (GROUPING SETS (a b) (a) ()))))sql"},
    {R"sql(SELECT a, b, sum(c) FROM t GROUP BY a, b WITH ROLLUP)sql",
     R"sql((SELECT a b (sum c) (FROM (TABLE t)) (GROUP BY a b WITH ROLLUP)))sql"},
    {R"sql(SELECT a, b, sum(c) FROM t GROUP BY a, b WITH CUBE)sql",
     R"sql((SELECT a b (sum c) (FROM (TABLE t)) (GROUP BY a b WITH CUBE)))sql"},
    {R"sql(SELECT a, row_number() OVER (PARTITION BY b ORDER BY c) AS rn FROM t QUALIFY rn = 1)sql",
     R"sql((SELECT a (AS (row_number (OVER (WINDOW (PARTITION BY b) (ORDER BY (c))))) rn) (FROM (TABLE t)) (QUALIFY (= rn 1))))sql"},
    {R"sql(SELECT sum(a) OVER w FROM t WINDOW w AS (PARTITION BY b ORDER BY c))sql",
     R"sql((SELECT (sum a (OVER (WINDOW w))) (FROM (TABLE t)) (WINDOWS (w (WINDOW (PARTITION BY b) (ORDER BY (c)))))))sql"},
    {R"sql(SELECT a FROM t ORDER BY a DESC NULLS FIRST, b ASC LIMIT 10 OFFSET 5)sql",
     R"sql((SELECT a (FROM (TABLE t)) (ORDER BY (a DESC NULLS FIRST) (b ASC)) (LIMIT 10) (OFFSET 5)))sql"},
    {R"sql(SELECT a FROM t SORT BY a LIMIT ALL)sql",
     R"sql((SELECT a (FROM (TABLE t)) (SORT BY (a)) (LIMIT ALL)))sql"},
    {R"sql(SELECT a FROM t CLUSTER BY a)sql",
     R"sql((SELECT a (FROM (TABLE t)) (CLUSTER BY a)))sql"},
    {R"sql(SELECT a FROM t DISTRIBUTE BY a SORT BY b)sql",
     R"sql((SELECT a (FROM (TABLE t)) (SORT BY (b)) (DISTRIBUTE BY a)))sql"},
    {R"sql(WITH a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a) SELECT * FROM b)sql",
     R"sql((SELECT (WITH (a (SELECT (AS 1 x))) (b (y) (SELECT x (FROM (TABLE a))))) * (FROM (TABLE b))))sql"},
    {R"sql(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r)sql",
     R"sql((SELECT (WITH RECURSIVE (r (n) (UNION ALL (SELECT 1) (SELECT (+ n 1) (FROM (TABLE r)) (WHERE (< n 10)))))) * (FROM (TABLE r))))sql"},
    {R"sql(SELECT 1 UNION SELECT 2 UNION ALL SELECT 3)sql",
     R"sql((UNION ALL (UNION (SELECT 1) (SELECT 2)) (SELECT 3)))sql"},
    {R"sql(SELECT 1 UNION SELECT 2 INTERSECT SELECT 3)sql",
     R"sql((UNION (SELECT 1) (INTERSECT (SELECT 2) (SELECT 3))))sql"},
    {R"sql(SELECT 1 EXCEPT ALL SELECT 2 MINUS SELECT 3)sql",
     R"sql((EXCEPT (EXCEPT ALL (SELECT 1) (SELECT 2)) (SELECT 3)))sql"},
    {R"sql(SELECT 1 INTERSECT DISTINCT SELECT 2)sql", R"sql((INTERSECT (SELECT 1) (SELECT 2)))sql"},
    {R"sql((SELECT 1) UNION (SELECT 2) ORDER BY 1 LIMIT 1)sql",
     R"sql((UNION (SELECT 1) (SELECT 2) (ORDER BY (1)) (LIMIT 1)))sql"},
    {R"sql((SELECT a FROM t ORDER BY a LIMIT 1) ORDER BY a)sql",
     R"sql((SELECT * (FROM (SUBQUERY (SELECT a (FROM (TABLE t)) (ORDER BY (a)) (LIMIT 1)))) (ORDER BY (a))))sql"},
    {R"sql(SELECT /*+ BROADCAST(b), MERGE(c) */ * FROM a JOIN b ON a.x = b.x)sql",
     R"sql((SELECT (HINTS (BROADCAST b) (MERGE c)) * (FROM (JOIN INNER (TABLE a) (TABLE b) (ON (= a.x b.x))))))sql"},
    {R"sql(SELECT /*+ REPARTITION(8, a) */ a FROM t)sql",
     R"sql((SELECT (HINTS (REPARTITION 8 a)) a (FROM (TABLE t))))sql"},
    {R"sql(SELECT * /*+ ignored */ FROM t)sql", R"sql((SELECT * (FROM (TABLE t))))sql"},
    {R"sql(FROM t SELECT a WHERE b > 1)sql",
     R"sql((SELECT a (FROM (TABLE t)) (WHERE (> b 1))))sql"},
    {R"sql(TABLE t)sql", R"sql((TABLE t))sql"},
    {R"sql(SELECT 1)sql", R"sql((SELECT 1))sql"},
    {R"sql(SELECT 1 -- comment)sql", R"sql((SELECT 1))sql"},
    {R"sql(SELECT /* outer /* nested */ still */ 1)sql", R"sql((SELECT 1))sql"},
    {R"sql(SELECT a FROM t WHERE a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v))sql",
     R"sql((SELECT a (FROM (TABLE t)) (WHERE (AND (IN a (SELECT b (FROM (TABLE u)))) (EXISTS (SELECT 1 (FROM (TABLE v))))))))sql"},
    {R"sql(SELECT `select` FROM `from`)sql", R"sql((SELECT select (FROM (TABLE from))))sql"},
    {R"sql(SELECT t.order, t.from FROM t)sql", R"sql((SELECT t.order t.from (FROM (TABLE t))))sql"},
    {R"sql(SELECT date, year, value, key, comment FROM t)sql",
     R"sql((SELECT date year value key comment (FROM (TABLE t))))sql"},
    {R"sql(SELECT left(s, 2), right(s, 2), if(a, 1, 2) FROM t)sql",
     R"sql((SELECT (left s 2) (right s 2) (if a 1 2) (FROM (TABLE t))))sql"},
    {R"sql(SELECT * FROM t WINDOW w AS (ORDER BY a) LIMIT 1)sql",
     R"sql((SELECT * (FROM (TABLE t)) (WINDOWS (w (WINDOW (ORDER BY (a))))) (LIMIT 1)))sql"},
    {R"sql(SELECT count(*) c FROM t t1)sql",
     R"sql((SELECT (AS (count *) c) (FROM (TABLE t AS t1))))sql"},
};
const ParseCase kStatementCases[] = {
    {R"sql(EXPLAIN SELECT 1)sql", R"sql((EXPLAIN (SELECT 1)))sql"},
    {R"sql(EXPLAIN EXTENDED SELECT a FROM t)sql",
     R"sql((EXPLAIN EXTENDED (SELECT a (FROM (TABLE t)))))sql"},
    {R"sql(EXPLAIN FORMATTED SELECT 1)sql", R"sql((EXPLAIN FORMATTED (SELECT 1)))sql"},
    {R"sql(SET spark.sql.shuffle.partitions = 10)sql",
     R"sql((SET 'spark.sql.shuffle.partitions' '10'))sql"},
    {R"sql(SET spark.sql.ansi.enabled=true)sql", R"sql((SET 'spark.sql.ansi.enabled' 'true'))sql"},
    {R"sql(SET spark.sql.shuffle.partitions)sql", R"sql((SET 'spark.sql.shuffle.partitions'))sql"},
    {R"sql(SET)sql", R"sql((SET))sql"},
    {R"sql(SET -v)sql", R"sql((SET '-v'))sql"},
    {R"sql(SET TIME ZONE 'UTC')sql", R"sql((SET 'spark.sql.session.timeZone' 'UTC'))sql"},
    {R"sql(RESET)sql", R"sql((RESET))sql"},
    {R"sql(RESET spark.sql.shuffle.partitions)sql",
     R"sql((RESET 'spark.sql.shuffle.partitions'))sql"},
    {R"sql(USE db)sql", R"sql((USE db))sql"},
    {R"sql(USE CATALOG main)sql", R"sql((USE CATALOG main))sql"},
    {R"sql(USE SCHEMA main.db)sql", R"sql((USE SCHEMA main.db))sql"},
    {R"sql(USE DATABASE db)sql", R"sql((USE DATABASE db))sql"},
    {R"sql(SHOW TABLES IN db LIKE 'x*')sql", R"sql((SHOW TABLES IN db LIKE 'x*'))sql"},
    {R"sql(SHOW DATABASES)sql", R"sql((SHOW DATABASES))sql"},
    {R"sql(DESCRIBE TABLE EXTENDED t)sql", R"sql((DESCRIBE TABLE EXTENDED t))sql"},
    {R"sql(DESC t)sql", R"sql((DESCRIBE t))sql"},
    {R"sql(CREATE TABLE t (id BIGINT NOT NULL, name STRING COMMENT 'the name', ts TIMESTAMP DEFAULT current_timestamp(), d DATE GENERATED ALWAYS AS (CAST(ts AS DATE))) USING delta PARTITIONED BY (d) LOCATION '/tmp/t' COMMENT 'a table' TBLPROPERTIES ('delta.appendOnly' = 'true', delta.enableChangeDataFeed = true))sql",
     R"sql((CREATE TABLE t (COLUMNS (id bigint NOT NULL) (name string (COMMENT 'the name')) (ts timestamp (DEFAULT (current_timestamp))) (d date (GENERATED (CAST ts date)))) (USING delta) (PARTITIONED BY d) (LOCATION '/tmp/t') (COMMENT 'a table') (TBLPROPERTIES ('delta.appendOnly' 'true') ('delta.enableChangeDataFeed' 'true'))))sql"},
    {R"sql(CREATE OR REPLACE TABLE cat.db.t USING delta AS SELECT * FROM s)sql",
     R"sql((CREATE OR REPLACE TABLE cat.db.t (USING delta) (AS (SELECT * (FROM (TABLE s))))))sql"},
    {R"sql(CREATE TABLE IF NOT EXISTS t (a INT) USING parquet)sql",
     R"sql((CREATE TABLE IF NOT EXISTS t (COLUMNS (a int)) (USING parquet)))sql"},
    {R"sql(CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 2), x INT) USING delta CLUSTER BY (x))sql",
     R"sql((CREATE TABLE t (COLUMNS (id bigint (IDENTITY ALWAYS START 1 STEP 2)) (x int)) (USING delta) (CLUSTER BY x)))sql"},
    {R"sql(CREATE TABLE t (a INT, p STRING) PARTITIONED BY (p))sql",
     R"sql((CREATE TABLE t (COLUMNS (a int) (p string)) (PARTITIONED BY p)))sql"},
    {R"sql(CREATE TABLE t (a INT) PARTITIONED BY (p STRING))sql",
     R"sql((CREATE TABLE t (COLUMNS (a int)) (PARTITIONED BY (p string))))sql"},
    {R"sql(CREATE TABLE t AS SELECT 1 AS a)sql",
     R"sql((CREATE TABLE t (AS (SELECT (AS 1 a)))))sql"},
    {R"sql(REPLACE TABLE t (a INT) USING delta)sql",
     R"sql((REPLACE TABLE t (COLUMNS (a int)) (USING delta)))sql"},
    {R"sql(CREATE VIEW v AS SELECT a FROM t)sql",
     R"sql((CREATE VIEW v (SELECT a (FROM (TABLE t)))))sql"},
    {R"sql(CREATE OR REPLACE TEMP VIEW v (x COMMENT 'c', y) COMMENT 'view' AS SELECT a, b FROM t)sql",
     R"sql((CREATE OR REPLACE TEMPORARY VIEW v (x y) (COMMENT 'view') (SELECT a b (FROM (TABLE t)))))sql"},
    {R"sql(CREATE GLOBAL TEMPORARY VIEW IF NOT EXISTS v AS SELECT 1)sql",
     R"sql((CREATE GLOBAL TEMPORARY VIEW IF NOT EXISTS v (SELECT 1)))sql"},
    {R"sql(CREATE SCHEMA IF NOT EXISTS db COMMENT 'x' LOCATION '/tmp/db')sql",
     R"sql((CREATE SCHEMA IF NOT EXISTS db (COMMENT 'x') (LOCATION '/tmp/db')))sql"},
    {R"sql(CREATE DATABASE db)sql", R"sql((CREATE DATABASE db))sql"},
    {R"sql(DROP TABLE IF EXISTS db.t)sql", R"sql((DROP TABLE IF EXISTS db.t))sql"},
    {R"sql(DROP VIEW v)sql", R"sql((DROP VIEW v))sql"},
    {R"sql(DROP SCHEMA db CASCADE)sql", R"sql((DROP SCHEMA db CASCADE))sql"},
    {R"sql(INSERT INTO t VALUES (1, 'a'), (2, 'b'))sql",
     R"sql((INSERT INTO t (VALUES (ROW 1 'a') (ROW 2 'b'))))sql"},
    {R"sql(INSERT INTO TABLE t (a, b) SELECT x, y FROM s)sql",
     R"sql((INSERT INTO t (a b) (SELECT x y (FROM (TABLE s)))))sql"},
    {R"sql(INSERT OVERWRITE t SELECT * FROM s)sql",
     R"sql((INSERT OVERWRITE t (SELECT * (FROM (TABLE s)))))sql"},
    {R"sql(INSERT INTO t BY NAME SELECT 1 AS a)sql",
     R"sql((INSERT INTO t BY NAME (SELECT (AS 1 a))))sql"},
    {R"sql(INSERT INTO t PARTITION (p = 1) SELECT 2)sql",
     R"sql((INSERT INTO t (PARTITION p=1) (SELECT 2)))sql"},
    {R"sql(INSERT INTO t REPLACE WHERE d >= '2024-01-01' SELECT * FROM s)sql",
     R"sql((INSERT INTO t (REPLACE WHERE (>= d '2024-01-01')) (SELECT * (FROM (TABLE s)))))sql"},
    {R"sql(INSERT INTO t (SELECT * FROM s))sql",
     R"sql((INSERT INTO t (SELECT * (FROM (TABLE s)))))sql"},
    {R"sql(DELETE FROM t WHERE a = 1)sql", R"sql((DELETE t (WHERE (= a 1))))sql"},
    {R"sql(DELETE FROM t)sql", R"sql((DELETE t))sql"},
    {R"sql(DELETE FROM db.t AS x WHERE x.a > 1)sql",
     R"sql((DELETE db.t AS x (WHERE (> x.a 1))))sql"},
    {R"sql(UPDATE t SET a = a + 1, b = 'x' WHERE c IS NULL)sql",
     R"sql((UPDATE t (SET (= a (+ a 1)) (= b 'x')) (WHERE (IS NULL c))))sql"},
    {R"sql(UPDATE t AS x SET x.a = 1)sql", R"sql((UPDATE t AS x (SET (= x.a 1))))sql"},
    {R"sql(MERGE INTO target t USING source s ON t.id = s.id WHEN MATCHED AND s.del THEN DELETE WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v) WHEN NOT MATCHED BY SOURCE THEN DELETE)sql",
     R"sql((MERGE target AS t (USING (TABLE source AS s)) (ON (= t.id s.id)) (MATCHED (AND s.del) DELETE) (MATCHED (UPDATE (SET (= t.v s.v)))) (NOT MATCHED (INSERT (id v) s.id s.v)) (NOT MATCHED BY SOURCE DELETE)))sql"},
    {R"sql(MERGE INTO t USING (SELECT * FROM s) src ON t.id = src.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *)sql",
     R"sql((MERGE t (USING (SUBQUERY (SELECT * (FROM (TABLE s))) AS src)) (ON (= t.id src.id)) (MATCHED UPDATE *) (NOT MATCHED INSERT *)))sql"},
    {R"sql(MERGE WITH SCHEMA EVOLUTION INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY TARGET THEN INSERT *)sql",
     R"sql((MERGE WITH SCHEMA EVOLUTION t (USING (TABLE s)) (ON (= t.id s.id)) (NOT MATCHED INSERT *)))sql"},
    {R"sql(TRUNCATE TABLE t)sql", R"sql((TRUNCATE t))sql"},
    {R"sql(ALTER TABLE t ADD COLUMNS (c INT))sql",
     R"sql((OTHER ALTER TABLE t ADD COLUMNS ( c INT )))sql"},
    {R"sql(OPTIMIZE t ZORDER BY (a))sql", R"sql((OTHER OPTIMIZE t ZORDER BY ( a )))sql"},
    {R"sql(VACUUM t RETAIN 168 HOURS)sql", R"sql((OTHER VACUUM t RETAIN 168 HOURS))sql"},
    {R"sql(CREATE FUNCTION f AS 'x')sql", R"sql((OTHER CREATE FUNCTION f AS 'x'))sql"},
    {R"sql(SELECT 1;)sql", R"sql((SELECT 1))sql"},
};

class ParserExpressionTest : public ::testing::TestWithParam<ParseCase> {};
TEST_P(ParserExpressionTest, Dumps) { EXPECT_EQ(DumpExpression(GetParam().sql), GetParam().dump); }
INSTANTIATE_TEST_SUITE_P(ParserTest, ParserExpressionTest, ::testing::ValuesIn(kExpressionCases));

// Operators, special forms and corner cases.
const ParseCase kMoreExpressionCases[] = {
    {R"sql(a << 2 + 1)sql", R"sql((shiftleft a (+ 2 1)))sql"},
    {R"sql(a & b >> 1)sql", R"sql((& a (shiftright b 1)))sql"},
    {R"sql(a >>> 2 = 0)sql", R"sql((= (shiftrightunsigned a 2) 0))sql"},
    {R"sql(percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC))sql",
     R"sql((percentile_cont 0.5BD (WITHIN GROUP (x DESC))))sql"},
    {R"sql(listagg(DISTINCT s, ',') WITHIN GROUP (ORDER BY s) OVER (PARTITION BY k))sql",
     R"sql((listagg DISTINCT s ',' (WITHIN GROUP (s)) (OVER (WINDOW (PARTITION BY k)))))sql"},
    {R"sql(!a)sql", R"sql((NOT a))sql"},
    {R"sql(a ! IN (1))sql", R"sql((NOT IN a 1))sql"},
    {R"sql(NOT NOT a)sql", R"sql((NOT (NOT a)))sql"},
    {R"sql(- -1)sql", R"sql((- -1))sql"},
    {R"sql(1 - -1)sql", R"sql((- 1 -1))sql"},
    {R"sql(a IS UNKNOWN)sql", R"sql((IS UNKNOWN a))sql"},
    {R"sql(a = 1 IS NULL)sql", R"sql((IS NULL (= a 1)))sql"},
    {R"sql(a BETWEEN b + 1 AND c * 2 OR d)sql", R"sql((OR (BETWEEN a (+ b 1) (* c 2)) d))sql"},
    {R"sql(TIMESTAMP_LTZ '2020-01-01 10:00')sql", R"sql(TIMESTAMP '2020-01-01 10:00')sql"},
    {R"sql(CURRENT_USER)sql", R"sql((current_user))sql"},
    {R"sql(`col`(1))sql", R"sql((col 1))sql"},
    {R"sql(named_struct('a', 1).a)sql", R"sql((. (named_struct 'a' 1) a))sql"},
    {R"sql(a.b[1].c.d)sql", R"sql((. (. ([] a.b 1) c) d))sql"},
    {R"sql(x -> x)sql", R"sql((LAMBDA (x) x))sql"},
    {R"sql(exists(arr, x -> x > 1))sql", R"sql((exists arr (LAMBDA (x) (> x 1))))sql"},
    {R"sql(NOT exists(arr, x -> x > 1))sql", R"sql((NOT (exists arr (LAMBDA (x) (> x 1)))))sql"},
    {R"sql(NOT EXISTS (VALUES 1))sql", R"sql((NOT EXISTS (VALUES (ROW 1))))sql"},
    {R"sql(EXISTS ((SELECT 1)))sql", R"sql((EXISTS (SELECT 1)))sql"},
    {R"sql(filter(a, (x) -> x > 0))sql", R"sql((filter a (LAMBDA (x) (> x 0))))sql"},
};
INSTANTIATE_TEST_SUITE_P(ParserMoreTest, ParserExpressionTest,
                         ::testing::ValuesIn(kMoreExpressionCases));

class ParserQueryTest : public ::testing::TestWithParam<ParseCase> {};
TEST_P(ParserQueryTest, Dumps) { EXPECT_EQ(DumpStatement(GetParam().sql), GetParam().dump); }
INSTANTIATE_TEST_SUITE_P(ParserTest, ParserQueryTest, ::testing::ValuesIn(kQueryCases));

class ParserStatementTest : public ::testing::TestWithParam<ParseCase> {};
TEST_P(ParserStatementTest, Dumps) { EXPECT_EQ(DumpStatement(GetParam().sql), GetParam().dump); }
INSTANTIATE_TEST_SUITE_P(ParserTest, ParserStatementTest, ::testing::ValuesIn(kStatementCases));

// Error cases: {sql, first line of the message}.
const ParseCase kErrorCases[] = {
    {"SELECT FROM t",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT 1 +",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 10)"},
    {"SELECT * FROM t WHERE",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 21)"},
    {"SELECT 'abc",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '''. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT \"abc",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '\"'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT `abc",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '`'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT /* x",
     "[UNCLOSED_BRACKETED_COMMENT] Found an unclosed bracketed comment. Please, append */ at "
     "the end of the comment. SQLSTATE: 42601"},
    {"SELECT /* a /* b */ 1",
     "[UNCLOSED_BRACKETED_COMMENT] Found an unclosed bracketed comment. Please, "
     "append */ at the end of the comment. SQLSTATE: 42601"},
    {"SELECT /*+ BROADCAST(t) 1",
     "[UNCLOSED_BRACKETED_COMMENT] Found an unclosed bracketed comment. Please, "
     "append */ at the end of the comment. SQLSTATE: 42601"},
    {"SELECT 1\nFROM t WHERE a = = 1",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '='. SQLSTATE: 42601 (line 2, pos 17)"},
    {"SELECT 1 2 3",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '2': extra input '2'. SQLSTATE: 42601 (line 1, "
     "pos 9)"},
    {"SELCT 1",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELCT'. SQLSTATE: 42601 (line 1, pos 0)"},
    {"SELECT (((1)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 12)"},
    {"SELECT 1)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near ')': extra input ')'. SQLSTATE: 42601 (line 1, "
     "pos 8)"},
    {"SELECT @",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '@'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT 1;;SELECT 2",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELECT': extra input 'SELECT'. SQLSTATE: 42601 "
     "(line 1, pos 10)"},
    {"",
     "[PARSE_EMPTY_STATEMENT] Syntax error, unexpected empty statement. SQLSTATE: 42617 (line 1, "
     "pos 0)"},
    {"  ;  ", "[PARSE_SYNTAX_ERROR] Syntax error at or near ';'. SQLSTATE: 42601 (line 1, pos 2)"},
    {"-- only a comment",
     "[PARSE_EMPTY_STATEMENT] Syntax error, unexpected empty statement. SQLSTATE: 42617 (line 1, "
     "pos 0)"},
    {"SELECT 128Y",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 128 is outside the valid range for tinyint "
     "with minimum value of -128 and maximum value of 127. Please adjust the value accordingly. "
     "SQLSTATE: 22003"},
    {"SELECT -129Y",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal -129 is outside the valid range for tinyint "
     "with minimum value of -128 and maximum value of 127. Please adjust the value accordingly. "
     "SQLSTATE: 22003"},
    {"SELECT 32768S",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 32768 is outside the valid range for "
     "smallint with minimum value of -32768 and maximum value of 32767. Please adjust the value "
     "accordingly. SQLSTATE: 22003"},
    {"SELECT 99999999999999999999L",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 99999999999999999999 is outside the valid "
     "range for bigint "
     "with minimum value of -9223372036854775808 and maximum value of 9223372036854775807. Please "
     "adjust the "
     "value accordingly. SQLSTATE: 22003"},
    {"SELECT 1e400D",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 1e400 is outside the valid range for double "
     "with minimum value of -1.7976931348623157E+308 and maximum value of "
     "1.7976931348623157E+308. Please adjust the value accordingly. SQLSTATE: 22003"},
    {"SELECT 3.4E39F",
     "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 3.4E39 is outside the valid range for float "
     "with minimum value of -3.4028234663852886E+38 and maximum value of "
     "3.4028234663852886E+38. Please adjust the value accordingly. SQLSTATE: 22003"},
    {"SELECT CAST(1 AS foo)",
     "[UNSUPPORTED_DATATYPE] Unsupported data type \"FOO\". SQLSTATE: 0A000"},
    {"SELECT CAST(1 AS varchar)",
     "[DATATYPE_MISSING_SIZE] DataType \"VARCHAR\" requires a length parameter, for "
     "example \"VARCHAR\"(10). Please specify the length. SQLSTATE: 42K01"},
    {"SELECT CAST(1 AS decimal(39, 0))",
     "[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision 39 exceeds max precision 38. "
     "SQLSTATE: 22003"},
    {"SELECT CAST(1 AS decimal(5, 6))",
     "[PARSE_SYNTAX_ERROR] Decimal scale (6) cannot be greater than precision (5). SQLSTATE: "
     "42601"},
    {"SELECT CAST(a AS INTERVAL DAY TO MONTH)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'TO'. SQLSTATE: 42601 (line 1, pos 30)"},
    {"SELECT a LIKE 'x' ESCAPE 'ab'",
     "[INVALID_ESC] Found an invalid escape string: 'ab'. The escape string must "
     "contain only one character. SQLSTATE: 42604"},
    {"SELECT X'1G'",
     "[INVALID_TYPED_LITERAL] The value of the typed literal \"X\" is invalid: '1G'. SQLSTATE: "
     "42604"},
    {"SELECT a FROM t WHERE a IN ()",
     "[INVALID_SQL_SYNTAX.EMPTY_IN_PREDICATE] Invalid SQL syntax: IN predicate requires at least "
     "one value. Empty "
     "IN clauses like 'IN ()' are not allowed. Consider using 'WHERE FALSE' if you need an "
     "always-false condition, "
     "or provide at least one value in the IN list. SQLSTATE: 42000"},
    {"SELECT count(",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 13)"},
    {"INSERT t VALUES (1)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 't'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT CASE END",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'END'. SQLSTATE: 42601 (line 1, pos 12)"},
    {"SELECT CASE WHEN 1 END",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'END'. SQLSTATE: 42601 (line 1, pos 19)"},
    {"SELECT a FROM t GROUP BY",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 24)"},
    {"SELECT * FROM t JOIN",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 20)"},
    {"SELECT * FROM a JOIN b ON",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 25)"},
    {"WITH a AS (SELECT 1)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 20)"},
    {"DROP SOMETHING x",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SOMETHING'. SQLSTATE: 42601 (line 1, pos 5)"},
    {"MERGE INTO t USING s ON a WHEN MATCHED THEN INSERT *",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'INSERT'. SQLSTATE: 42601 (line 1, pos 44)"},
    {"SELECT a FROM t ORDER a",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'ORDER': extra input 'ORDER'. SQLSTATE: 42601 "
     "(line 1, pos 16)"},
    {"SELECT INTERVAL 1",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 17)"},
    {"SELECT a IS 5",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '5'. SQLSTATE: 42601 (line 1, pos 12)"},
    {"SELECT * FROM t TABLESAMPLE (BUCKET x OUT OF 2)",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'x'. SQLSTATE: 42601 (line 1, pos 36)"},
    {"SELECT sum(a) OVER (ROWS BETWEEN 1 AND 2) FROM t",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'AND'. SQLSTATE: 42601 (line 1, pos 35)"},
    {"SELECT a FROM t WHERE b = 1 AND",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 31)"},
    {"SELECT a, FROM t",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'. SQLSTATE: 42601 (line 1, pos 10)"},
    {"SELECT ARRAY<INT>",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 17)"},
    {"UPDATE t a = 1",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '='. SQLSTATE: 42601 (line 1, pos 11)"},
    {"CREATE TABLE t (a INT",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 1, pos 21)"},
    {"SELECT * FROM t UNPIVOT x",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'UNPIVOT': extra input 'UNPIVOT'. SQLSTATE: 42601 "
     "(line 1, pos 16)"},
    {"SELECT * FROM t PIVOT",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near 'PIVOT': extra input 'PIVOT'. SQLSTATE: 42601 "
     "(line 1, pos 16)"},
    {"SELECT #",
     "[PARSE_SYNTAX_ERROR] Syntax error at or near '#'. SQLSTATE: 42601 (line 1, pos 7)"},
    {"SELECT é FROM t", "OK"},
};

class ParserErrorTest : public ::testing::TestWithParam<ParseCase> {};
TEST_P(ParserErrorTest, Fails) { EXPECT_EQ(ErrorOf(GetParam().sql), GetParam().dump); }
INSTANTIATE_TEST_SUITE_P(ParserTest, ParserErrorTest, ::testing::ValuesIn(kErrorCases));

TEST(ParserTest, SyntaxErrorCarriesClassStateAndCaret) {
  auto r = ParseStatement("SELECT 1\nFROM t WHERE a = = 1\nLIMIT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClass(r.status()), "PARSE_SYNTAX_ERROR");
  auto detail = std::static_pointer_cast<ErrorClassDetail>(r.status().detail());
  EXPECT_EQ(detail->sqlstate(), "42601");
  EXPECT_EQ(r.status().message(),
            "[PARSE_SYNTAX_ERROR] Syntax error at or near '='. SQLSTATE: 42601 (line 2, pos 17)\n\n"
            "== SQL ==\nSELECT 1\nFROM t WHERE a = = 1\n-----------------^^^\nLIMIT 1\n");
}

TEST(ParserTest, LiteralErrorPointsAtTheLiteral) {
  auto r = ParseStatement("SELECT 128Y");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClass(r.status()), "INVALID_NUMERIC_LITERAL_RANGE");
  EXPECT_NE(r.status().message().find("== SQL (line 1, position 8) ==\nSELECT 128Y\n       ^^^^\n"),
            std::string::npos)
      << r.status().message();
}

TEST(ParserTest, CtasWithAColumnListIsRefusedAsSparkDoes) {
  auto r = ParseStatement(
      "CREATE TABLE t (a INT, b INT GENERATED ALWAYS AS (a * 2)) USING delta AS\n  SELECT 1 AS a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClass(r.status()), "_LEGACY_ERROR_TEMP_0035");
  EXPECT_NE(r.status().message().find(
                "Operation not allowed: Schema may not be specified in a Create Table As Select "
                "(CTAS) statement.\n== SQL (line 1, position 1) ==\nCREATE TABLE t (a INT, b INT "
                "GENERATED ALWAYS AS (a * 2)) USING delta AS\n" +
                std::string(72, '^') + "\n  SELECT 1 AS a\n" + std::string(15, '^') + "\n"),
            std::string::npos)
      << r.status().message();
  r = ParseStatement("REPLACE TABLE t (a INT) USING delta AS SELECT 1 AS a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Replace Table As Select (RTAS) statement."),
            std::string::npos);
  r = ParseStatement("CREATE TABLE t USING parquet PARTITIONED BY (p STRING) AS SELECT 1 AS p");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Partition column types may not be specified in Create "
                                      "Table As Select (CTAS)."),
            std::string::npos);
  EXPECT_TRUE(
      ParseStatement("CREATE TABLE t USING delta PARTITIONED BY (p) AS SELECT 1 AS p").ok());
}

TEST(ParserTest, KeywordsAreCaseInsensitiveAndIdentifiersKeepCase) {
  EXPECT_EQ(DumpStatement("select MyCol AS Alias from Db.Tbl where X between 1 and 2"),
            "(SELECT (AS MyCol Alias) (FROM (TABLE Db.Tbl)) (WHERE (BETWEEN X 1 2)))");
  EXPECT_EQ(DumpStatement("SeLeCt 1"), "(SELECT 1)");
}

TEST(ParserTest, NumericLiteralKinds) {
  struct Case {
    const char* sql;
    LiteralKind kind;
    const char* text;
  };
  const Case cases[] = {{"1", LiteralKind::kInt, "1"},
                        {"-2147483648", LiteralKind::kInt, "-2147483648"},
                        {"2147483648", LiteralKind::kBigInt, "2147483648"},
                        {"-9223372036854775808", LiteralKind::kBigInt, "-9223372036854775808"},
                        {"9223372036854775808", LiteralKind::kDecimal, "9223372036854775808"},
                        {"1.5", LiteralKind::kDecimal, "1.5"},
                        {".5", LiteralKind::kDecimal, ".5"},
                        {"1.", LiteralKind::kDecimal, "1."},
                        {"1e10", LiteralKind::kDouble, "1e10"},
                        {"1.5E-3", LiteralKind::kDouble, "1.5E-3"},
                        {"2d", LiteralKind::kDouble, "2"},
                        {"2f", LiteralKind::kFloat, "2"},
                        {"1.0E10BD", LiteralKind::kDecimal, "1.0E10"},
                        {"7l", LiteralKind::kBigInt, "7"},
                        {"-128Y", LiteralKind::kTinyInt, "-128"},
                        {"-32768S", LiteralKind::kSmallInt, "-32768"}};
  for (const auto& c : cases) {
    auto r = ParseExpression(c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    EXPECT_EQ((*r)->kind, ExprKind::kLiteral) << c.sql;
    EXPECT_EQ((*r)->literal_kind, c.kind) << c.sql;
    EXPECT_EQ((*r)->text, c.text) << c.sql;
  }
}

TEST(ParserTest, StringEscapes) {
  auto value = [](std::string_view sql) {
    auto r = ParseExpression(sql);
    return r.ok() ? (*r)->text : "ERROR " + r.status().message();
  };
  EXPECT_EQ(value(R"('a\nb')"), "a\nb");
  EXPECT_EQ(value(R"('tab\there')"), "tab\there");
  EXPECT_EQ(value(R"('it''s')"), "it's");
  EXPECT_EQ(value(R"('it\'s')"), "it's");
  EXPECT_EQ(value(R"("double \"quoted\"")"), "double \"quoted\"");
  EXPECT_EQ(value(R"('\u0041\u00e9')"), "A\xC3\xA9");
  EXPECT_EQ(value(R"('\101')"), "A");
  EXPECT_EQ(value(R"('a\%b\_c')"), "a\\%b\\_c");
  EXPECT_EQ(value(R"('back\\slash')"), "back\\slash");
  EXPECT_EQ(value(R"(r'raw\n')"), "raw\\n");
  EXPECT_EQ(value("'a' \"b\" 'c'"), "abc");
  EXPECT_EQ(value("'multi\nline'"), "multi\nline");
}

TEST(ParserTest, TypedLiterals) {
  auto r = ParseExpression("TIMESTAMP_LTZ '2020-01-01'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->literal_kind, LiteralKind::kTimestamp);
  auto interval = ParseExpression("INTERVAL '1 02' DAY TO HOUR");
  ASSERT_TRUE(interval.ok());
  ASSERT_EQ((*interval)->interval.size(), 1u);
  EXPECT_EQ((*interval)->interval[0].value, "1 02");
  EXPECT_TRUE((*interval)->interval[0].quoted);
  EXPECT_EQ((*interval)->interval[0].unit, "DAY");
  EXPECT_EQ((*interval)->interval[0].to_unit, "HOUR");
  EXPECT_EQ(DumpExpression("INTERVAL 1 DAY + x"), "(+ (INTERVAL 1 DAY) x)");
  EXPECT_EQ(DumpExpression("INTERVAL 2 WEEKS 3 MILLISECONDS"), "(INTERVAL 2 WEEK 3 MILLISECOND)");
}

TEST(ParserTest, PositionsAreOneBasedLinesZeroBasedColumns) {
  auto r = ParseStatement("SELECT a,\n  b + 1 AS c\nFROM t");
  ASSERT_TRUE(r.ok());
  const Query& q = *(*r)->query;
  EXPECT_EQ(q.pos.line, 1);
  EXPECT_EQ(q.pos.column, 0);
  EXPECT_EQ(q.select_items[0].expr->pos.column, 7);
  const Expr& b = *q.select_items[1].expr;
  EXPECT_EQ(b.pos.line, 2);
  EXPECT_EQ(b.pos.column, 2);
  EXPECT_EQ(b.children[1]->pos.column, 6);
  EXPECT_EQ(q.from->pos.line, 3);
  EXPECT_EQ(q.from->pos.column, 5);
  EXPECT_EQ(q.from->pos.offset, 28);
}

TEST(ParserTest, ParseStatementsSplitsOnSemicolons) {
  const char* script = "SELECT 1;\n-- comment; not a split\nSELECT ';' AS s ; ;\nSET a = b;USE db";
  auto r = ParseStatements(script);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0]->text, "SELECT 1");
  EXPECT_EQ((*r)[1]->text, "SELECT ';' AS s");
  EXPECT_EQ((*r)[1]->pos.line, 3);
  EXPECT_EQ((*r)[2]->text, "SET a = b");
  EXPECT_EQ((*r)[2]->kind, StatementKind::kSet);
  EXPECT_EQ((*r)[3]->text, "USE db");
  EXPECT_EQ(ToString(*(*r)[3]), "(USE db)");
}

TEST(ParserTest, ParseStatementsReportsErrorsInScriptCoordinates) {
  auto r = ParseStatements("SELECT 1;\nSELECT 2;\nSELECT FROM");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("(line 3, pos 7)"), std::string::npos)
      << r.status().message();
}

TEST(ParserTest, ParseStatementsOfEmptyScriptFails) {
  EXPECT_EQ(ErrorClass(ParseStatements("  ").status()), "PARSE_EMPTY_STATEMENT");
  auto r = ParseStatements(";;");
  EXPECT_EQ(ErrorClass(r.status()), "PARSE_EMPTY_STATEMENT");
}

TEST(ParserTest, StatementKeepsSourceText) {
  auto r = ParseStatement("  SELECT a  FROM t ;  ");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->text, "SELECT a  FROM t");
  auto view = ParseStatement("CREATE VIEW v AS SELECT a FROM t WHERE b > 1");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)->create_view->query_text, "SELECT a FROM t WHERE b > 1");
}

TEST(ParserTest, PositionalParametersAreNumberedInOrder) {
  auto r = ParseStatement("SELECT ? + ?, :name FROM t WHERE a = ?");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ToString(**r), "(SELECT (+ ?0 ?1) :name (FROM (TABLE t)) (WHERE (= a ?2)))");
}

TEST(ParserTest, DeepNestingFailsInsteadOfOverflowing) {
  std::string deep(100000, '(');
  auto r = ParseExpression(deep + "1" + std::string(100000, ')'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorClass(r.status()), "PARSE_SYNTAX_ERROR");
  EXPECT_NE(r.status().message().find("nests more than"), std::string::npos);

  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "NOT ";
  EXPECT_FALSE(ParseExpression(nots + "a").ok());
  std::string minus(50000, '-');
  EXPECT_FALSE(ParseExpression(minus + "a").ok());
  std::string arrays;
  for (int i = 0; i < 5000; ++i) arrays += "array<";
  EXPECT_FALSE(ParseDataType(arrays + "int" + std::string(5000, '>')).ok());
  std::string queries;
  for (int i = 0; i < 5000; ++i) queries += "SELECT * FROM (";
  EXPECT_FALSE(ParseStatement(queries + "SELECT 1" + std::string(5000, ')')).ok());
}

TEST(ParserTest, LongOperatorChainsParseAndFree) {
  std::string ors = "a = 0";
  for (int i = 1; i < 30000; ++i) ors += " OR a = " + std::to_string(i);
  auto r = ParseExpression(ors);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->binary_op, BinaryOp::kOr);
  std::string sums = "SELECT 1";
  for (int i = 0; i < 30000; ++i) sums += " + 1";
  EXPECT_TRUE(ParseStatement(sums).ok());
}

TEST(ParserTest, ModerateNestingIsFine) {
  std::string sql = std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_EQ(DumpExpression(sql), "1");
  std::string nested = "SELECT 1";
  for (int i = 0; i < 30; ++i) nested = "SELECT * FROM (" + nested + ")";
  EXPECT_TRUE(ParseStatement(nested).ok());
}

TEST(ParserTest, NestedSpecialFormsStayLinear) {
  // Each level of substr/position/trim/overlay used to be parsed twice; 200 levels would never end.
  for (const char* fn : {"substr", "position", "trim", "overlay", "substring"}) {
    std::string sql = "x";
    for (int i = 0; i < 200; ++i) sql = std::string(fn) + "(" + sql + ", 1)";
    EXPECT_TRUE(ParseExpression(sql).ok()) << fn;
  }
  EXPECT_EQ(DumpExpression("substring(substring(s FROM 2) FROM 1 FOR 3)"),
            "(substring (substring s 2) 1 3)");
  EXPECT_EQ(DumpExpression("position(x, y IN (1, 2))"), "(position x (IN y 1 2))");
  EXPECT_EQ(DumpExpression("substr((SELECT a FROM t), 1)"),
            "(substr (SUBQUERY (SELECT a (FROM (TABLE t)))) 1)");
}

TEST(ParserTest, NamedExpression) {
  auto r = ParseNamedExpression("a + 1 AS b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ToString(*r->expr), "(+ a 1)");
  EXPECT_EQ(r->alias, "b");
  auto bare = ParseNamedExpression("count(*) n");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->alias, "n");
  auto multi = ParseNamedExpression("stack(2, 1, 2) AS (x, y)");
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi->aliases, (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(ParseExpression("a AS b").ok());
}

TEST(ParserTest, MultipartIdentifier) {
  auto r = ParseMultipartIdentifier("cat.`my db`.`t``x`");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"cat", "my db", "t`x"}));
  EXPECT_FALSE(ParseMultipartIdentifier("a.").ok());
  EXPECT_FALSE(ParseMultipartIdentifier("a b").ok());
}

TEST(ParserTest, TableSchema) {
  auto r = ParseTableSchema("id BIGINT NOT NULL, name STRING COMMENT 'n', tags ARRAY<STRING>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "id");
  EXPECT_FALSE((*r)[0].nullable);
  EXPECT_EQ((*r)[1].comment, "n");
  EXPECT_EQ(ToString((*r)[2].type), "array<string>");
}

TEST(ParserTest, SetKeepsRawValue) {
  auto r = ParseStatement("SET spark.sql.session.timeZone = America/Los_Angeles");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->key, "spark.sql.session.timeZone");
  EXPECT_EQ((*r)->value, "America/Los_Angeles");
  auto quoted = ParseStatement("SET `my.key` = 'v;w'");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ((*quoted)->key, "my.key");
  EXPECT_EQ((*quoted)->value, "'v;w'");
}

TEST(ParserTest, ExplainWrapsAnyStatement) {
  auto r = ParseStatement("EXPLAIN COST INSERT INTO t SELECT 1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->explain_mode, ExplainMode::kCost);
  EXPECT_EQ((*r)->inner->kind, StatementKind::kInsert);
  EXPECT_EQ(DumpStatement("EXPLAIN CODEGEN SELECT 1"), "(EXPLAIN CODEGEN (SELECT 1))");
}

TEST(ParserTest, ParseQueryRejectsStatements) {
  EXPECT_TRUE(ParseQuery("SELECT 1 UNION SELECT 2;").ok());
  EXPECT_FALSE(ParseQuery("SET a = b").ok());
}

TEST(ParserTest, NestedAngleBracketsInCasts) {
  EXPECT_EQ(DumpExpression("CAST(a AS array<array<int>>)"), "(CAST a array<array<int>>)");
  EXPECT_EQ(DumpExpression("CAST(a AS map<string, array<map<int,int>>>)"),
            "(CAST a map<string,array<map<int,int>>>)");
  EXPECT_EQ(DumpExpression("a::struct<x: int>"), "(CAST a struct<x:int>)");
}

TEST(ParserTest, ParenthesizedJoinWithAlias) {
  EXPECT_EQ(DumpStatement("SELECT * FROM (a JOIN b USING (id)) j"),
            "(SELECT * (FROM (JOIN INNER (TABLE a) (TABLE b) (USING (id)) AS j)))");
}

TEST(ParserTest, HintsOnlyAfterSelect) {
  EXPECT_EQ(DumpStatement("SELECT /*+ COALESCE(2) */ /*+ BROADCAST(t) */ a FROM t"),
            "(SELECT (HINTS (COALESCE 2) (BROADCAST t)) a (FROM (TABLE t)))");
  EXPECT_EQ(DumpStatement("SELECT a FROM t /*+ NOPE */ WHERE a = 1"),
            "(SELECT a (FROM (TABLE t)) (WHERE (= a 1)))");
  auto bad = ParseStatement("SELECT /*+ BROADCAST(( */ a FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(ErrorClass(bad.status()), "PARSE_SYNTAX_ERROR");
}

TEST(ParserTest, CteColumnsAndNestedWith) {
  EXPECT_EQ(
      DumpStatement("WITH a AS (WITH b AS (SELECT 1) SELECT * FROM b) SELECT * FROM a"),
      "(SELECT (WITH (a (SELECT (WITH (b (SELECT 1))) * (FROM (TABLE b))))) * (FROM (TABLE a)))");
  EXPECT_EQ(DumpStatement("WITH a (SELECT 1) SELECT * FROM a"),
            "(SELECT (WITH (a (SELECT 1))) * (FROM (TABLE a)))");
}

TEST(ParserTest, OrderByOnSetOperationAppliesToTheWhole) {
  auto r = ParseStatement("SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a LIMIT 3");
  ASSERT_TRUE(r.ok());
  const Query& q = *(*r)->query;
  EXPECT_EQ(q.kind, QueryKind::kSetOp);
  EXPECT_EQ(q.order_by.size(), 1u);
  ASSERT_NE(q.limit, nullptr);
  EXPECT_TRUE(q.right->order_by.empty());
}

TEST(ParserTest, CreateTableFields) {
  auto r = ParseStatement(
      "CREATE TABLE IF NOT EXISTS db.t (id BIGINT NOT NULL, v STRING DEFAULT 'x' COMMENT 'c') "
      "USING DELTA PARTITIONED BY (id) LOCATION '/tmp/t' TBLPROPERTIES ('a.b' = 1, c = true)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ((*r)->kind, StatementKind::kCreateTable);
  const CreateTable& t = *(*r)->create_table;
  EXPECT_EQ(t.name, (std::vector<std::string>{"db", "t"}));
  EXPECT_TRUE(t.if_not_exists);
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].type.kind, TypeKind::kBigInt);
  EXPECT_FALSE(t.columns[0].nullable);
  EXPECT_EQ(ToString(*t.columns[1].default_value), "'x'");
  EXPECT_EQ(t.columns[1].comment, "c");
  EXPECT_EQ(t.using_format, "DELTA");
  EXPECT_EQ(t.partitioned_by, (std::vector<std::vector<std::string>>{{"id"}}));
  EXPECT_EQ(t.location, "/tmp/t");
  ASSERT_EQ(t.properties.size(), 2u);
  EXPECT_EQ(t.properties[0], (std::pair<std::string, std::string>{"a.b", "1"}));
  EXPECT_EQ(t.properties[1], (std::pair<std::string, std::string>{"c", "true"}));
}

TEST(ParserTest, MergeFields) {
  auto r = ParseStatement(
      "MERGE INTO t AS tgt USING (SELECT * FROM s) AS src ON tgt.k = src.k "
      "WHEN MATCHED AND src.op = 'D' THEN DELETE "
      "WHEN NOT MATCHED BY SOURCE AND tgt.v > 0 THEN UPDATE SET tgt.v = 0");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Merge& m = *(*r)->merge;
  EXPECT_EQ(m.target_alias, "tgt");
  EXPECT_EQ(m.source->kind, RelationKind::kSubquery);
  EXPECT_EQ(m.source->alias, "src");
  ASSERT_EQ(m.clauses.size(), 2u);
  EXPECT_EQ(m.clauses[0].match, MergeMatchKind::kMatched);
  EXPECT_EQ(m.clauses[0].action, MergeActionKind::kDelete);
  EXPECT_EQ(m.clauses[1].match, MergeMatchKind::kNotMatchedBySource);
  ASSERT_EQ(m.clauses[1].assignments.size(), 1u);
  EXPECT_EQ(m.clauses[1].assignments[0].column, (std::vector<std::string>{"tgt", "v"}));
}

TEST(ParserTest, InsertValuesIsAValuesQuery) {
  auto r = ParseStatement("INSERT INTO t (a, b) VALUES (1, 'x')");
  ASSERT_TRUE(r.ok());
  const Insert& ins = *(*r)->insert;
  EXPECT_EQ(ins.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ins.query->kind, QueryKind::kValues);
  ASSERT_EQ(ins.query->values.size(), 1u);
  EXPECT_EQ(ins.query->values[0].size(), 2u);
}

TEST(ParserTest, TpchStyleQueries) {
  const char* queries[] = {
      "select l_returnflag, sum(l_extendedprice * (1 - l_discount)) as revenue from lineitem "
      "where l_shipdate <= date '1998-12-01' - interval '90' day group by l_returnflag order by 1",
      "select c_count, count(*) as custdist from (select c_custkey, count(o_orderkey) from "
      "customer "
      "left outer join orders on c_custkey = o_custkey and o_comment not like '%special%' group by "
      "c_custkey) as c_orders (c_custkey, c_count) group by c_count order by custdist desc",
      "select cntrycode from (select substring(c_phone from 1 for 2) as cntrycode from customer "
      "where "
      "c_acctbal > (select avg(c_acctbal) from customer) and not exists (select * from orders "
      "where "
      "o_custkey = c_custkey)) as custsale group by cntrycode",
  };
  for (const char* q : queries) EXPECT_TRUE(ParseStatement(q).ok()) << q;
}

TEST(ParserTest, StructFieldsTakeAColonWithoutSpaces) {
  // "a:int" lexes ":int" as a named parameter; in a struct type it is the field's type.
  auto t = ParseDataType("struct<a:int,B:string, c: array<long>>").ValueOrDie();
  ASSERT_EQ(t.field_names.size(), 3u);
  EXPECT_EQ(t.field_names[1], "B");
  EXPECT_EQ(ToString(t), "struct<a:int,B:string,c:array<bigint>>");
}

}  // namespace
}  // namespace basin::sql
