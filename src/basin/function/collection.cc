// Array, map and struct functions: constructors, lookups (1-based, negative from the end), set
// operations, sorting, sequence, slice, flatten, arrays_zip, size.

#include <algorithm>
#include <numeric>

#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

const arrow::ListArray& ListAt(const ArgReader& r) {
  return static_cast<const arrow::ListArray&>(*r.array());
}

TypePtr ElementType(const TypePtr& t) { return static_cast<const arrow::ListType&>(*t).value_type(); }

// Appends a list built from (values, index) pairs.
Status AppendList(OutBuilder& out, const arrow::Array& values, const std::vector<int64_t>& rows) {
  auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
  RETURN_NOT_OK(lb->Append());
  for (int64_t j : rows) RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*values.data(), j, 1));
  return Status::OK();
}

std::vector<int64_t> ListRows(const arrow::ListArray& l, int64_t row) {
  std::vector<int64_t> rows(static_cast<size_t>(l.value_length(row)));
  std::iota(rows.begin(), rows.end(), l.value_offset(row));
  return rows;
}

Status NeedArray(const std::string& name, const TypePtr& t, size_t index) {
  if (t->id() != arrow::Type::LIST) return UnexpectedInputType(name, index, "ARRAY", *t, name);
  return Status::OK();
}

Result<BoundScalar> BindArray(const std::string& name, const std::vector<TypePtr>& args) {
  TypePtr t = arrow::null();
  for (const auto& a : args) {
    auto c = CommonType(t, a);
    if (!c) {
      return DataTypeMismatch("DATA_DIFF_TYPES",
                              "Cannot resolve \"" + name + "\" due to data type mismatch: Input to "
                              "function `array` should all be the same type.");
    }
    t = *c;
  }
  if (IsNull(*t) && !args.empty()) t = arrow::null();
  if (args.empty()) t = arrow::null();
  BoundScalar b;
  b.name = name;
  b.arg_types.assign(args.size(), t);
  b.return_type = arrow::list(t);
  b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
    auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
    RETURN_NOT_OK(lb->Append());
    for (const auto& r : a) {
      RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*r.array()->data(), r.Index(i), 1));
    }
    return Status::OK();
  }, false);
  return b;
}

// Binds f(array, value) where value is coerced to the element type.
Result<BoundScalar> BindArrayValue(const std::string& name, const std::vector<TypePtr>& args,
                                   TypePtr return_type, RowFn row, bool null_in_null_out = true) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  if (name == "array_contains" && (IsNull(*args[0]) || IsNull(*args[1]))) {
    // Spark: array_contains(NULL, 1) and array_contains(array(1), NULL) do not resolve.
    return DataTypeMismatch("NULL_TYPE", "Cannot resolve \"" + name +
                                             "\" due to data type mismatch: Null typed values "
                                             "cannot be used as arguments of `" + name + "`.");
  }
  RETURN_NOT_OK(NeedArray(name, args[0], 0));
  auto c = CommonType(ElementType(args[0]), args[1]);
  if (!c) {
    return DataTypeMismatch("ARRAY_FUNCTION_DIFF_TYPES",
                            "Cannot resolve \"" + name + "\" due to data type mismatch: Input to `" +
                                name + "` should have been \"ARRAY\" followed by a value with same "
                                "element type, but it's [\"" + SqlTypeName(*args[0]) + "\", \"" +
                                SqlTypeName(*args[1]) + "\"].");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::list(*c), *c};
  b.return_type = return_type ? return_type : b.arg_types[0];
  b.kernel = RowKernel(b.return_type, std::move(row), null_in_null_out);
  return b;
}

Result<BoundScalar> BindUnaryArray(const std::string& name, const std::vector<TypePtr>& args,
                                   std::function<TypePtr(const TypePtr&)> result, RowFn row) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  RETURN_NOT_OK(NeedArray(name, args[0], 0));
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.return_type = result(args[0]);
  b.kernel = RowKernel(b.return_type, std::move(row));
  return b;
}

Status SortRows(const arrow::Array& values, std::vector<int64_t>* rows, bool ascending,
                bool nulls_first) {
  std::stable_sort(rows->begin(), rows->end(), [&](int64_t x, int64_t y) {
    const bool xn = values.IsNull(x), yn = values.IsNull(y);
    if (xn || yn) return xn != yn && (nulls_first ? xn : yn);
    const int c = CompareValues(values, x, values, y);
    return ascending ? c < 0 : c > 0;
  });
  return Status::OK();
}

Status IndexError(int64_t index, int64_t size, bool element_at) {
  if (element_at) {
    return UserError("INVALID_ARRAY_INDEX_IN_ELEMENT_AT",
                     "The index " + std::to_string(index) + " is out of bounds. The array has " +
                         std::to_string(size) +
                         " elements. Use `try_element_at` to tolerate accessing element at invalid "
                         "index and return NULL instead. If necessary set "
                         "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
  }
  return UserError("INVALID_ARRAY_INDEX",
                   "The index " + std::to_string(index) + " is out of bounds. The array has " +
                       std::to_string(size) +
                       " elements. Use the SQL function `get()` to tolerate accessing element at "
                       "invalid index and return NULL instead. If necessary set "
                       "\"spark.sql.ansi.enabled\" to \"false\" to bypass this error.");
}

ScalarBinder ElementAtBinder(bool try_mode) {
  return [try_mode](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    BoundScalar b;
    b.name = name;
    if (args[0]->id() == arrow::Type::MAP) {
      const auto& m = static_cast<const arrow::MapType&>(*args[0]);
      if (!ImplicitCastTarget(args[1], m.key_type())) {
        return UnexpectedInputType(name, 1, SqlTypeName(*m.key_type()), *args[1], name);
      }
      b.arg_types = {args[0], m.key_type()};
      b.return_type = m.item_type();
      b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                             const EvalContext&) -> Status {
        const auto& map = static_cast<const arrow::MapArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        for (int64_t j = map.value_offset(row); j < map.value_offset(row + 1); ++j) {
          if (ValuesEqual(*map.keys(), j, *a[1].array(), a[1].Index(i))) {
            return out.CopyFrom(*map.items(), j);
          }
        }
        return out.Null();
      });
      return b;
    }
    RETURN_NOT_OK(NeedArray(name, args[0], 0));
    const bool subscript = name == "get" || name == "get_array_item";
    // element_at takes an integral index below BIGINT as it is; get(array, i) casts (ANSI).
    if (subscript ? !ImplicitCastTarget(args[1], arrow::int32()) : !IntegralUpToInt(*args[1])) {
      return UnexpectedInputType(name, 1, "INT", *args[1], name);
    }
    b.arg_types = {args[0], arrow::int32()};
    b.return_type = ElementType(args[0]);
    b.kernel = RowKernel(b.return_type, [try_mode, subscript](const S& a, int64_t i, OutBuilder& out,
                                                               const EvalContext& ctx) -> Status {
      const auto& l = ListAt(a[0]);
      const int64_t row = a[0].Index(i);
      const int64_t n = l.value_length(row);
      int64_t idx = a[1].Int(i);
      if (subscript) {
        // get(array, index) and array[index] are 0-based.
        if (idx < 0 || idx >= n) {
          if (ctx.ansi && !try_mode) return IndexError(idx, n, false);
          return out.Null();
        }
        return out.CopyFrom(*l.values(), l.value_offset(row) + idx);
      }
      if (idx == 0) {
        return UserError("INVALID_INDEX_OF_ZERO",
                         "The index 0 is invalid. An index shall be either < 0 or > 0 (the first "
                         "element has index 1).");
      }
      if (idx > n || -idx > n) {
        if (ctx.ansi && !try_mode) return IndexError(idx, n, true);
        return out.Null();
      }
      const int64_t pos = idx > 0 ? idx - 1 : n + idx;
      return out.CopyFrom(*l.values(), l.value_offset(row) + pos);
    });
    return b;
  };
}

Result<BoundScalar> BindMap(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() % 2 != 0) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `map` requires 2n (n > 0) parameters but the actual number is " +
                         std::to_string(args.size()) + ".");
  }
  TypePtr k = arrow::null(), v = arrow::null();
  for (size_t i = 0; i < args.size(); ++i) {
    TypePtr& t = i % 2 == 0 ? k : v;
    auto c = CommonType(t, args[i]);
    if (!c) {
      return DataTypeMismatch("MAP_FUNCTION_DIFF_TYPES",
                              "Cannot resolve \"map\" due to data type mismatch: Input to `map` "
                              "should all be the same type.");
    }
    t = *c;
  }
  BoundScalar b;
  b.name = name;
  for (size_t i = 0; i < args.size(); ++i) b.arg_types.push_back(i % 2 == 0 ? k : v);
  b.return_type = arrow::map(k, v);
  b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                         const EvalContext&) -> Status {
    auto* mb = static_cast<arrow::MapBuilder*>(out.builder());
    RETURN_NOT_OK(mb->Append());
    for (size_t k = 0; k < a.size(); k += 2) {
      if (a[k].IsNull(i)) {
        return UserError("NULL_MAP_KEY", "Cannot use null as map key.");
      }
      for (size_t p = 0; p < k; p += 2) {
        if (ValuesEqual(*a[p].array(), a[p].Index(i), *a[k].array(), a[k].Index(i))) {
          ARROW_ASSIGN_OR_RAISE(auto key, ValueToString(*a[k].array(), a[k].Index(i), EvalContext()));
          return UserError("DUPLICATED_MAP_KEY",
                           "Duplicate map key " + key +
                               " was found, please check the input data. If you want to remove the "
                               "duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to "
                               "\"LAST_WIN\" so that the key inserted at last takes precedence.");
        }
      }
      RETURN_NOT_OK(mb->key_builder()->AppendArraySlice(*a[k].array()->data(), a[k].Index(i), 1));
      RETURN_NOT_OK(mb->item_builder()->AppendArraySlice(*a[k + 1].array()->data(), a[k + 1].Index(i), 1));
    }
    return Status::OK();
  }, false);
  return b;
}

Result<BoundScalar> BindStruct(const std::string& name, const std::vector<TypePtr>& args,
                               const std::vector<arrow::Datum>& constants, bool named) {
  arrow::FieldVector fields;
  std::vector<size_t> value_args;
  if (named) {
    if (args.size() % 2 != 0 || args.empty()) {
      return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                       "The `named_struct` requires 2n (n > 0) parameters but the actual number "
                       "is " + std::to_string(args.size()) + ".");
    }
    for (size_t k = 0; k < args.size(); k += 2) {
      if (IsStringLike(*args[k]) &&
          (k >= constants.size() || constants[k].kind() == arrow::Datum::NONE)) {
        // Bound without constants (BindScalar): the names are unknown until the analyzer passes
        // them through BindScalarWithConstants; "colN" stands in.
        fields.push_back(arrow::field("col" + std::to_string(k / 2 + 1),
                                      IsNull(*args[k + 1]) ? arrow::null() : args[k + 1]));
        value_args.push_back(k + 1);
        continue;
      }
      if (k >= constants.size() || !constants[k].is_scalar() || !constants[k].scalar()->is_valid ||
          !IsStringLike(*args[k])) {
        return DataTypeMismatch("CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING",
                                "Cannot resolve \"named_struct\" due to data type mismatch: Only "
                                "foldable `STRING` expressions are allowed to appear at odd "
                                "position.");
      }
      ArgReader r(constants[k]);
      fields.push_back(arrow::field(std::string(r.Str(0)), IsNull(*args[k + 1]) ? arrow::null() : args[k + 1]));
      value_args.push_back(k + 1);
    }
  } else {
    for (size_t k = 0; k < args.size(); ++k) {
      fields.push_back(arrow::field("col" + std::to_string(k + 1), args[k]));
      value_args.push_back(k);
    }
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.return_type = arrow::struct_(fields);
  b.kernel = RowKernel(b.return_type, [value_args](const S& a, int64_t i, OutBuilder& out,
                                                   const EvalContext&) -> Status {
    auto* sb = static_cast<arrow::StructBuilder*>(out.builder());
    RETURN_NOT_OK(sb->Append());
    for (size_t f = 0; f < value_args.size(); ++f) {
      const auto& r = a[value_args[f]];
      RETURN_NOT_OK(sb->field_builder(static_cast<int>(f))->AppendArraySlice(*r.array()->data(), r.Index(i), 1));
    }
    return Status::OK();
  }, false);
  return b;
}

}  // namespace

void RegisterMoreCollectionFunctions(FunctionTable* table);

void RegisterCollectionFunctions(FunctionTable* table) {
  RegisterMoreCollectionFunctions(table);
  table->AddScalar("array", BindArray);
  table->AddScalar("array_contains", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindArrayValue(name, args, arrow::boolean(),
                          [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            const auto& l = ListAt(a[0]);
                            const int64_t row = a[0].Index(i);
                            bool saw_null = false;
                            for (int64_t j = l.value_offset(row); j < l.value_offset(row + 1); ++j) {
                              if (l.values()->IsNull(j)) {
                                saw_null = true;
                              } else if (ValuesEqual(*l.values(), j, *a[1].array(), a[1].Index(i))) {
                                return out.Bool(true);
                              }
                            }
                            return saw_null ? out.Null() : out.Bool(false);
                          });
  });
  table->AddScalar("array_position", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindArrayValue(name, args, arrow::int64(),
                          [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            const auto& l = ListAt(a[0]);
                            const int64_t row = a[0].Index(i);
                            for (int64_t j = l.value_offset(row); j < l.value_offset(row + 1); ++j) {
                              if (!l.values()->IsNull(j) &&
                                  ValuesEqual(*l.values(), j, *a[1].array(), a[1].Index(i))) {
                                return out.Int(j - l.value_offset(row) + 1);
                              }
                            }
                            return out.Int(0);
                          });
  });
  table->AddScalar("array_remove", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindArrayValue(name, args, nullptr,
                          [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            const auto& l = ListAt(a[0]);
                            std::vector<int64_t> rows;
                            for (int64_t j : ListRows(l, a[0].Index(i))) {
                              if (l.values()->IsNull(j) ||
                                  !ValuesEqual(*l.values(), j, *a[1].array(), a[1].Index(i))) {
                                rows.push_back(j);
                              }
                            }
                            return AppendList(out, *l.values(), rows);
                          });
  });
  auto size = [](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    if (args[0]->id() != arrow::Type::LIST && args[0]->id() != arrow::Type::MAP) {
      return UnexpectedInputType(name, 0, "(\"ARRAY\" or \"MAP\")", *args[0], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = arrow::int32();
    b.kernel = RowKernel(arrow::int32(), [](const S& a, int64_t i, OutBuilder& out,
                                            const EvalContext& ctx) -> Status {
      // size(NULL) is -1 only with spark.sql.legacy.sizeOfNull, which ANSI mode turns off.
      if (a[0].IsNull(i)) return ctx.ansi ? out.Null() : out.Int(-1);
      const auto& l = static_cast<const arrow::BaseListArray<arrow::ListType>&>(*a[0].array());
      (void)l;
      const int64_t row = a[0].Index(i);
      if (a[0].type()->id() == arrow::Type::MAP) {
        return out.Int(static_cast<const arrow::MapArray&>(*a[0].array()).value_length(row));
      }
      return out.Int(ListAt(a[0]).value_length(row));
    }, false);
    return b;
  };
  table->AddScalar("size", size);
  table->AddScalar("cardinality", size);
  table->AddScalar("array_size", size);
  table->AddScalar("element_at", ElementAtBinder(false));
  table->AddScalar("try_element_at", ElementAtBinder(true));
  table->AddScalar("get", ElementAtBinder(true));
  // array[index] (Spark's GetArrayItem): 0-based, INVALID_ARRAY_INDEX out of range under ANSI.
  table->AddScalar("get_array_item", ElementAtBinder(false));
  auto identity_type = [](const TypePtr& t) { return t; };
  table->AddScalar("array_distinct", [identity_type](const std::string& name, const std::vector<TypePtr>& args) {
    return BindUnaryArray(name, args, identity_type, [](const S& a, int64_t i, OutBuilder& out,
                                                        const EvalContext&) {
      const auto& l = ListAt(a[0]);
      std::vector<int64_t> rows;
      for (int64_t j : ListRows(l, a[0].Index(i))) {
        bool dup = false;
        for (int64_t k : rows) {
          if (ValuesEqual(*l.values(), j, *l.values(), k)) {
            dup = true;
            break;
          }
        }
        if (!dup) rows.push_back(j);
      }
      return AppendList(out, *l.values(), rows);
    });
  });
  table->AddScalar("array_sort", [identity_type](const std::string& name, const std::vector<TypePtr>& args) {
    return BindUnaryArray(name, args, identity_type, [](const S& a, int64_t i, OutBuilder& out,
                                                        const EvalContext&) -> Status {
      const auto& l = ListAt(a[0]);
      auto rows = ListRows(l, a[0].Index(i));
      RETURN_NOT_OK(SortRows(*l.values(), &rows, true, false));
      return AppendList(out, *l.values(), rows);
    });
  });
  table->AddScalar("sort_array", [](const std::string& name, const std::vector<TypePtr>& args)
                                     -> Result<BoundScalar> {
    if (args.empty() || args.size() > 2) return WrongNumArgs(name, "[1, 2]", args.size());
    RETURN_NOT_OK(NeedArray(name, args[0], 0));
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0]};
    if (args.size() == 2) b.arg_types.push_back(arrow::boolean());
    b.return_type = args[0];
    b.kernel = RowKernel(args[0], [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      const bool asc = a.size() < 2 || a[1].Bool(i);
      const auto& l = ListAt(a[0]);
      auto rows = ListRows(l, a[0].Index(i));
      RETURN_NOT_OK(SortRows(*l.values(), &rows, asc, asc));
      return AppendList(out, *l.values(), rows);
    });
    return b;
  });
  auto minmax = [identity_type](bool is_max) {
    return [is_max](const std::string& name, const std::vector<TypePtr>& args) {
      return BindUnaryArray(name, args, [](const TypePtr& t) { return ElementType(t); },
                            [is_max](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                              const auto& l = ListAt(a[0]);
                              int64_t best = -1;
                              for (int64_t j : ListRows(l, a[0].Index(i))) {
                                if (l.values()->IsNull(j)) continue;
                                if (best < 0) {
                                  best = j;
                                  continue;
                                }
                                const int c = CompareValues(*l.values(), j, *l.values(), best);
                                if (is_max ? c > 0 : c < 0) best = j;
                              }
                              if (best < 0) return out.Null();
                              return out.CopyFrom(*l.values(), best);
                            });
    };
  };
  (void)identity_type;
  table->AddScalar("array_max", minmax(true));
  table->AddScalar("array_min", minmax(false));
  table->AddScalar("array_join", [](const std::string& name, const std::vector<TypePtr>& args)
                                     -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
    RETURN_NOT_OK(NeedArray(name, args[0], 0));
    BoundScalar b;
    b.name = name;
    b.arg_types = {arrow::list(arrow::utf8()), arrow::utf8()};
    if (args.size() == 3) b.arg_types.push_back(arrow::utf8());
    b.return_type = arrow::utf8();
    b.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      if (a[0].IsNull(i) || a[1].IsNull(i)) return out.Null();
      const auto& l = ListAt(a[0]);
      const auto& values = static_cast<const arrow::StringArray&>(*l.values());
      std::string s;
      bool first = true;
      for (int64_t j : ListRows(l, a[0].Index(i))) {
        std::string_view v;
        if (values.IsNull(j)) {
          if (a.size() < 3 || a[2].IsNull(i)) continue;
          v = a[2].Str(i);
        } else {
          v = values.GetView(j);
        }
        if (!first) s.append(a[1].Str(i));
        s.append(v);
        first = false;
      }
      return out.Str(s);
    }, false);
    return b;
  });
  table->AddScalar("flatten", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindUnaryArray(name, args, [](const TypePtr& t) { return ElementType(t); },
                          [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            const auto& outer = ListAt(a[0]);
                            const auto& inner = static_cast<const arrow::ListArray&>(*outer.values());
                            std::vector<int64_t> rows;
                            for (int64_t j : ListRows(outer, a[0].Index(i))) {
                              if (inner.IsNull(j)) return out.Null();
                              for (int64_t k : ListRows(inner, j)) rows.push_back(k);
                            }
                            return AppendList(out, *inner.values(), rows);
                          });
  });
  table->AddScalar("slice", [](const std::string& name, const std::vector<TypePtr>& args)
                                -> Result<BoundScalar> {
    if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
    RETURN_NOT_OK(NeedArray(name, args[0], 0));
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0], arrow::int32(), arrow::int32()};
    b.return_type = args[0];
    b.kernel = RowKernel(args[0], [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
      const auto& l = ListAt(a[0]);
      auto rows = ListRows(l, a[0].Index(i));
      const int64_t n = static_cast<int64_t>(rows.size());
      const int64_t start = a[1].Int(i), len = a[2].Int(i);
      if (start == 0) {
        return UserError("INVALID_PARAMETER_VALUE.START",
                         "The value of parameter(s) `start` in `slice` is invalid: Expects a "
                         "positive or a negative value for `start`, but got 0.");
      }
      if (len < 0) {
        return UserError("INVALID_PARAMETER_VALUE.LENGTH",
                         "The value of parameter(s) `length` in `slice` is invalid: Expects "
                         "`length` greater than or equal to 0, but got " + std::to_string(len) + ".");
      }
      int64_t from = start > 0 ? start - 1 : n + start;
      std::vector<int64_t> picked;
      if (from >= 0) {
        for (int64_t k = from; k < std::min(n, from + len); ++k) picked.push_back(rows[static_cast<size_t>(k)]);
      }
      return AppendList(out, *l.values(), picked);
    });
    return b;
  });
  table->AddScalar("sequence", [](const std::string& name, const std::vector<TypePtr>& args)
                                   -> Result<BoundScalar> {
    if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
    TypePtr t = args[0];
    for (const auto& a : args) {
      auto c = CommonType(t, a);
      if (!c || !IsIntegral(**c)) return UnexpectedInputType(name, 0, "INTEGRAL", *a, name);
      t = *c;
    }
    BoundScalar b;
    b.name = name;
    b.arg_types.assign(args.size(), t);
    b.return_type = arrow::list(t);
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      const int64_t start = a[0].Int(i), stop = a[1].Int(i);
      const int64_t step = a.size() > 2 ? a[2].Int(i) : (start <= stop ? 1 : -1);
      if (step == 0 || (step > 0 && start > stop) || (step < 0 && start < stop)) {
        if (start == stop) {
          // A single element regardless of step sign.
        } else {
          return UserError("INVALID_PARAMETER_VALUE.SEQUENCE_WRONG_INPUT_TYPES",
                           "Illegal sequence boundaries: " + std::to_string(start) + " to " +
                               std::to_string(stop) + " by " + std::to_string(step));
        }
      }
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      RETURN_NOT_OK(lb->Append());
      auto* vb = lb->value_builder();
      const __int128 count = step == 0 ? 1 : (static_cast<__int128>(stop) - start) / step + 1;
      if (count > 10000000) {
        return UserError("COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER",
                         "Can't create array with " + std::to_string(static_cast<int64_t>(count)) +
                             " elements which exceeding the array size limit 2147483632.");
      }
      for (__int128 k = 0; k < count; ++k) {
        const int64_t v = static_cast<int64_t>(start + k * step);
        switch (vb->type()->id()) {
          case arrow::Type::INT8:
            RETURN_NOT_OK(static_cast<arrow::Int8Builder*>(vb)->Append(static_cast<int8_t>(v)));
            break;
          case arrow::Type::INT16:
            RETURN_NOT_OK(static_cast<arrow::Int16Builder*>(vb)->Append(static_cast<int16_t>(v)));
            break;
          case arrow::Type::INT32:
            RETURN_NOT_OK(static_cast<arrow::Int32Builder*>(vb)->Append(static_cast<int32_t>(v)));
            break;
          default:
            RETURN_NOT_OK(static_cast<arrow::Int64Builder*>(vb)->Append(v));
        }
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalar("reverse", [](const std::string& name, const std::vector<TypePtr>& args)
                                  -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    BoundScalar b;
    b.name = name;
    if (args[0]->id() == arrow::Type::LIST) {
      b.arg_types = args;
      b.return_type = args[0];
      b.kernel = RowKernel(args[0], [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
        const auto& l = ListAt(a[0]);
        auto rows = ListRows(l, a[0].Index(i));
        std::reverse(rows.begin(), rows.end());
        return AppendList(out, *l.values(), rows);
      });
      return b;
    }
    if (!ImplicitCastTarget(args[0], arrow::utf8())) {
      return UnexpectedInputType(name, 0, "(\"STRING\" or \"ARRAY\")", *args[0], name);
    }
    b.arg_types = {arrow::utf8()};
    b.return_type = arrow::utf8();
    b.kernel = RowKernel(arrow::utf8(), [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) {
      return out.Str(ReverseUtf8(a[0].Str(i)));
    });
    return b;
  });
  table->AddScalar("arrays_zip", [](const std::string& name, const std::vector<TypePtr>& args)
                                     -> Result<BoundScalar> {
    arrow::FieldVector fields;
    for (size_t k = 0; k < args.size(); ++k) {
      RETURN_NOT_OK(NeedArray(name, args[k], k));
      fields.push_back(arrow::field(std::to_string(k), ElementType(args[k])));
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = arrow::list(arrow::struct_(fields));
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      auto* sb = static_cast<arrow::StructBuilder*>(lb->value_builder());
      RETURN_NOT_OK(lb->Append());
      int64_t n = 0;
      for (const auto& r : a) n = std::max<int64_t>(n, ListAt(r).value_length(r.Index(i)));
      for (int64_t k = 0; k < n; ++k) {
        RETURN_NOT_OK(sb->Append());
        for (size_t f = 0; f < a.size(); ++f) {
          const auto& l = ListAt(a[f]);
          const int64_t row = a[f].Index(i);
          auto* fb = sb->field_builder(static_cast<int>(f));
          if (k < l.value_length(row)) {
            RETURN_NOT_OK(fb->AppendArraySlice(*l.values()->data(), l.value_offset(row) + k, 1));
          } else {
            RETURN_NOT_OK(fb->AppendNull());
          }
        }
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalar("map", BindMap);
  auto map_part = [](bool keys) {
    return [keys](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
      if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
      if (args[0]->id() != arrow::Type::MAP) return UnexpectedInputType(name, 0, "MAP", *args[0], name);
      const auto& m = static_cast<const arrow::MapType&>(*args[0]);
      BoundScalar b;
      b.name = name;
      b.arg_types = args;
      b.return_type = arrow::list(keys ? m.key_type() : m.item_type());
      b.kernel = RowKernel(b.return_type, [keys](const S& a, int64_t i, OutBuilder& out,
                                                 const EvalContext&) {
        const auto& map = static_cast<const arrow::MapArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        std::vector<int64_t> rows(static_cast<size_t>(map.value_length(row)));
        std::iota(rows.begin(), rows.end(), map.value_offset(row));
        return AppendList(out, keys ? *map.keys() : *map.items(), rows);
      });
      return b;
    };
  };
  table->AddScalar("map_keys", map_part(true));
  table->AddScalar("map_values", map_part(false));
  table->AddScalar("map_from_arrays", [](const std::string& name, const std::vector<TypePtr>& args)
                                          -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    RETURN_NOT_OK(NeedArray(name, args[0], 0));
    RETURN_NOT_OK(NeedArray(name, args[1], 1));
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = arrow::map(ElementType(args[0]), ElementType(args[1]));
    b.kernel = RowKernel(b.return_type, [](const S& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      const auto& k = ListAt(a[0]);
      const auto& v = ListAt(a[1]);
      const int64_t kr = a[0].Index(i), vr = a[1].Index(i);
      if (k.value_length(kr) != v.value_length(vr)) {
        return UserError("INVALID_PARAMETER_VALUE.MAP_FROM_ARRAYS_LENGTH",
                         "The input arrays to map_from_arrays must have the same length.");
      }
      auto* mb = static_cast<arrow::MapBuilder*>(out.builder());
      RETURN_NOT_OK(mb->Append());
      for (int64_t j = 0; j < k.value_length(kr); ++j) {
        if (k.values()->IsNull(k.value_offset(kr) + j)) {
          return UserError("NULL_MAP_KEY", "Cannot use null as map key.");
        }
        RETURN_NOT_OK(mb->key_builder()->AppendArraySlice(*k.values()->data(), k.value_offset(kr) + j, 1));
        RETURN_NOT_OK(mb->item_builder()->AppendArraySlice(*v.values()->data(), v.value_offset(vr) + j, 1));
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalarWithConstants("named_struct", [](const std::string& n, const std::vector<TypePtr>& a,
                                                   const std::vector<arrow::Datum>& c) {
    return BindStruct(n, a, c, true);
  });
  table->AddScalarWithConstants("get_struct_field", [](const std::string& name,
                                                       const std::vector<TypePtr>& args,
                                                       const std::vector<arrow::Datum>& constants)
                                                        -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    if (args[0]->id() != arrow::Type::STRUCT) return UnexpectedInputType(name, 0, "STRUCT", *args[0], name);
    int index = -1;
    if (constants.size() > 1 && constants[1].is_scalar() && constants[1].scalar()->is_valid) {
      ArgReader r(constants[1]);
      if (IsStringLike(*r.type())) {
        const std::string want = ToLowerAscii(r.Str(0));
        for (int f = 0; f < args[0]->num_fields(); ++f) {
          if (ToLowerAscii(args[0]->field(f)->name()) == want) index = f;
        }
      } else if (IsIntegral(*r.type())) {
        index = static_cast<int>(r.Int(0));
      }
    } else if (args[0]->num_fields() == 1) {
      index = 0;
    } else {
      return UserError("INVALID_PARAMETER_VALUE",
                       "The value of parameter(s) `field` in `get_struct_field` is invalid: the "
                       "field must be a constant; bind with BindScalarWithConstants.");
    }
    if (index < 0 || index >= args[0]->num_fields()) {
      return UserError("FIELD_NOT_FOUND", "No such struct field in " + SqlTypeName(*args[0]) + ".");
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = args[0]->field(index)->type();
    b.kernel = RowKernel(b.return_type, [index](const S& a, int64_t i, OutBuilder& out,
                                                const EvalContext&) -> Status {
      if (a[0].IsNull(i)) return out.Null();
      const auto& st = static_cast<const arrow::StructArray&>(*a[0].array());
      return out.CopyFrom(*st.field(index), a[0].Index(i));
    }, false);
    return b;
  });
  table->AddScalarWithConstants("struct", [](const std::string& n, const std::vector<TypePtr>& a,
                                             const std::vector<arrow::Datum>& c) {
    return BindStruct(n, a, c, false);
  });
}

}  // namespace basin::function

namespace basin::function {

namespace {

using Rows = std::vector<int64_t>;

enum class SetOp { kUnion, kIntersect, kExcept };

// array_union / array_intersect / array_except: distinct results in first-seen order.
Result<BoundScalar> BindSetOp(const std::string& name, const std::vector<TypePtr>& args, SetOp op) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  auto c = CommonType(args[0], args[1]);
  if (!c || (*c)->id() != arrow::Type::LIST) {
    return DataTypeMismatch("BINARY_ARRAY_DIFF_TYPES",
                            "Cannot resolve \"" + name + "\" due to data type mismatch: Input to "
                            "function `" + name + "` should have been two \"ARRAY\" with same "
                            "element type, but it's [\"" + SqlTypeName(*args[0]) + "\", \"" +
                            SqlTypeName(*args[1]) + "\"].");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {*c, *c};
  b.return_type = *c;
  b.kernel = RowKernel(*c, [op](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                const EvalContext&) -> Status {
    const auto& x = static_cast<const arrow::ListArray&>(*a[0].array());
    const auto& y = static_cast<const arrow::ListArray&>(*a[1].array());
    const int64_t xr = a[0].Index(i), yr = a[1].Index(i);
    auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
    RETURN_NOT_OK(lb->Append());
    std::vector<std::pair<const arrow::Array*, int64_t>> kept;
    auto contains = [](const std::vector<std::pair<const arrow::Array*, int64_t>>& set,
                       const arrow::Array& arr, int64_t j) {
      for (const auto& [sa, sj] : set) {
        if (ValuesEqual(*sa, sj, arr, j)) return true;
      }
      return false;
    };
    auto in_list = [](const arrow::ListArray& l, int64_t row, const arrow::Array& arr, int64_t j) {
      for (int64_t k = l.value_offset(row); k < l.value_offset(row + 1); ++k) {
        if (ValuesEqual(*l.values(), k, arr, j)) return true;
      }
      return false;
    };
    auto take = [&](const arrow::Array& arr, int64_t j) -> Status {
      if (contains(kept, arr, j)) return Status::OK();
      kept.emplace_back(&arr, j);
      return lb->value_builder()->AppendArraySlice(*arr.data(), j, 1);
    };
    for (int64_t j = x.value_offset(xr); j < x.value_offset(xr + 1); ++j) {
      const bool in_y = in_list(y, yr, *x.values(), j);
      if (op == SetOp::kUnion || (op == SetOp::kIntersect && in_y) || (op == SetOp::kExcept && !in_y)) {
        RETURN_NOT_OK(take(*x.values(), j));
      }
    }
    if (op == SetOp::kUnion) {
      for (int64_t j = y.value_offset(yr); j < y.value_offset(yr + 1); ++j) RETURN_NOT_OK(take(*y.values(), j));
    }
    return Status::OK();
  });
  return b;
}

}  // namespace

void RegisterMoreCollectionFunctions(FunctionTable* table) {
  table->AddScalar("array_union", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindSetOp(n, a, SetOp::kUnion);
  });
  table->AddScalar("array_intersect", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindSetOp(n, a, SetOp::kIntersect);
  });
  table->AddScalar("array_except", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindSetOp(n, a, SetOp::kExcept);
  });
  table->AddScalar("array_compact", [](const std::string& name, const std::vector<TypePtr>& args)
                                        -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    if (args[0]->id() != arrow::Type::LIST) return UnexpectedInputType(name, 0, "ARRAY", *args[0], name);
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = args[0];
    b.kernel = RowKernel(args[0], [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                     const EvalContext&) -> Status {
      const auto& l = static_cast<const arrow::ListArray&>(*a[0].array());
      const int64_t row = a[0].Index(i);
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      RETURN_NOT_OK(lb->Append());
      for (int64_t j = l.value_offset(row); j < l.value_offset(row + 1); ++j) {
        if (!l.values()->IsNull(j)) RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*l.values()->data(), j, 1));
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalar("array_repeat", [](const std::string& name, const std::vector<TypePtr>& args)
                                       -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    if (!IntegralUpToInt(*args[1])) return UnexpectedInputType(name, 1, "INT", *args[1], name);
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0], arrow::int32()};
    b.return_type = arrow::list(args[0]);
    b.kernel = RowKernel(b.return_type, [](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                           const EvalContext&) -> Status {
      if (a[1].IsNull(i)) return out.Null();
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      RETURN_NOT_OK(lb->Append());
      for (int64_t k = 0; k < a[1].Int(i); ++k) {
        RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*a[0].array()->data(), a[0].Index(i), 1));
      }
      return Status::OK();
    }, false);
    return b;
  });
  auto append = [](bool prepend) {
    return [prepend](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundScalar> {
      if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
      if (args[0]->id() != arrow::Type::LIST) return UnexpectedInputType(name, 0, "ARRAY", *args[0], name);
      auto c = CommonType(static_cast<const arrow::ListType&>(*args[0]).value_type(), args[1]);
      if (!c) return UnexpectedInputType(name, 1, SqlTypeName(*args[0]), *args[1], name);
      BoundScalar b;
      b.name = name;
      b.arg_types = {arrow::list(*c), *c};
      b.return_type = b.arg_types[0];
      b.kernel = RowKernel(b.return_type, [prepend](const std::vector<ArgReader>& a, int64_t i,
                                                    OutBuilder& out, const EvalContext&) -> Status {
        if (a[0].IsNull(i)) return out.Null();
        const auto& l = static_cast<const arrow::ListArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
        RETURN_NOT_OK(lb->Append());
        if (prepend) RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*a[1].array()->data(), a[1].Index(i), 1));
        RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*l.values()->data(), l.value_offset(row), l.value_length(row)));
        if (!prepend) RETURN_NOT_OK(lb->value_builder()->AppendArraySlice(*a[1].array()->data(), a[1].Index(i), 1));
        return Status::OK();
      }, false);
      return b;
    };
  };
  table->AddScalar("map_contains_key", [](const std::string& name, const std::vector<TypePtr>& args)
                                            -> Result<BoundScalar> {
    if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
    if (args[0]->id() != arrow::Type::MAP) return UnexpectedInputType(name, 0, "MAP", *args[0], name);
    const auto& m = static_cast<const arrow::MapType&>(*args[0]);
    if (!ImplicitCastTarget(args[1], m.key_type())) {
      return UnexpectedInputType(name, 1, SqlTypeName(*m.key_type()), *args[1], name);
    }
    BoundScalar b;
    b.name = name;
    b.arg_types = {args[0], m.key_type()};
    b.return_type = arrow::boolean();
    b.kernel = RowKernel(arrow::boolean(), [](const std::vector<ArgReader>& a, int64_t i,
                                              OutBuilder& out, const EvalContext&) -> Status {
      const auto& map = static_cast<const arrow::MapArray&>(*a[0].array());
      const int64_t row = a[0].Index(i);
      for (int64_t j = map.value_offset(row); j < map.value_offset(row + 1); ++j) {
        if (ValuesEqual(*map.keys(), j, *a[1].array(), a[1].Index(i))) return out.Bool(true);
      }
      return out.Bool(false);
    });
    return b;
  });
  table->AddScalar("map_entries", [](const std::string& name, const std::vector<TypePtr>& args)
                                       -> Result<BoundScalar> {
    if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
    if (args[0]->id() != arrow::Type::MAP) return UnexpectedInputType(name, 0, "MAP", *args[0], name);
    const auto& m = static_cast<const arrow::MapType&>(*args[0]);
    BoundScalar b;
    b.name = name;
    b.arg_types = args;
    b.return_type = arrow::list(arrow::struct_({arrow::field("key", m.key_type(), false),
                                                arrow::field("value", m.item_type())}));
    b.kernel = RowKernel(b.return_type, [](const std::vector<ArgReader>& a, int64_t i,
                                           OutBuilder& out, const EvalContext&) -> Status {
      const auto& map = static_cast<const arrow::MapArray&>(*a[0].array());
      const int64_t row = a[0].Index(i);
      auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
      auto* sb = static_cast<arrow::StructBuilder*>(lb->value_builder());
      RETURN_NOT_OK(lb->Append());
      for (int64_t j = map.value_offset(row); j < map.value_offset(row + 1); ++j) {
        RETURN_NOT_OK(sb->Append());
        RETURN_NOT_OK(sb->field_builder(0)->AppendArraySlice(*map.keys()->data(), j, 1));
        RETURN_NOT_OK(sb->field_builder(1)->AppendArraySlice(*map.items()->data(), j, 1));
      }
      return Status::OK();
    });
    return b;
  });
  table->AddScalar("array_append", append(false));
  table->AddScalar("array_prepend", append(true));
}

}  // namespace basin::function
