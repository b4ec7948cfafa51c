#pragma once

// The syntax tree of Spark SQL text: what the parser produces and the analyzer consumes. Nothing
// here is resolved: names are identifiers as written (case kept), literals are typed text,
// types are syntax. Every node records where it starts in the statement text.
//
// Special syntax forms are lowered to plain function calls so that the analyzer sees one shape:
// clang-format off
//   EXTRACT(f FROM e)                 -> extract('f', e)  (first argument a string literal)
//   POSITION(a IN b)                  -> position(a, b)
//   SUBSTRING(s FROM a [FOR b])       -> substring(s, a[, b])  (also SUBSTR)
//   TRIM(BOTH x FROM s)               -> btrim(s, x); LEADING -> ltrim(s, x); TRAILING -> rtrim(s, x)
//   TRIM(x FROM s)                    -> btrim(s, x); TRIM(s) stays trim(s)
//   OVERLAY(a PLACING b FROM p [FOR l]) -> overlay(a, b, p[, l])
//   CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER, SESSION_USER, CURRENT_TIME
//                                     -> current_date() ... (when written without parentheses)
//   a IS DISTINCT FROM b              -> NOT (a <=> b);  a IS NOT DISTINCT FROM b -> a <=> b
//   a::t                              -> CAST(a AS t)
//   a << b, a >> b, a >>> b           -> shiftleft(a, b), shiftright(a, b), shiftrightunsigned(a, b)
// clang-format on

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace basin::sql {

/// Where a node starts in the statement text. `line` is 1-based; `column` is the 0-based character
/// position within that line (Spark's "pos"); `offset` is the 0-based byte offset in the text
/// given to the parser.
struct SourcePos {
  int line = 1;
  int column = 0;
  int offset = 0;
};

struct Expr;
struct Query;
struct Relation;
struct Statement;
using ExprPtr = std::unique_ptr<Expr>;
using QueryPtr = std::unique_ptr<Query>;
using RelationPtr = std::unique_ptr<Relation>;
using StatementPtr = std::unique_ptr<Statement>;

// ------------------------------------------------------------------------------------------------
// Data types
// ------------------------------------------------------------------------------------------------

enum class TypeKind {
  kNull,               ///< void / null
  kBoolean,            ///< boolean
  kTinyInt,            ///< tinyint, byte
  kSmallInt,           ///< smallint, short
  kInt,                ///< int, integer
  kBigInt,             ///< bigint, long
  kFloat,              ///< float, real
  kDouble,             ///< double
  kDecimal,            ///< decimal, dec, numeric [(precision[, scale])]
  kString,             ///< string
  kVarChar,            ///< varchar(length)
  kChar,               ///< char(length), character(length)
  kBinary,             ///< binary
  kDate,               ///< date
  kTimestamp,          ///< timestamp, timestamp_ltz (session time zone)
  kTimestampNtz,       ///< timestamp_ntz
  kTime,               ///< time [(precision)]: a time of day, precision 0..6 (default 6)
  kYearMonthInterval,  ///< interval year [to month], interval month
  kDayTimeInterval,    ///< interval day [to hour|minute|second], hour ..., minute ..., second
  kCalendarInterval,   ///< interval (no fields)
  kArray,              ///< array<element>
  kMap,                ///< map<key, value>
  kStruct,             ///< struct<name: type, ...>
  kVariant,            ///< variant
  kGeometry,           ///< geometry(srid | any)
  kGeography,          ///< geography(srid | any)
};

/// The fields of an interval type, in order from the largest.
enum class IntervalField { kYear, kMonth, kDay, kHour, kMinute, kSecond };

/// A data type as written in SQL.
struct DataTypeSyntax {
  TypeKind kind = TypeKind::kNull;
  /// kDecimal: precision and scale (defaults 10 and 0 when not written, as in Spark); kTime:
  /// the fraction digits of the seconds (6 when not written).
  int precision = 10;
  int scale = 0;
  /// kVarChar / kChar: the length.
  int length = 0;
  /// kYearMonthInterval / kDayTimeInterval: the start and end fields (equal for one field).
  IntervalField start_field = IntervalField::kYear;
  IntervalField end_field = IntervalField::kYear;
  /// kArray: [element]; kMap: [key, value]; kStruct: one type per field.
  std::vector<DataTypeSyntax> children;
  /// kStruct: field names, NOT NULL flags and COMMENTs, parallel to `children`.
  std::vector<std::string> field_names;
  std::vector<bool> field_nullable;
  std::vector<std::optional<std::string>> field_comments;
  /// kGeometry / kGeography: the SRID as written, -1 for ANY (checked by the type layer).
  int64_t srid = 0;
  /// kTimestamp: true when written timestamp_ltz.
  bool ltz_written = false;
};

/// Returns Spark's simple string of `type`: "int", "decimal(10,2)", "array<string>",
/// "struct<a:int,b:string>", "interval day to second".
std::string ToString(const DataTypeSyntax& type);

// ------------------------------------------------------------------------------------------------
// Expressions
// ------------------------------------------------------------------------------------------------

enum class ExprKind {
  kColumn,      ///< An unresolved name `name_parts` (a, t.a, db.t.a or a.field).
  kStar,        ///< `*` (empty `name_parts`) or `t.*` (qualifier in `name_parts`).
  kLiteral,     ///< `literal_kind` with `text` (and `interval` for interval literals).
  kParameter,   ///< `?` (positional, `parameter_index`) or `:name` (`text`).
  kUnary,       ///< `unary_op` children[0].
  kBinary,      ///< children[0] `binary_op` children[1].
  kIsNull,      ///< children[0] IS [NOT] NULL (`negated`).
  kIsBoolean,   ///< children[0] IS [NOT] TRUE/FALSE/UNKNOWN: `text` is "TRUE"/"FALSE"/"UNKNOWN".
  kBetween,     ///< children[0] [NOT] BETWEEN children[1] AND children[2].
  kInList,      ///< children[0] [NOT] IN (children[1..]).
  kInSubquery,  ///< children[0] [NOT] IN (`subquery`); children[0] may be a kRow.
  kLike,        ///< children[0] [NOT] `like_op` children[1] [ESCAPE `escape`]; with
                ///< `quantifier` ANY/ALL the patterns are children[1..].
  kExists,      ///< [NOT] EXISTS (`subquery`) (`negated`).
  kScalarSubquery,  ///< (`subquery`).
  kCase,            ///< CASE [children[0] if `has_operand`] WHEN w THEN t ... [ELSE e] END:
                    ///< children = [operand?, w1, t1, w2, t2, ..., else?]; `has_else`.
  kCast,            ///< CAST/TRY_CAST(children[0] AS `type`) (`try_cast`), also `e::type`.
  kFunction,        ///< `name_parts`(children) [DISTINCT] [WITHIN GROUP (ORDER BY `within_group`)]
                    ///< [FILTER (WHERE `filter`)] [IGNORE|RESPECT NULLS] [OVER `over`]. `text`,
                    ///< when a front door sets it, is the name shown for the call (a Python UDF
                    ///< that Spark Connect registered under a generated name).
  kSubscript,       ///< children[0][children[1]].
  kField,           ///< children[0].`text` where children[0] is not a plain name (f(x).a, a[0].b).
  kLambda,          ///< `lambda_params` -> children[0].
  kNamedArgument,   ///< `text` => children[0], only as a function argument.
  kAlias,           ///< children[0] AS `text`, only inside struct(...) arguments.
  kRow,             ///< (children[0], children[1], ...): a row constructor, e.g. (a, b) IN (...).
};

enum class LiteralKind {
  kNull,
  kBoolean,       ///< text "true" / "false".
  kTinyInt,       ///< 1Y
  kSmallInt,      ///< 1S
  kInt,           ///< 1 (fits in int32)
  kBigInt,        ///< 1L, or an integer too large for int32
  kFloat,         ///< 1.5F
  kDouble,        ///< 1.5D, 1e10
  kDecimal,       ///< 1.5, 1.5BD, or an integer too large for int64
  kString,        ///< text is the unescaped value
  kBinary,        ///< X'0A1B': text is the hex digits
  kDate,          ///< DATE '...': text is the string
  kTimestamp,     ///< TIMESTAMP '...' / TIMESTAMP_LTZ '...'
  kTimestampNtz,  ///< TIMESTAMP_NTZ '...'
  kTime,          ///< TIME '...'
  kInterval,      ///< INTERVAL ...: see `interval`
};

/// One `value unit [TO unit]` part of an interval literal. `INTERVAL '1 day 2 hours'` has one part
/// with an empty `unit`; `INTERVAL 1 DAY 2 HOURS` has two. Units are upper case and singular
/// (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND).
struct IntervalPart {
  std::string value;    ///< the number or the string's value, with a leading '-' if negated
  bool quoted = false;  ///< whether `value` was a string literal
  std::string unit;
  std::string to_unit;  ///< the end unit of `'1-2' YEAR TO MONTH`, else empty
};

enum class UnaryOp { kMinus, kPlus, kBitNot, kNot };

enum class BinaryOp {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kIntDivide,   ///< DIV
  kConcat,      ///< ||
  kEq,          ///< = and ==
  kNullSafeEq,  ///< <=>
  kNotEq,       ///< != and <>
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kAnd,
  kOr,
  kBitAnd,
  kBitOr,
  kBitXor,
};

enum class LikeOp { kLike, kILike, kRLike };  ///< REGEXP is kRLike.
enum class LikeQuantifier { kNone, kAny, kAll };
enum class NullTreatment { kDefault, kIgnoreNulls, kRespectNulls };

enum class SortDirection { kDefault, kAscending, kDescending };
enum class NullOrdering { kDefault, kNullsFirst, kNullsLast };

/// An ORDER BY / SORT BY item.
struct SortItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kDefault;
  NullOrdering nulls = NullOrdering::kDefault;
};

enum class FrameType { kRows, kRange };
enum class FrameBoundKind {
  kUnboundedPreceding,
  kPreceding,
  kCurrentRow,
  kFollowing,
  kUnboundedFollowing
};

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  ExprPtr offset;  ///< for kPreceding / kFollowing
};

/// ROWS|RANGE BETWEEN start AND end (or ROWS|RANGE start, whose end is CURRENT ROW).
struct WindowFrame {
  FrameType type = FrameType::kRows;
  FrameBound start;
  FrameBound end;
};

/// OVER (...) or a WINDOW clause definition. `OVER w` has only `base_name`.
struct WindowSpec {
  SourcePos pos;
  std::optional<std::string> base_name;  ///< OVER w, or OVER (w ORDER BY ...)
  std::vector<ExprPtr> partition_by;     ///< PARTITION BY / DISTRIBUTE BY
  std::vector<SortItem> order_by;        ///< ORDER BY / SORT BY
  std::optional<WindowFrame> frame;
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourcePos pos;
  std::vector<std::string> name_parts;  ///< kColumn, kStar qualifier, kFunction name
  std::string text;                     ///< see ExprKind
  LiteralKind literal_kind = LiteralKind::kNull;
  std::vector<IntervalPart> interval;  ///< kLiteral of kInterval
  UnaryOp unary_op = UnaryOp::kMinus;
  BinaryOp binary_op = BinaryOp::kAdd;
  std::vector<ExprPtr> children;
  bool negated = false;  ///< NOT IN / NOT BETWEEN / NOT LIKE / IS NOT / NOT EXISTS
  LikeOp like_op = LikeOp::kLike;
  LikeQuantifier quantifier = LikeQuantifier::kNone;
  std::optional<std::string> escape;                       ///< kLike ESCAPE character
  bool has_operand = false;                                ///< kCase
  bool has_else = false;                                   ///< kCase
  bool try_cast = false;                                   ///< kCast
  std::unique_ptr<DataTypeSyntax> type;                    ///< kCast
  bool distinct = false;                                   ///< kFunction: f(DISTINCT ...)
  ExprPtr filter;                                          ///< kFunction: FILTER (WHERE ...)
  NullTreatment null_treatment = NullTreatment::kDefault;  ///< kFunction
  std::unique_ptr<WindowSpec> over;                        ///< kFunction: OVER (...) or OVER w
  std::vector<SortItem> within_group;      ///< kFunction: WITHIN GROUP (ORDER BY ...)
  QueryPtr subquery;                       ///< kInSubquery, kExists, kScalarSubquery
  std::vector<std::string> lambda_params;  ///< kLambda
  int parameter_index = -1;                ///< kParameter for `?`: 0-based in order of appearance
  /// kColumn / kStar built by Spark Connect: the DataFrame (plan id) the name was taken from,
  /// as in `df["id"]`; -1 otherwise. The analyzer prefers that DataFrame's column.
  int64_t plan_id = -1;
  /// kColumn built by Spark Connect: the column's position among the FROM relation's columns
  /// (which may share its name with another, as after a join); -1 otherwise.
  int scope_index = -1;

  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;
};

/// Returns an S-expression dump of `expr`, e.g. "(+ a (* 2 3))"; used by tests and EXPLAIN.
std::string ToString(const Expr& expr);

// ------------------------------------------------------------------------------------------------
// Relations (FROM clause)
// ------------------------------------------------------------------------------------------------

enum class RelationKind {
  kTable,          ///< `name_parts` (cat.db.t, or format.`/path` such as delta.`/p`)
  kSubquery,       ///< (`query`); `lateral` for LATERAL (...)
  kTableFunction,  ///< `function` (a kFunction expression), e.g. range(10); `lateral` if LATERAL
  kValues,         ///< VALUES (...), (...): `rows`
  kJoin,           ///< `left` `join_type` JOIN `right` [ON `condition` | USING (`using_columns`)]
  kLateralView,    ///< `left` LATERAL VIEW [OUTER] `function` alias AS `column_aliases`
  kPivot,          ///< `left` PIVOT (...): see `pivot`
  kUnpivot,        ///< `left` UNPIVOT (...): see `unpivot`
};

enum class JoinType {
  kInner,
  kLeft,
  kRight,
  kFull,
  kLeftSemi,
  kLeftAnti,
  kCross,  ///< CROSS JOIN and comma joins (`comma` is then true)
};

enum class TimeTravelKind { kNone, kVersion, kTimestamp };

/// VERSION AS OF / TIMESTAMP AS OF (also FOR SYSTEM_VERSION / SYSTEM_TIME AS OF, and Delta's
/// t@v5 / t@yyyyMMddHHmmssSSS suffix, which gives an integer / string literal `value` and sets
/// `at_syntax`).
struct TimeTravel {
  TimeTravelKind kind = TimeTravelKind::kNone;
  ExprPtr value;
  bool at_syntax = false;
};

enum class SampleKind { kPercent, kRows, kBucket, kBytes };

/// TABLESAMPLE (x PERCENT | n ROWS | BUCKET x OUT OF y [ON e] | n bytes) [REPEATABLE (seed)].
struct TableSample {
  SampleKind kind = SampleKind::kPercent;
  ExprPtr amount;               ///< percent, rows or bytes (bytes as written, e.g. a string '100M')
  int64_t bucket = 0;           ///< kBucket numerator
  int64_t out_of = 0;           ///< kBucket denominator
  ExprPtr bucket_on;            ///< kBucket ON expression
  std::optional<int64_t> seed;  ///< REPEATABLE (seed)
};

/// PIVOT (agg [AS a], ... FOR col | (c1, c2) IN (v [AS a], ...)).
struct PivotClause {
  std::vector<ExprPtr> aggregates;
  std::vector<std::optional<std::string>> aggregate_aliases;
  std::vector<std::vector<std::string>> columns;  ///< each a (possibly qualified) name
  std::vector<ExprPtr> values;                    ///< a kRow for multi-column pivots
  std::vector<std::optional<std::string>> value_aliases;
};

/// UNPIVOT [INCLUDE|EXCLUDE NULLS] (v FOR n IN (c1 [AS a], ...)) or, with several value
/// columns, ((v1, v2) FOR n IN ((c1, c2) [AS a], ...)).
struct UnpivotClause {
  bool include_nulls = false;
  std::vector<std::string> value_columns;
  std::string name_column;
  std::vector<std::vector<std::vector<std::string>>> columns;  ///< per IN item: its column names
  std::vector<std::optional<std::string>> column_aliases;
};

struct Relation {
  RelationKind kind = RelationKind::kTable;
  SourcePos pos;
  std::vector<std::string> name_parts;      ///< kTable
  TimeTravel time_travel;                   ///< kTable
  std::optional<TableSample> sample;        ///< any relation followed by TABLESAMPLE
  std::optional<std::string> alias;         ///< [AS] alias
  std::vector<std::string> column_aliases;  ///< alias(c1, c2) / LATERAL VIEW ... AS c1, c2
  QueryPtr query;                           ///< kSubquery
  bool lateral = false;                     ///< kSubquery, kTableFunction
  ExprPtr function;                         ///< kTableFunction, kLateralView
  std::vector<std::vector<ExprPtr>> rows;   ///< kValues
  RelationPtr left;                         ///< kJoin; the input of kLateralView/kPivot/kUnpivot
  RelationPtr right;                        ///< kJoin
  JoinType join_type = JoinType::kInner;    ///< kJoin
  bool natural = false;                     ///< kJoin: NATURAL
  bool comma = false;                       ///< kJoin: written as a comma
  ExprPtr condition;                        ///< kJoin: ON
  std::vector<std::string> using_columns;   ///< kJoin: USING (...)
  bool outer = false;                       ///< kLateralView: OUTER
  std::unique_ptr<PivotClause> pivot;       ///< kPivot
  std::unique_ptr<UnpivotClause> unpivot;   ///< kUnpivot
  /// Spark Connect: the plan id of the DataFrame this relation is (-1 otherwise); names that
  /// carry the id resolve to its columns.
  int64_t plan_id = -1;
  /// Spark Connect `broadcast()` / hint("broadcast"): the relation is the small side of a join.
  bool broadcast = false;

  Relation();
  ~Relation();
  Relation(Relation&&) noexcept;
  Relation& operator=(Relation&&) noexcept;
};

/// Returns an S-expression dump of `relation`.
std::string ToString(const Relation& relation);

// ------------------------------------------------------------------------------------------------
// Queries
// ------------------------------------------------------------------------------------------------

/// One item of a SELECT list: expr [[AS] alias | AS (a, b)].
struct SelectItem {
  ExprPtr expr;
  std::optional<std::string> alias;
  std::vector<std::string> aliases;  ///< multi-column alias AS (a, b)
  /// `* EXCEPT (a, t.b)`: the columns a star leaves out.
  std::vector<std::vector<std::string>> star_except;
};

/// A hint of a /*+ ... */ comment: BROADCAST(t), MERGE(t), REPARTITION(8, c), COALESCE(2).
struct Hint {
  std::string name;  ///< as written (upper-case it to compare)
  std::vector<ExprPtr> arguments;
};

enum class GroupingKind { kExpression, kRollup, kCube, kGroupingSets };

/// One item of GROUP BY. kExpression has `expr`; ROLLUP/CUBE/GROUPING SETS have `sets`, where each
/// element is a list of expressions: ROLLUP(a, (b, c)) -> [[a], [b, c]];
/// GROUPING SETS ((a, b), a, ()) -> [[a, b], [a], []].
struct GroupingItem {
  GroupingKind kind = GroupingKind::kExpression;
  ExprPtr expr;
  std::vector<std::vector<ExprPtr>> sets;
};

enum class GroupByModifier { kNone, kWithRollup, kWithCube };

struct GroupBy {
  bool all = false;  ///< GROUP BY ALL
  std::vector<GroupingItem> items;
  GroupByModifier modifier = GroupByModifier::kNone;
};

/// WINDOW name AS (spec).
struct NamedWindow {
  std::string name;
  WindowSpec spec;
};

/// WITH name [(columns)] AS (query).
struct CommonTableExpression {
  SourcePos pos;
  std::string name;
  std::vector<std::string> columns;
  QueryPtr query;
};

enum class QueryKind {
  kSelect,  ///< SELECT ... FROM ... (also FROM ... SELECT ...)
  kSetOp,   ///< `left` `set_op` `right`
  kValues,  ///< VALUES (...), (...) as a query: `values`
  kTable,   ///< TABLE name: `table_name`
};

enum class SetOpKind { kUnion, kIntersect, kExcept };  ///< MINUS is kExcept.

/// A query: its body (a SELECT, a set operation, VALUES or TABLE t) with the clauses that apply to
/// the whole body (WITH, ORDER BY, LIMIT, ...). A parenthesized query is a Query of its own.
struct Query {
  QueryKind kind = QueryKind::kSelect;
  SourcePos pos;

  // WITH
  std::vector<CommonTableExpression> ctes;
  bool recursive = false;

  // kSelect
  bool distinct = false;  ///< SELECT DISTINCT (SELECT ALL is the default)
  std::vector<Hint> hints;
  std::vector<SelectItem> select_items;
  RelationPtr from;  ///< null for SELECT without FROM
  ExprPtr where;
  std::optional<GroupBy> group_by;
  ExprPtr having;
  ExprPtr qualify;
  std::vector<NamedWindow> windows;

  // kSetOp
  SetOpKind set_op = SetOpKind::kUnion;
  bool set_all = false;  ///< UNION ALL (DISTINCT is the default)
  QueryPtr left;
  QueryPtr right;

  // kValues
  std::vector<std::vector<ExprPtr>> values;
  std::optional<std::string> values_alias;  ///< unused by top-level VALUES

  // kTable
  std::vector<std::string> table_name;

  // Clauses over the body.
  std::vector<SortItem> order_by;
  std::vector<SortItem> sort_by;
  std::vector<ExprPtr> cluster_by;
  std::vector<ExprPtr> distribute_by;
  ExprPtr limit;           ///< null when absent
  bool limit_all = false;  ///< LIMIT ALL
  ExprPtr offset;

  Query();
  ~Query();
  Query(Query&&) noexcept;
  Query& operator=(Query&&) noexcept;
};

/// Returns an S-expression dump of `query`.
std::string ToString(const Query& query);

// ------------------------------------------------------------------------------------------------
// Statements
// ------------------------------------------------------------------------------------------------

enum class StatementKind {
  kQuery,         ///< `query`
  kExplain,       ///< EXPLAIN [`explain_mode`] `inner`
  kSet,           ///< SET (`key` empty: list all) | SET key (`value` absent) | SET key = value
  kReset,         ///< RESET [key]
  kUse,           ///< USE [CATALOG|SCHEMA|DATABASE] `name` (`object_type` says which was written)
  kShow,          ///< SHOW ...: `words` after SHOW as written (generic)
  kDescribe,      ///< DESCRIBE|DESC [TABLE|QUERY|...] ...: `words` (generic)
  kCreateView,    ///< `create_view`
  kCreateTable,   ///< `create_table`
  kCreateSchema,  ///< CREATE SCHEMA|DATABASE [IF NOT EXISTS] `name` [COMMENT] [LOCATION]
  kDrop,          ///< DROP TABLE|VIEW|SCHEMA|DATABASE|FUNCTION [IF EXISTS] `name` [CASCADE]
  kInsert,        ///< `insert`
  kDelete,        ///< DELETE FROM `name` [alias] [WHERE `where`]
  kUpdate,        ///< `update`
  kMerge,         ///< `merge`
  kTruncate,      ///< TRUNCATE TABLE `name`
  kOther,         ///< any other statement: `words` (generic), for later milestones
};

enum class ExplainMode { kSimple, kExtended, kFormatted, kCodegen, kCost };

/// A column of CREATE TABLE.
struct ColumnDefinition {
  SourcePos pos;
  std::string name;
  DataTypeSyntax type;
  bool nullable = true;
  std::optional<std::string> comment;
  ExprPtr default_value;  ///< DEFAULT expr
  ExprPtr generated_as;   ///< GENERATED ALWAYS AS (expr)
  bool identity = false;  ///< GENERATED ALWAYS|BY DEFAULT AS IDENTITY [(...)]
  bool identity_always = false;
  std::optional<int64_t> identity_start;
  std::optional<int64_t> identity_step;
};

/// CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name [(cols)] [USING fmt] [options...]
/// [AS query]. REPLACE TABLE sets `replace`; CREATE TABLE ... LIKE is not supported yet.
struct CreateTable {
  std::vector<std::string> name;
  bool or_replace = false;
  bool replace = false;  ///< REPLACE TABLE (without CREATE)
  bool if_not_exists = false;
  bool temporary = false;
  bool external = false;
  std::vector<ColumnDefinition> columns;
  std::optional<std::string> using_format;               ///< USING delta (as written)
  std::vector<std::vector<std::string>> partitioned_by;  ///< column names
  std::vector<ColumnDefinition> partition_columns;       ///< PARTITIONED BY (c type, ...)
  std::vector<std::vector<std::string>> clustered_by;    ///< CLUSTER BY (cols)
  std::optional<std::string> location;
  std::optional<std::string> comment;
  std::vector<std::pair<std::string, std::string>> options;     ///< OPTIONS (k = v)
  std::vector<std::pair<std::string, std::string>> properties;  ///< TBLPROPERTIES (k = v)
  QueryPtr as_query;
};

/// CREATE [OR REPLACE] [[GLOBAL] TEMP[ORARY]] VIEW [IF NOT EXISTS] name [(cols [COMMENT c])]
/// [COMMENT c] [TBLPROPERTIES (...)] AS query.
struct CreateView {
  std::vector<std::string> name;
  bool or_replace = false;
  bool temporary = false;
  bool global = false;
  bool if_not_exists = false;
  std::vector<std::string> columns;
  std::vector<std::optional<std::string>> column_comments;
  std::optional<std::string> comment;
  std::vector<std::pair<std::string, std::string>> properties;
  QueryPtr query;
  std::string query_text;  ///< the view's query as written (what Spark stores)
};

/// INSERT INTO|OVERWRITE [TABLE] name [PARTITION (...)] [(cols)] [BY NAME]
/// [REPLACE WHERE cond] query.
struct Insert {
  std::vector<std::string> table;
  bool overwrite = false;
  bool by_name = false;
  bool if_not_exists = false;
  std::vector<std::string> columns;
  std::vector<std::pair<std::string, ExprPtr>> partition;  ///< PARTITION (p = v, q): v may be null
  ExprPtr replace_where;
  QueryPtr query;  ///< a SELECT, or a kValues query for INSERT ... VALUES
};

/// One `col = expr` of UPDATE ... SET or MERGE ... UPDATE SET; `column` may be qualified or a field
/// path.
struct Assignment {
  std::vector<std::string> column;
  ExprPtr value;
};

/// UPDATE name [alias] SET a = e, ... [WHERE cond].
struct Update {
  std::vector<std::string> table;
  std::optional<std::string> alias;
  std::vector<Assignment> assignments;
  ExprPtr where;
};

enum class MergeActionKind { kUpdate, kUpdateAll, kDelete, kInsert, kInsertAll };
enum class MergeMatchKind { kMatched, kNotMatched, kNotMatchedBySource };

/// WHEN [NOT] MATCHED [BY TARGET|BY SOURCE] [AND cond] THEN action.
struct MergeClause {
  MergeMatchKind match = MergeMatchKind::kMatched;
  ExprPtr condition;
  MergeActionKind action = MergeActionKind::kDelete;
  std::vector<Assignment> assignments;                   ///< kUpdate
  std::vector<std::vector<std::string>> insert_columns;  ///< kInsert
  std::vector<ExprPtr> insert_values;                    ///< kInsert
};

/// MERGE [WITH SCHEMA EVOLUTION] INTO target [alias] USING source [alias] ON cond clauses...
struct Merge {
  std::vector<std::string> target;
  std::optional<std::string> target_alias;
  RelationPtr source;  ///< a table or a subquery, with its alias
  ExprPtr condition;
  std::vector<MergeClause> clauses;
  bool schema_evolution = false;
};

struct Statement {
  StatementKind kind = StatementKind::kQuery;
  SourcePos pos;
  std::string text;  ///< the statement's source text (without the trailing ';')

  QueryPtr query;  ///< kQuery
  ExplainMode explain_mode = ExplainMode::kSimple;
  StatementPtr inner;                   ///< kExplain
  std::string key;                      ///< kSet, kReset
  std::optional<std::string> value;     ///< kSet
  std::string object_type;              ///< kUse, kDrop, kCreateSchema: e.g. "TABLE", "SCHEMA"
  std::vector<std::string> name;        ///< kUse, kDrop, kCreateSchema, kDelete, kTruncate
  bool if_exists = false;               ///< kDrop
  bool if_not_exists = false;           ///< kCreateSchema
  bool cascade = false;                 ///< kDrop
  std::optional<std::string> comment;   ///< kCreateSchema
  std::optional<std::string> location;  ///< kCreateSchema
  std::optional<std::string> alias;     ///< kDelete
  ExprPtr where;                        ///< kDelete
  std::vector<std::string> words;       ///< kShow, kDescribe, kOther: tokens as written
  std::unique_ptr<CreateTable> create_table;  ///< kCreateTable
  std::unique_ptr<CreateView> create_view;    ///< kCreateView
  std::unique_ptr<Insert> insert;             ///< kInsert
  std::unique_ptr<Update> update;             ///< kUpdate
  std::unique_ptr<Merge> merge;               ///< kMerge

  Statement();
  ~Statement();
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
};

/// Returns an S-expression dump of `statement`.
std::string ToString(const Statement& statement);

}  // namespace basin::sql
