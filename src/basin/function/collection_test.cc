#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/function/function_test_support.h"

namespace basin::function {
namespace {

using arrow::int32;
using arrow::int64;
using arrow::list;
using arrow::utf8;

TEST(CollectionTest, ConstructorsAndSize) {
  EXPECT_EQ(Call("array", {A(int32(), "[1, 2]"), A(int64(), "[null, 3]")}), "[1, null] | [2, 3]");
  EXPECT_EQ(ReturnType("array", {int32(), int64()}), "ARRAY<BIGINT>");
  EXPECT_EQ(Call("size", {A(list(int32()), "[[1, 2], [], null]")}), "2 | 0 | NULL");
  EXPECT_EQ(Call("size", {A(list(int32()), "[null]")}, NonAnsi()), "-1");
  EXPECT_EQ(Call("map", {A(utf8(), R"(["a"])"), A(int32(), "[1]"), A(utf8(), R"(["b"])"), A(int32(), "[2]")}),
            "{a -> 1, b -> 2}");
  EXPECT_EQ(Call("map", {A(utf8(), R"(["a"])"), A(int32(), "[1]"), A(utf8(), R"(["a"])"), A(int32(), "[2]")}),
            "ERROR:DUPLICATED_MAP_KEY");
  EXPECT_EQ(Call("struct", {A(int32(), "[1]"), A(utf8(), R"(["x"])")}), "{1, x}");
  auto named = BuiltinRegistry().BindScalarWithConstants(
      "named_struct", {utf8(), int32()},
      {arrow::Datum(std::make_shared<arrow::StringScalar>("a")), arrow::Datum()});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(SqlTypeName(*named->return_type), "STRUCT<a: INT>");
  EXPECT_EQ(ReturnType("named_struct", {utf8(), int32()}), "STRUCT<col1: INT>");
  EXPECT_EQ(ReturnType("named_struct", {int32(), int32()}),
            "ERROR:DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING");
  const auto st = arrow::struct_({arrow::field("a", int32()), arrow::field("B", utf8())});
  auto field = BuiltinRegistry().BindScalarWithConstants(
      "get_struct_field", {st, utf8()},
      {arrow::Datum(), arrow::Datum(std::make_shared<arrow::StringScalar>("b"))});
  ASSERT_TRUE(field.ok()) << field.status().ToString();
  EXPECT_EQ(SqlTypeName(*field->return_type), "STRING");
  auto rows = MakeDatum(A(st, R"([{"a": 1, "B": "x"}, null])"));
  EXPECT_EQ(Render(field->kernel->Execute({*rows, arrow::Datum(std::make_shared<arrow::StringScalar>("b"))}, 2,
                                          EvalContext()),
                   EvalContext()),
            "x | NULL");
}

TEST(CollectionTest, Lookups) {
  const auto arr = A(list(int32()), "[[1, 2, 3], [1, null], null]");
  EXPECT_EQ(Call("array_contains", {arr, Sc(int32(), "2")}), "true | NULL | NULL");
  EXPECT_EQ(Call("array_contains", {arr, Sc(int32(), "1")}), "true | true | NULL");
  EXPECT_EQ(Call("array_position", {arr, Sc(int32(), "3")}), "3 | 0 | NULL");
  EXPECT_EQ(Call("element_at", {A(list(int32()), "[[1, 2, 3]]"), Sc(int32(), "-1")}), "3");
  EXPECT_EQ(Call("element_at", {A(list(int32()), "[[1, 2, 3]]"), Sc(int32(), "5")}),
            "ERROR:INVALID_ARRAY_INDEX_IN_ELEMENT_AT");
  EXPECT_EQ(Call("try_element_at", {A(list(int32()), "[[1, 2, 3]]"), Sc(int32(), "5")}), "NULL");
  EXPECT_EQ(Call("element_at", {A(list(int32()), "[[1, 2, 3]]"), Sc(int32(), "0")}), "ERROR:INVALID_INDEX_OF_ZERO");
  EXPECT_EQ(Call("get", {A(list(int32()), "[[1, 2, 3]]"), Sc(int32(), "0")}), "1");
  EXPECT_EQ(Call("get", {A(list(int32()), "[[1, 2]]"), Sc(int32(), "5")}), "NULL");
  EXPECT_EQ(Call("get_array_item", {A(list(int32()), "[[1, 2]]"), Sc(int32(), "5")}), "ERROR:INVALID_ARRAY_INDEX");
  EXPECT_EQ(Call("element_at", {A(arrow::map(utf8(), int32()), R"([[["a", 1]]])"), Sc(utf8(), R"("a")")}), "1");
  EXPECT_EQ(Call("element_at", {A(arrow::map(utf8(), int32()), R"([[["a", 1]]])"), Sc(utf8(), R"("z")")}), "NULL");
  EXPECT_EQ(Call("map_keys", {A(arrow::map(utf8(), int32()), R"([[["a", 1], ["b", 2]]])")}), "[a, b]");
  EXPECT_EQ(Call("map_values", {A(arrow::map(utf8(), int32()), R"([[["a", 1], ["b", 2]]])")}), "[1, 2]");
  EXPECT_EQ(Call("map_from_arrays", {A(list(utf8()), R"([["a", "b"]])"), A(list(int32()), "[[1, 2]]")}),
            "{a -> 1, b -> 2}");
}

TEST(CollectionTest, Transformations) {
  EXPECT_EQ(Call("array_distinct", {A(list(int32()), "[[1, 2, 1, null, null]]")}), "[1, 2, null]");
  EXPECT_EQ(Call("array_sort", {A(list(int32()), "[[3, null, 1]]")}), "[1, 3, null]");
  EXPECT_EQ(Call("sort_array", {A(list(int32()), "[[3, null, 1]]")}), "[null, 1, 3]");
  EXPECT_EQ(Call("sort_array", {A(list(int32()), "[[3, null, 1]]"), Sc(arrow::boolean(), "false")}), "[3, 1, null]");
  EXPECT_EQ(Call("array_remove", {A(list(int32()), "[[1, 2, 1, null]]"), Sc(int32(), "1")}), "[2, null]");
  EXPECT_EQ(Call("array_join", {A(list(utf8()), R"([["a", null, "b"]])"), Sc(utf8(), R"(",")")}), "a,b");
  EXPECT_EQ(Call("array_join", {A(list(utf8()), R"([["a", null, "b"]])"), Sc(utf8(), R"(",")"), Sc(utf8(), R"("?")")}),
            "a,?,b");
  EXPECT_EQ(Call("flatten", {A(list(list(int32())), "[[[1, 2], [3]], [[1], null]]")}), "[1, 2, 3] | NULL");
  EXPECT_EQ(Call("slice", {A(list(int32()), "[[1, 2, 3, 4]]"), Sc(int32(), "2"), Sc(int32(), "2")}), "[2, 3]");
  EXPECT_EQ(Call("slice", {A(list(int32()), "[[1, 2, 3, 4]]"), Sc(int32(), "-2"), Sc(int32(), "5")}), "[3, 4]");
  EXPECT_EQ(Call("sequence", {Sc(int32(), "1"), Sc(int32(), "5")}), "[1, 2, 3, 4, 5]");
  EXPECT_EQ(Call("sequence", {Sc(int32(), "5"), Sc(int32(), "1"), Sc(int32(), "-2")}), "[5, 3, 1]");
  EXPECT_EQ(Call("reverse", {A(list(int32()), "[[1, 2, 3]]")}), "[3, 2, 1]");
  EXPECT_EQ(Call("arrays_zip", {A(list(int32()), "[[1, 2]]"), A(list(utf8()), R"([["a"]])")}),
            "[{1, a}, {2, null}]");
  EXPECT_EQ(Call("array_max", {A(list(int32()), "[[1, 5, null, 3]]")}), "5");
  EXPECT_EQ(Call("array_min", {A(list(utf8()), R"([["b", "a"]])")}), "a");
}

TEST(CollectionTest, ConditionalsAndMisc) {
  EXPECT_EQ(Call("if", {A(arrow::boolean(), "[true, false, null]"), A(int32(), "[1, 1, 1]"), A(int64(), "[2, 2, 2]")}),
            "1 | 2 | 2");
  EXPECT_EQ(Call("nvl", {A(int32(), "[null, 1]"), A(int32(), "[5, 5]")}), "5 | 1");
  EXPECT_EQ(Call("nvl2", {A(int32(), "[null, 1]"), A(utf8(), R"(["a", "a"])"), A(utf8(), R"(["b", "b"])")}), "b | a");
  EXPECT_EQ(Call("nullif", {A(int32(), "[1, 2]"), A(int32(), "[1, 3]")}), "NULL | 2");
  EXPECT_EQ(Call("typeof", {A(list(int32()), "[[1]]")}), "array<int>");
  EXPECT_EQ(Call("isnull", {A(int32(), "[null, 1]")}), "true | false");
  auto uuids = CallDatum("uuid", {}, EvalContext());
  ASSERT_TRUE(uuids.ok());
  EXPECT_TRUE(uuids->is_scalar() || uuids->length() >= 1);
}

}  // namespace
}  // namespace basin::function

namespace basin::function {
namespace {

TEST(CollectionTest, SetOperations) {
  using arrow::int32;
  using arrow::list;
  const auto x = A(list(int32()), "[[1, 2, 2, 3]]");
  const auto y = A(list(int32()), "[[3, 4, 1]]");
  EXPECT_EQ(Call("array_union", {x, y}), "[1, 2, 3, 4]");
  EXPECT_EQ(Call("array_intersect", {x, y}), "[1, 3]");
  EXPECT_EQ(Call("array_except", {x, y}), "[2]");
  EXPECT_EQ(Call("array_compact", {A(list(int32()), "[[1, null, 2]]")}), "[1, 2]");
  EXPECT_EQ(Call("array_repeat", {A(arrow::utf8(), R"(["ab"])"), Sc(int32(), "3")}), "[ab, ab, ab]");
  EXPECT_EQ(Call("array_append", {x, Sc(int32(), "9")}), "[1, 2, 2, 3, 9]");
  EXPECT_EQ(Call("array_prepend", {x, Sc(int32(), "9")}), "[9, 1, 2, 2, 3]");
  EXPECT_EQ(Call("concat", {x, y}), "[1, 2, 2, 3, 3, 4, 1]");
  const auto m = A(arrow::map(arrow::utf8(), int32()), R"([[["a", 1], ["b", 2]]])");
  EXPECT_EQ(Call("map_contains_key", {m, Sc(arrow::utf8(), R"("b")")}), "true");
  EXPECT_EQ(Call("map_contains_key", {m, Sc(arrow::utf8(), R"("z")")}), "false");
  EXPECT_EQ(Call("map_entries", {m}), "[{a, 1}, {b, 2}]");
  EXPECT_EQ(Call("isnan", {A(arrow::float64(), "[NaN, 1, null]")}), "true | false | false");
  EXPECT_EQ(Call("nanvl", {A(arrow::float64(), "[NaN, 1]"), A(arrow::float64(), "[2, 3]")}), "2.0 | 1.0");
  EXPECT_EQ(Call("typeof", {A(arrow::map(arrow::utf8(), arrow::struct_({arrow::field("a", int32())})), "[null]")}),
            "map<string,struct<a:int>>");
  EXPECT_EQ(ReturnType("hash", {arrow::map(arrow::utf8(), int32())}), "ERROR:DATATYPE_MISMATCH.HASH_MAP_TYPE");
}

}  // namespace
}  // namespace basin::function
