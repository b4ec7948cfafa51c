#include "basin/connect/translator.h"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>
#include <gtest/gtest.h>

#include "basin/connect/data_type.h"
#include "basin/function/cast.h"

namespace basin::connect {
namespace {

namespace fs = std::filesystem;
using spark::connect::Expression;
using spark::connect::Relation;

// Builders that shape messages the way the PySpark client does.
Expression Col(const std::string& name, int64_t plan_id = -1) {
  Expression e;
  e.mutable_unresolved_attribute()->set_unparsed_identifier(name);
  if (plan_id >= 0) e.mutable_unresolved_attribute()->set_plan_id(plan_id);
  return e;
}

Expression Lit(int64_t v) {
  Expression e;
  if (v >= INT32_MIN && v <= INT32_MAX) {
    e.mutable_literal()->set_integer(static_cast<int32_t>(v));
  } else {
    e.mutable_literal()->set_long_(v);
  }
  return e;
}

Expression Str(const std::string& v) {
  Expression e;
  e.mutable_literal()->set_string(v);
  return e;
}

Expression Fn(const std::string& name, std::vector<Expression> args) {
  Expression e;
  e.mutable_unresolved_function()->set_function_name(name);
  for (auto& a : args) *e.mutable_unresolved_function()->add_arguments() = std::move(a);
  return e;
}

Expression As(Expression child, const std::string& name) {
  Expression e;
  *e.mutable_alias()->mutable_expr() = std::move(child);
  e.mutable_alias()->add_name(name);
  return e;
}

Expression Sql(const std::string& text) {
  Expression e;
  e.mutable_expression_string()->set_expression(text);
  return e;
}

Expression Star() {
  Expression e;
  e.mutable_unresolved_star();
  return e;
}

Expression Desc(Expression child) {
  Expression e;
  *e.mutable_sort_order()->mutable_child() = std::move(child);
  e.mutable_sort_order()->set_direction(Expression::SortOrder::SORT_DIRECTION_DESCENDING);
  e.mutable_sort_order()->set_null_ordering(Expression::SortOrder::SORT_NULLS_LAST);
  return e;
}

int64_t next_plan_id = 100;

Relation WithId(Relation r, int64_t id = -1) {
  r.mutable_common()->set_plan_id(id >= 0 ? id : next_plan_id++);
  return r;
}

Relation Range(int64_t end, int64_t start = 0) {
  Relation r;
  r.mutable_range()->set_start(start);
  r.mutable_range()->set_end(end);
  r.mutable_range()->set_step(1);
  return WithId(r);
}

Relation SqlRelation(const std::string& text) {
  Relation r;
  r.mutable_sql()->set_query(text);
  return WithId(r);
}

Relation Select(Relation input, std::vector<Expression> exprs) {
  Relation r;
  *r.mutable_project()->mutable_input() = std::move(input);
  for (auto& e : exprs) *r.mutable_project()->add_expressions() = std::move(e);
  return WithId(r);
}

Relation Where(Relation input, Expression condition) {
  Relation r;
  *r.mutable_filter()->mutable_input() = std::move(input);
  *r.mutable_filter()->mutable_condition() = std::move(condition);
  return WithId(r);
}

Relation OrderBy(Relation input, std::vector<Expression> order) {
  Relation r;
  *r.mutable_sort()->mutable_input() = std::move(input);
  for (auto& e : order) {
    if (e.has_sort_order()) {
      *r.mutable_sort()->add_order() = e.sort_order();
    } else {
      auto* o = r.mutable_sort()->add_order();
      *o->mutable_child() = e;
      o->set_direction(Expression::SortOrder::SORT_DIRECTION_ASCENDING);
      o->set_null_ordering(Expression::SortOrder::SORT_NULLS_FIRST);
    }
  }
  r.mutable_sort()->set_is_global(true);
  return WithId(r);
}

// Arrow IPC stream bytes of `table`, as createDataFrame sends them.
std::string IpcBytes(const std::shared_ptr<arrow::Table>& table) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto writer = arrow::ipc::MakeStreamWriter(sink, table->schema()).ValueOrDie();
  EXPECT_TRUE(writer->WriteTable(*table).ok());
  EXPECT_TRUE(writer->Close().ok());
  return sink->Finish().ValueOrDie()->ToString();
}

Relation Local(const std::shared_ptr<arrow::Table>& table, const std::string& schema = "") {
  Relation r;
  r.mutable_local_relation()->set_data(IpcBytes(table));
  if (!schema.empty()) r.mutable_local_relation()->set_schema(schema);
  return WithId(r);
}

// A people table: id bigint, name string, dept string, salary bigint.
std::shared_ptr<arrow::Table> People() {
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8()),
                               arrow::field("dept", arrow::utf8()),
                               arrow::field("salary", arrow::int64())});
  arrow::Int64Builder id, salary;
  arrow::StringBuilder name, dept;
  const std::vector<std::tuple<int64_t, std::string, std::string, int64_t>> rows = {
      {1, "ann", "eng", 100}, {2, "bob", "eng", 80}, {3, "cid", "ops", 50}, {4, "dan", "ops", 70}};
  for (const auto& [i, n, d, s] : rows) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE(name.Append(n).ok());
    EXPECT_TRUE(dept.Append(d).ok());
    EXPECT_TRUE(salary.Append(s).ok());
  }
  return arrow::Table::Make(schema, {id.Finish().ValueOrDie(), name.Finish().ValueOrDie(),
                                     dept.Finish().ValueOrDie(), salary.Finish().ValueOrDie()});
}

class TranslatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("basin_translator_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    session_ = std::make_unique<session::Session>(session::SessionOptions{dir_.string(), ""});
  }
  void TearDown() override {
    session_.reset();
    fs::remove_all(dir_);
  }

  TranslationContext Context() {
    TranslationContext context;
    context.session = session_.get();
    return context;
  }

  // The result of `relation`: "col1,col2" then one line per row "v1|v2".
  std::string Run(const Relation& relation) {
    PlanTranslator t(Context());
    auto plan = t.Plan(relation);
    if (!plan.ok()) return "ERROR " + plan.status().ToString();
    auto reader = session_->Run(*plan);
    if (!reader.ok()) return "ERROR " + reader.status().ToString();
    auto table = (*reader)->ToTable();
    if (!table.ok()) return "ERROR " + table.status().ToString();
    return Render(**table);
  }

  std::shared_ptr<arrow::Schema> SchemaOf(const Relation& relation) {
    PlanTranslator t(Context());
    auto schema = t.Schema(relation);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    return schema.ok() ? *schema : nullptr;
  }

  static std::string Render(const arrow::Table& table) {
    std::string out;
    for (int c = 0; c < table.num_columns(); ++c) {
      out += (c ? "," : "") + table.schema()->field(c)->name();
    }
    function::EvalContext context;
    auto combined = table.CombineChunksToBatch().ValueOrDie();
    for (int64_t r = 0; r < table.num_rows(); ++r) {
      out += "\n";
      for (int c = 0; c < table.num_columns(); ++c) {
        const auto& column = *combined->column(c);
        std::string v = column.IsNull(r) ? "NULL" : function::ValueToString(column, r, context).ValueOr("?");
        out += (c ? "|" : "") + v;
      }
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<session::Session> session_;
};

TEST_F(TranslatorTest, RangeFilterSelectWithLiteralsAndOperators) {
  auto df = Select(Where(Range(5), Fn(">", {Col("id"), Lit(2)})),
                   {As(Fn("*", {Col("id"), Lit(10)}), "x"), Lit(1), Str("s"),
                    Fn("+", {Col("id"), Lit(1)})});
  EXPECT_EQ(Run(df), "x,1,s,(id + 1)\n30|1|s|4\n40|1|s|5");
}

TEST_F(TranslatorTest, SqlWithNamedAndPositionalParameters) {
  Relation named = SqlRelation("SELECT :a + 1 AS v, :b AS w");
  (*named.mutable_sql()->mutable_named_arguments())["a"] = Lit(41);
  (*named.mutable_sql()->mutable_named_arguments())["b"] = Str("x");
  EXPECT_EQ(Run(named), "v,w\n42|x");
  Relation positional = SqlRelation("SELECT id FROM range(10) WHERE id > ? AND id < ?");
  *positional.mutable_sql()->add_pos_arguments() = Lit(6);
  *positional.mutable_sql()->add_pos_arguments() = Lit(9);
  EXPECT_EQ(Run(positional), "id\n7\n8");
  Relation unbound = SqlRelation("SELECT ? AS v");
  EXPECT_NE(Run(unbound).find("UNBOUND_SQL_PARAMETER"), std::string::npos);
}

TEST_F(TranslatorTest, LocalRelationKeepsTypesAndSchemaNames) {
  auto df = Local(People());
  EXPECT_EQ(Run(OrderBy(df, {Desc(Col("salary"))})),
            "id,name,dept,salary\n1|ann|eng|100\n2|bob|eng|80\n4|dan|ops|70\n3|cid|ops|50");
  // A schema string renames and retypes the columns.
  auto renamed = Local(People(), "a int, b string, c string, d double");
  auto schema = SchemaOf(renamed);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->ToString(), "a: int32\nb: string\nc: string\nd: double");
  // pyarrow lists ("item") become Basin lists ("element").
  arrow::ListBuilder lists(arrow::default_memory_pool(), std::make_shared<arrow::Int64Builder>());
  ASSERT_TRUE(lists.Append().ok());
  ASSERT_TRUE(static_cast<arrow::Int64Builder*>(lists.value_builder())->Append(1).ok());
  ASSERT_TRUE(lists.AppendNull().ok());
  std::shared_ptr<arrow::Array> values = lists.Finish().ValueOrDie();
  auto table = arrow::Table::Make(arrow::schema({arrow::field("l", arrow::list(arrow::int64()))}),
                                  arrow::ArrayVector{values});
  auto list_schema = SchemaOf(Local(table));
  ASSERT_NE(list_schema, nullptr);
  EXPECT_EQ(list_schema->field(0)->type()->ToString(), "list<element: int64>");
}

TEST_F(TranslatorTest, SelfJoinResolvesColumnsByPlanId) {
  auto people = Local(People());
  int64_t left_id = 11, right_id = 12;
  auto left = WithId(people, left_id);
  auto right = WithId(Select(people, {Col("id"), As(Fn("*", {Col("salary"), Lit(2)}), "salary")}),
                      right_id);
  Relation join;
  *join.mutable_join()->mutable_left() = left;
  *join.mutable_join()->mutable_right() = right;
  join.mutable_join()->set_join_type(spark::connect::Join::JOIN_TYPE_INNER);
  *join.mutable_join()->mutable_join_condition() =
      Fn("==", {Col("id", left_id), Col("id", right_id)});
  auto joined = WithId(join);
  auto out = Select(joined, {Col("name", left_id), Col("salary", left_id), Col("salary", right_id)});
  EXPECT_EQ(Run(OrderBy(out, {Col("name")})),
            "name,salary,salary\nann|100|200\nbob|80|160\ncid|50|100\ndan|70|140");
}

TEST_F(TranslatorTest, JoinTypesAndUsingColumns) {
  auto a = Select(Range(4), {Col("id"), As(Fn("*", {Col("id"), Lit(10)}), "a")});
  auto b = Select(Range(6, 2), {Col("id"), As(Fn("*", {Col("id"), Lit(100)}), "b")});
  auto join = [&](spark::connect::Join::JoinType type) {
    Relation j;
    *j.mutable_join()->mutable_left() = a;
    *j.mutable_join()->mutable_right() = b;
    j.mutable_join()->set_join_type(type);
    j.mutable_join()->add_using_columns("id");
    return OrderBy(WithId(j), {Col("id")});
  };
  EXPECT_EQ(Run(join(spark::connect::Join::JOIN_TYPE_INNER)), "id,a,b\n2|20|200\n3|30|300");
  EXPECT_EQ(Run(join(spark::connect::Join::JOIN_TYPE_FULL_OUTER)),
            "id,a,b\n0|0|NULL\n1|10|NULL\n2|20|200\n3|30|300\n4|NULL|400\n5|NULL|500");
  EXPECT_EQ(Run(join(spark::connect::Join::JOIN_TYPE_LEFT_ANTI)), "id,a\n0|0\n1|10");
  EXPECT_EQ(Run(join(spark::connect::Join::JOIN_TYPE_LEFT_SEMI)), "id,a\n2|20\n3|30");
  Relation cross;
  *cross.mutable_join()->mutable_left() = Range(2);
  *cross.mutable_join()->mutable_right() = Select(Range(2), {As(Col("id"), "j")});
  EXPECT_EQ(Run(OrderBy(WithId(cross), {Col("id"), Col("j")})), "id,j\n0|0\n0|1\n1|0\n1|1");
}

TEST_F(TranslatorTest, GroupByRollupAndPivot) {
  auto people = Local(People());
  Relation agg;
  *agg.mutable_aggregate()->mutable_input() = people;
  agg.mutable_aggregate()->set_group_type(spark::connect::Aggregate::GROUP_TYPE_GROUPBY);
  *agg.mutable_aggregate()->add_grouping_expressions() = Col("dept");
  *agg.mutable_aggregate()->add_aggregate_expressions() = Fn("sum", {Col("salary")});
  *agg.mutable_aggregate()->add_aggregate_expressions() = As(Fn("count", {Star()}), "n");
  EXPECT_EQ(Run(OrderBy(WithId(agg), {Col("dept")})), "dept,sum(salary),n\neng|180|2\nops|120|2");

  Relation rollup = agg;
  rollup.mutable_aggregate()->set_group_type(spark::connect::Aggregate::GROUP_TYPE_ROLLUP);
  EXPECT_EQ(Run(OrderBy(WithId(rollup), {Col("dept")})),
            "dept,sum(salary),n\nNULL|300|4\neng|180|2\nops|120|2");

  // groupBy("dept").pivot("name", ["ann", "cid"]).sum("salary")
  Relation pivot;
  *pivot.mutable_aggregate()->mutable_input() = people;
  pivot.mutable_aggregate()->set_group_type(spark::connect::Aggregate::GROUP_TYPE_PIVOT);
  *pivot.mutable_aggregate()->add_grouping_expressions() = Col("dept");
  *pivot.mutable_aggregate()->add_aggregate_expressions() = Fn("sum", {Col("salary")});
  *pivot.mutable_aggregate()->mutable_pivot()->mutable_col() = Col("name");
  pivot.mutable_aggregate()->mutable_pivot()->add_values()->set_string("ann");
  pivot.mutable_aggregate()->mutable_pivot()->add_values()->set_string("cid");
  EXPECT_EQ(Run(OrderBy(WithId(pivot), {Col("dept")})), "dept,ann,cid\neng|100|NULL\nops|NULL|50");
  // Without values: the distinct values, sorted; two aggregates name columns value_agg.
  pivot.mutable_aggregate()->mutable_pivot()->clear_values();
  *pivot.mutable_aggregate()->mutable_pivot()->mutable_col() = Col("dept");
  pivot.mutable_aggregate()->clear_grouping_expressions();
  *pivot.mutable_aggregate()->add_aggregate_expressions() = As(Fn("max", {Col("id")}), "m");
  EXPECT_EQ(Run(WithId(pivot)), "eng_sum(salary),eng_m,ops_sum(salary),ops_m\n180|2|120|4");
}

TEST_F(TranslatorTest, WithColumnsRenamedDropToDf) {
  auto people = Local(People());
  Relation with;
  *with.mutable_with_columns()->mutable_input() = people;
  auto* a = with.mutable_with_columns()->add_aliases();
  *a->mutable_expr() = Fn("*", {Col("salary"), Lit(2)});
  a->add_name("salary");
  auto* b = with.mutable_with_columns()->add_aliases();
  *b->mutable_expr() = Fn("upper", {Col("name")});
  b->add_name("big");
  auto withed = WithId(with);
  EXPECT_EQ(SchemaOf(withed)->ToString(),
            "id: int64\nname: string\ndept: string\nsalary: int64\nbig: string");

  Relation renamed;
  *renamed.mutable_with_columns_renamed()->mutable_input() = withed;
  auto* r = renamed.mutable_with_columns_renamed()->add_renames();
  r->set_col_name("BIG");
  r->set_new_col_name("loud");
  Relation drop;
  *drop.mutable_drop()->mutable_input() = WithId(renamed);
  drop.mutable_drop()->add_column_names("dept");
  *drop.mutable_drop()->add_columns() = Col("id");
  drop.mutable_drop()->add_column_names("missing");
  auto dropped = WithId(drop);
  EXPECT_EQ(Run(Where(dropped, Sql("salary > 150"))), "name,salary,loud\nann|200|ANN\nbob|160|BOB");

  Relation to_df;
  *to_df.mutable_to_df()->mutable_input() = dropped;
  for (const char* n : {"x", "y", "z"}) to_df.mutable_to_df()->add_column_names(n);
  EXPECT_EQ(SchemaOf(WithId(to_df))->ToString(), "x: string\ny: int64\nz: string");
}

TEST_F(TranslatorTest, DeduplicateSetOperationsLimitOffsetTail) {
  auto people = Local(People());
  Relation dedup;
  *dedup.mutable_deduplicate()->mutable_input() = people;
  dedup.mutable_deduplicate()->add_column_names("dept");
  EXPECT_EQ(Run(OrderBy(WithId(dedup), {Col("dept")})),
            "id,name,dept,salary\n1|ann|eng|100\n3|cid|ops|50");

  Relation distinct;
  *distinct.mutable_deduplicate()->mutable_input() = Select(people, {Col("dept")});
  distinct.mutable_deduplicate()->set_all_columns_as_keys(true);
  EXPECT_EQ(Run(OrderBy(WithId(distinct), {Col("dept")})), "dept\neng\nops");

  // unionByName(allowMissingColumns=True)
  Relation u;
  *u.mutable_set_op()->mutable_left_input() = Select(Range(2), {Col("id"), As(Lit(1), "a")});
  *u.mutable_set_op()->mutable_right_input() = Select(Range(1), {As(Lit(7), "b"), Col("id")});
  u.mutable_set_op()->set_set_op_type(spark::connect::SetOperation::SET_OP_TYPE_UNION);
  u.mutable_set_op()->set_is_all(true);
  u.mutable_set_op()->set_by_name(true);
  u.mutable_set_op()->set_allow_missing_columns(true);
  EXPECT_EQ(Run(OrderBy(WithId(u), {Col("id"), Col("a")})), "id,a,b\n0|NULL|7\n0|1|NULL\n1|1|NULL");

  Relation except;
  *except.mutable_set_op()->mutable_left_input() = Range(5);
  *except.mutable_set_op()->mutable_right_input() = Range(3);
  except.mutable_set_op()->set_set_op_type(spark::connect::SetOperation::SET_OP_TYPE_EXCEPT);
  EXPECT_EQ(Run(OrderBy(WithId(except), {Col("id")})), "id\n3\n4");

  Relation limit;
  Relation offset;
  *offset.mutable_offset()->mutable_input() = OrderBy(Range(10), {Desc(Col("id"))});
  offset.mutable_offset()->set_offset(2);
  *limit.mutable_limit()->mutable_input() = WithId(offset);
  limit.mutable_limit()->set_limit(3);
  EXPECT_EQ(Run(WithId(limit)), "id\n7\n6\n5");

  Relation tail;
  *tail.mutable_tail()->mutable_input() = Range(10);
  tail.mutable_tail()->set_limit(2);
  EXPECT_EQ(Run(WithId(tail)), "id\n8\n9");
}

TEST_F(TranslatorTest, ShowStringMatchesSpark) {
  Relation show;
  *show.mutable_show_string()->mutable_input() =
      Select(Range(3), {Col("id"), As(Fn("repeat", {Str("ab"), Sql("CAST(id + 10 AS INT)")}), "s")});
  show.mutable_show_string()->set_num_rows(2);
  show.mutable_show_string()->set_truncate(20);
  EXPECT_EQ(Run(WithId(show)),
            "show_string\n"
            "+---+--------------------+\n"
            "| id|                   s|\n"
            "+---+--------------------+\n"
            "|  0|abababababababababab|\n"
            "|  1|ababababababababa...|\n"
            "+---+--------------------+\n"
            "only showing top 2 rows");
  show.mutable_show_string()->set_vertical(true);
  show.mutable_show_string()->set_truncate(0);
  show.mutable_show_string()->set_num_rows(1);
  EXPECT_EQ(Run(WithId(show)),
            "show_string\n"
            "-RECORD 0-------------------\n"
            " id  | 0                    \n"
            " s   | abababababababababab \n"
            "only showing top 1 row");
}

TEST_F(TranslatorTest, WindowExpression) {
  auto people = Local(People());
  Expression w;
  *w.mutable_window()->mutable_window_function() = Fn("row_number", {});
  *w.mutable_window()->add_partition_spec() = Col("dept");
  *w.mutable_window()->add_order_spec() = Desc(Col("salary")).sort_order();
  Expression running;
  *running.mutable_window()->mutable_window_function() = Fn("sum", {Col("salary")});
  *running.mutable_window()->add_partition_spec() = Col("dept");
  *running.mutable_window()->add_order_spec() = Desc(Col("salary")).sort_order();
  auto* frame = running.mutable_window()->mutable_frame_spec();
  frame->set_frame_type(Expression::Window::WindowFrame::FRAME_TYPE_ROW);
  frame->mutable_lower()->set_unbounded(true);
  frame->mutable_upper()->set_current_row(true);
  auto df = Select(people, {Col("name"), As(w, "rn"), As(running, "total")});
  EXPECT_EQ(Run(OrderBy(df, {Col("name")})),
            "name,rn,total\nann|1|100\nbob|2|180\ncid|2|120\ndan|1|70");
}

TEST_F(TranslatorTest, LiteralsOfEveryKind) {
  Expression decimal, date, ts, array, map, null_int;
  decimal.mutable_literal()->mutable_decimal()->set_value("12.50");
  decimal.mutable_literal()->mutable_decimal()->set_precision(5);
  decimal.mutable_literal()->mutable_decimal()->set_scale(2);
  date.mutable_literal()->set_date(19000);
  ts.mutable_literal()->set_timestamp(1'000'000);
  auto* arr = array.mutable_literal()->mutable_array();
  arr->mutable_element_type()->mutable_integer();
  arr->add_elements()->set_integer(1);
  arr->add_elements()->set_integer(2);
  auto* m = map.mutable_literal()->mutable_map();
  m->mutable_key_type()->mutable_string();
  m->mutable_value_type()->mutable_long_();
  m->add_keys()->set_string("k");
  m->add_values()->set_long_(5);
  null_int.mutable_literal()->mutable_null()->mutable_integer();
  auto df = Select(Range(1), {As(decimal, "d"), As(date, "dt"), As(ts, "ts"), As(array, "a"),
                              As(map, "m"), As(null_int, "n")});
  auto schema = SchemaOf(df);
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->ToString(),
            "d: decimal128(5, 2) not null\ndt: date32[day] not null\n"
            "ts: timestamp[us, tz=UTC] not null\na: list<element: int32> not null\n"
            "m: map<string, int64> not null\nn: int32");
  EXPECT_EQ(Run(Select(df, {Col("d"), Col("dt"), Fn("element_at", {Col("a"), Lit(2)}),
                            Fn("element_at", {Col("m"), Str("k")})})),
            "d,dt,element_at(a, 2),element_at(m, k)\n12.50|2022-01-08|2|5");
}

TEST_F(TranslatorTest, CastsStarAndExpressionStrings) {
  Expression cast;
  *cast.mutable_cast()->mutable_expr() = Col("id");
  cast.mutable_cast()->mutable_type()->mutable_string();
  Expression cast_str;
  *cast_str.mutable_cast()->mutable_expr() = Str("12");
  cast_str.mutable_cast()->set_type_str("int");
  Expression try_cast;
  *try_cast.mutable_cast()->mutable_expr() = Str("x");
  try_cast.mutable_cast()->set_type_str("int");
  try_cast.mutable_cast()->set_eval_mode(Expression::Cast::EVAL_MODE_TRY);
  auto df = Select(Range(1), {Star(), As(cast, "s"), As(cast_str, "i"), As(try_cast, "t"),
                              Sql("id + 5 AS plus")});
  EXPECT_EQ(Run(df), "id,s,i,t,plus\n0|0|12|NULL|5");
  auto schema = SchemaOf(df);
  EXPECT_EQ(schema->field(1)->type()->ToString(), "string");
}

TEST_F(TranslatorTest, WhenInLikeAndNullChecks) {
  Expression when = Fn("when", {Fn("<", {Col("id"), Lit(1)}), Str("low"),
                                Fn("<", {Col("id"), Lit(3)}), Str("mid"), Str("high")});
  auto df = Select(Range(4), {Col("id"), As(when, "w"), As(Fn("in", {Col("id"), Lit(1), Lit(3)}), "i"),
                              As(Fn("like", {Sql("CAST(id AS STRING)"), Str("%2")}), "l"),
                              As(Fn("isNull", {Col("id")}), "n"), As(Fn("not", {Fn("==", {Col("id"), Lit(0)})}), "nz")});
  EXPECT_EQ(Run(df),
            "id,w,i,l,n,nz\n0|low|false|false|false|false\n1|mid|true|false|false|true\n"
            "2|mid|false|true|false|true\n3|high|true|false|false|true");
}

TEST_F(TranslatorTest, UnpivotKeepsRowOrder) {
  Relation unpivot;
  *unpivot.mutable_unpivot()->mutable_input() =
      Select(Range(2), {Col("id"), As(Fn("*", {Col("id"), Lit(10)}), "a"),
                        As(Fn("*", {Col("id"), Lit(100)}), "b")});
  *unpivot.mutable_unpivot()->add_ids() = Col("id");
  unpivot.mutable_unpivot()->set_variable_column_name("var");
  unpivot.mutable_unpivot()->set_value_column_name("val");
  EXPECT_EQ(Run(WithId(unpivot)), "id,var,val\n0|a|0\n0|b|0\n1|a|10\n1|b|100");
}

TEST_F(TranslatorTest, SamplesWithOneSeedPartitionTheInput) {
  auto split = [&](double lower, double upper) {
    Relation s;
    *s.mutable_sample()->mutable_input() = Range(200);
    s.mutable_sample()->set_lower_bound(lower);
    s.mutable_sample()->set_upper_bound(upper);
    s.mutable_sample()->set_seed(7);
    Relation agg;
    *agg.mutable_aggregate()->mutable_input() = WithId(s);
    agg.mutable_aggregate()->set_group_type(spark::connect::Aggregate::GROUP_TYPE_GROUPBY);
    *agg.mutable_aggregate()->add_aggregate_expressions() = As(Fn("count", {Lit(1)}), "n");
    *agg.mutable_aggregate()->add_aggregate_expressions() = As(Fn("sum", {Col("id")}), "s");
    return Run(WithId(agg));
  };
  auto first = split(0.0, 0.5), second = split(0.5, 1.0);
  auto numbers = [](const std::string& text) {
    auto line = text.substr(text.find('\n') + 1);
    return std::make_pair(std::stoll(line.substr(0, line.find('|'))),
                          std::stoll(line.substr(line.find('|') + 1)));
  };
  auto [n1, s1] = numbers(first);
  auto [n2, s2] = numbers(second);
  EXPECT_EQ(n1 + n2, 200);
  EXPECT_EQ(s1 + s2, 199 * 200 / 2);
  EXPECT_GT(n1, 60);
  EXPECT_GT(n2, 60);
}

TEST_F(TranslatorTest, ReadsFilesAndTables) {
  fs::create_directories(dir_ / "json");
  {
    std::ofstream out(dir_ / "json" / "part-0.json");
    out << "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": \"y\"}\n";
    std::ofstream text(dir_ / "lines.txt");
    text << "hello\nworld\n";
  }
  Relation read;
  auto* source = read.mutable_read()->mutable_data_source();
  source->set_format("json");
  source->add_paths((dir_ / "json").string());
  auto json = WithId(read);
  EXPECT_EQ(Run(json), "a,b\n1|x\n2|y");
  EXPECT_EQ(Run(Select(json, {Col("a"), Fn("substring", {Col("_metadata.file_name"), Lit(1), Lit(6)})})),
            "a,substring(file_name, 1, 6)\n1|part-0\n2|part-0");
  source->set_schema("b string, a int");
  EXPECT_EQ(SchemaOf(WithId(read))->ToString(), "b: string\na: int32");

  Relation text;
  text.mutable_read()->mutable_data_source()->set_format("text");
  text.mutable_read()->mutable_data_source()->add_paths((dir_ / "lines.txt").string());
  EXPECT_EQ(Run(WithId(text)), "value\nhello\nworld");

  ASSERT_TRUE(session_->Sql("CREATE TABLE t (x INT) USING delta").ok());
  ASSERT_TRUE(session_->Sql("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(session_->Sql("INSERT INTO t VALUES (2)").ok());
  Relation table;
  table.mutable_read()->mutable_named_table()->set_unparsed_identifier("t");
  EXPECT_EQ(Run(OrderBy(WithId(table), {Col("x")})), "x\n1\n2");
  (*table.mutable_read()->mutable_named_table()->mutable_options())["versionAsOf"] = "1";
  EXPECT_EQ(Run(WithId(table)), "x\n1");
}

TEST_F(TranslatorTest, SubqueryAliasQualifiesColumns) {
  Relation alias;
  *alias.mutable_subquery_alias()->mutable_input() = Range(3);
  alias.mutable_subquery_alias()->set_alias("r");
  auto df = Select(Where(WithId(alias), Fn(">", {Col("r.id"), Lit(0)})), {Col("r.id")});
  EXPECT_EQ(Run(df), "id\n1\n2");
}

// A table with nulls: a bigint, b double (with NaN), c string.
Relation Nulls() {
  return SqlRelation(
      "SELECT * FROM VALUES (1L, 1.5D, 'x'), (NULL, CAST('NaN' AS DOUBLE), NULL), "
      "(3L, NULL, 'z') AS t(a, b, c)");
}

TEST_F(TranslatorTest, FillDropAndReplaceNulls) {
  Relation fill;
  *fill.mutable_fill_na()->mutable_input() = Nulls();
  fill.mutable_fill_na()->add_values()->set_long_(0);
  EXPECT_EQ(Run(WithId(fill)), "a,b,c\n1|1.5|x\n0|0.0|NULL\n3|0.0|z");
  Relation fill_cols;
  *fill_cols.mutable_fill_na()->mutable_input() = Nulls();
  fill_cols.mutable_fill_na()->add_cols("c");
  fill_cols.mutable_fill_na()->add_cols("a");
  fill_cols.mutable_fill_na()->add_values()->set_string("?");
  fill_cols.mutable_fill_na()->add_values()->set_long_(9);
  EXPECT_EQ(Run(WithId(fill_cols)), "a,b,c\n1|1.5|x\n9|NaN|?\n3|NULL|z");

  Relation drop_any;
  *drop_any.mutable_drop_na()->mutable_input() = Nulls();
  EXPECT_EQ(Run(WithId(drop_any)), "a,b,c\n1|1.5|x");
  Relation drop_thresh;
  *drop_thresh.mutable_drop_na()->mutable_input() = Nulls();
  drop_thresh.mutable_drop_na()->set_min_non_nulls(2);
  EXPECT_EQ(Run(WithId(drop_thresh)), "a,b,c\n1|1.5|x\n3|NULL|z");
  Relation drop_subset;
  *drop_subset.mutable_drop_na()->mutable_input() = Nulls();
  drop_subset.mutable_drop_na()->add_cols("c");
  EXPECT_EQ(Run(WithId(drop_subset)), "a,b,c\n1|1.5|x\n3|NULL|z");

  Relation replace;
  *replace.mutable_replace()->mutable_input() = Nulls();
  auto* r = replace.mutable_replace()->add_replacements();
  r->mutable_old_value()->set_string("x");
  r->mutable_new_value()->set_string("X");
  auto* n = replace.mutable_replace()->add_replacements();
  n->mutable_old_value()->set_long_(3);
  n->mutable_new_value()->set_long_(30);
  EXPECT_EQ(Run(WithId(replace)), "a,b,c\n1|1.5|X\nNULL|NaN|NULL\n30|NULL|z");
}

TEST_F(TranslatorTest, DescribeSummaryAndStatFunctions) {
  auto people = Local(People());
  Relation describe;
  *describe.mutable_describe()->mutable_input() = people;
  describe.mutable_describe()->add_cols("salary");
  describe.mutable_describe()->add_cols("name");
  EXPECT_EQ(Run(WithId(describe)),
            "summary,salary,name\ncount|4|4\nmean|75.0|NULL\nstddev|20.81665999466133|NULL\n"
            "min|50|ann\nmax|100|dan");
  Relation summary;
  *summary.mutable_summary()->mutable_input() = Select(people, {Col("salary")});
  summary.mutable_summary()->add_statistics("min");
  summary.mutable_summary()->add_statistics("50%");
  summary.mutable_summary()->add_statistics("count_distinct");
  EXPECT_EQ(Run(WithId(summary)), "summary,salary\nmin|50\n50%|70\ncount_distinct|4");

  Relation corr;
  *corr.mutable_corr()->mutable_input() = Select(Range(5), {Col("id"), As(Fn("*", {Col("id"), Lit(2)}), "d")});
  corr.mutable_corr()->set_col1("id");
  corr.mutable_corr()->set_col2("d");
  EXPECT_EQ(Run(WithId(corr)), "corr(id, d)\n1.0");
  Relation cov;
  *cov.mutable_cov()->mutable_input() = corr.corr().input();
  cov.mutable_cov()->set_col1("id");
  cov.mutable_cov()->set_col2("d");
  EXPECT_EQ(Run(WithId(cov)), "covar_samp(id, d)\n5.0");

  Relation crosstab;
  *crosstab.mutable_crosstab()->mutable_input() = people;
  crosstab.mutable_crosstab()->set_col1("dept");
  crosstab.mutable_crosstab()->set_col2("name");
  EXPECT_EQ(Run(OrderBy(WithId(crosstab), {Col("dept_name")})),
            "dept_name,ann,bob,cid,dan\neng|1|1|0|0\nops|0|0|1|1");

  Relation quantile;
  *quantile.mutable_approx_quantile()->mutable_input() = people;
  quantile.mutable_approx_quantile()->add_cols("salary");
  quantile.mutable_approx_quantile()->add_probabilities(0.0);
  quantile.mutable_approx_quantile()->add_probabilities(1.0);
  quantile.mutable_approx_quantile()->set_relative_error(0.01);
  EXPECT_EQ(Run(WithId(quantile)), "approx_quantile\n[[50.0, 100.0]]");

  Relation freq;
  *freq.mutable_freq_items()->mutable_input() = people;
  freq.mutable_freq_items()->add_cols("dept");
  freq.mutable_freq_items()->set_support(0.4);
  auto out = Run(WithId(freq));
  EXPECT_TRUE(out == "dept_freqItems\n[eng, ops]" || out == "dept_freqItems\n[ops, eng]") << out;
}

TEST_F(TranslatorTest, StructFieldsWithFieldAndDropFields) {
  auto df = SqlRelation("SELECT named_struct('a', 1, 'b', named_struct('c', 2, 'd', 3)) AS s, "
                        "map('k', 7) AS m, array(4, 5) AS l");
  Expression field;
  *field.mutable_unresolved_extract_value()->mutable_child() = Col("s");
  *field.mutable_unresolved_extract_value()->mutable_extraction() = Str("a");
  Expression key;
  *key.mutable_unresolved_extract_value()->mutable_child() = Col("m");
  *key.mutable_unresolved_extract_value()->mutable_extraction() = Str("k");
  Expression item;
  *item.mutable_unresolved_extract_value()->mutable_child() = Col("l");
  *item.mutable_unresolved_extract_value()->mutable_extraction() = Lit(1);
  EXPECT_EQ(Run(Select(df, {field, key, item, Col("s.b.c")})), "s.a,m[k],l[1],c\n1|7|5|2");

  Expression with;
  *with.mutable_update_fields()->mutable_struct_expression() = Col("s");
  with.mutable_update_fields()->set_field_name("b.d");
  *with.mutable_update_fields()->mutable_value_expression() = Lit(30);
  Expression added;
  *added.mutable_update_fields()->mutable_struct_expression() = with;
  added.mutable_update_fields()->set_field_name("e");
  *added.mutable_update_fields()->mutable_value_expression() = Str("new");
  Expression dropped;
  *dropped.mutable_update_fields()->mutable_struct_expression() = added;
  dropped.mutable_update_fields()->set_field_name("a");
  auto changed = Select(df, {As(dropped, "s")});
  EXPECT_EQ(Run(changed), "s\n{{2, 30}, new}");
  EXPECT_EQ(SchemaOf(changed)->field(0)->type()->ToString(),
            "struct<b: struct<c: int32, d: int32>, e: string>");
}

TEST_F(TranslatorTest, ColRegexAndStarOfADataFrame) {
  auto people = WithId(Local(People()), 21);
  Expression regex;
  regex.mutable_unresolved_regex()->set_col_name("`(na|sa).*`");
  EXPECT_EQ(Run(Select(Where(people, Sql("id = 1")), {regex})), "name,salary\nann|100");
  Expression star;
  star.mutable_unresolved_star()->set_unparsed_target("t.*");
  Relation alias;
  *alias.mutable_subquery_alias()->mutable_input() = Select(people, {Col("id")});
  alias.mutable_subquery_alias()->set_alias("t");
  EXPECT_EQ(Run(Select(Where(WithId(alias), Sql("id = 2")), {star})), "id\n2");
}

TEST_F(TranslatorTest, WithRelationsForSqlArgumentsAndSubqueries) {
  Relation with;
  *with.mutable_with_relations()->mutable_root() = SqlRelation("SELECT id FROM df_arg WHERE id > 0");
  auto* ref = with.mutable_with_relations()->add_references();
  *ref->mutable_subquery_alias()->mutable_input() = Range(3);
  ref->mutable_subquery_alias()->set_alias("df_arg");
  EXPECT_EQ(Run(OrderBy(WithId(with), {Col("id")})), "id\n1\n2");

  Relation scalar;
  Expression sub;
  sub.mutable_subquery_expression()->set_plan_id(77);
  sub.mutable_subquery_expression()->set_subquery_type(
      spark::connect::SubqueryExpression::SUBQUERY_TYPE_SCALAR);
  Expression in;
  in.mutable_subquery_expression()->set_plan_id(78);
  in.mutable_subquery_expression()->set_subquery_type(
      spark::connect::SubqueryExpression::SUBQUERY_TYPE_IN);
  *in.mutable_subquery_expression()->add_in_subquery_values() = Col("id");
  *scalar.mutable_with_relations()->mutable_root() =
      Select(Where(Range(4), in), {Col("id"), As(sub, "m")});
  *scalar.mutable_with_relations()->add_references() =
      WithId(Select(Range(5), {Fn("max", {Col("id")})}), 77);
  *scalar.mutable_with_relations()->add_references() = WithId(Range(3, 2), 78);
  EXPECT_EQ(Run(WithId(scalar)), "id,m\n2|4");
}

TEST_F(TranslatorTest, UdfKindsNotRunNameTheMissingFeature) {
  Expression scala;
  scala.mutable_common_inline_user_defined_function()->set_function_name("f");
  auto out = Run(Select(Range(1), {scala}));
  EXPECT_NE(out.find("UNSUPPORTED_FEATURE"), std::string::npos) << out;
  EXPECT_NE(out.find("Scala UDF f"), std::string::npos) << out;
  Expression grouped;
  auto* udf = grouped.mutable_common_inline_user_defined_function();
  udf->set_function_name("g");
  udf->mutable_python_udf()->set_eval_type(202);  // SQL_GROUPED_AGG_PANDAS_UDF
  out = Run(Select(Range(1), {grouped}));
  EXPECT_NE(out.find("grouped aggregate pandas/arrow UDF g"), std::string::npos) << out;
}

TEST_F(TranslatorTest, TypeStringsAndProtoTypes) {
  auto type = ParseTypeString("array<struct<a: int, b: string>>");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->ToString(), "list<element: struct<a: int32, b: string>>");
  auto schema = ParseSchemaString("a bigint, b decimal(10,2)");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*schema)->ToString(), "a: int64\nb: decimal128(10, 2)");
  auto json = ParseSchemaString(
      R"({"type":"struct","fields":[{"name":"x","type":"long","nullable":true,"metadata":{}}]})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)->ToString(), "x: int64");
  auto proto = ToProtoType(**type);
  ASSERT_TRUE(proto.ok());
  auto back = FromProtoType(*proto);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE((*back)->Equals(**type));
}

}  // namespace
}  // namespace basin::connect
