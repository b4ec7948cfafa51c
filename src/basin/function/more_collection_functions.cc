// Newer Spark 4 map and array functions: map_concat, map_from_entries, arrays_overlap,
// array_insert.

#include <string>
#include <vector>

#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

// Spark's size limit of an array (ByteArrayMethods.MAX_ROUNDED_ARRAY_LENGTH).
constexpr int64_t kMaxArrayLength = 2147483632;

Status DuplicatedMapKey(const arrow::Array& keys, int64_t j) {
  ARROW_ASSIGN_OR_RAISE(auto key, ValueToString(keys, j, EvalContext()));
  return UserError("DUPLICATED_MAP_KEY",
                   "Duplicate map key " + key +
                       " was found, please check the input data. If you want to remove the "
                       "duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to "
                       "\"LAST_WIN\" so that the key inserted at last takes precedence.");
}

Status NullMapKey() { return UserError("NULL_MAP_KEY", "Cannot use null as map key."); }

// Appends key j of `keys` unless it repeats a key already in the map being built
// (DUPLICATED_MAP_KEY under the default spark.sql.mapKeyDedupPolicy=EXCEPTION).
Status AppendEntry(arrow::MapBuilder* mb,
                   std::vector<std::pair<const arrow::Array*, int64_t>>* seen,
                   const arrow::Array& keys, int64_t j, const arrow::Array& items, int64_t k) {
  if (keys.IsNull(j)) return NullMapKey();
  for (const auto& [array, row] : *seen) {
    if (ValuesEqual(*array, row, keys, j)) return DuplicatedMapKey(keys, j);
  }
  seen->emplace_back(&keys, j);
  RETURN_NOT_OK(mb->key_builder()->AppendArraySlice(*keys.data(), j, 1));
  return mb->item_builder()->AppendArraySlice(*items.data(), k, 1);
}

// Spark's findTightestCommonType: the types meet without losing precision or promoting strings.
TypePtr TightestCommonType(const TypePtr& a, const TypePtr& b) {
  if (a->Equals(*b)) return a;
  if (IsNull(*a)) return b;
  if (IsNull(*b)) return a;
  const int ra = NumericRank(*a), rb = NumericRank(*b);
  if (ra > 0 && rb > 0) return ra >= rb ? a : b;
  auto decimal_covers = [](const arrow::DataType& d, const arrow::DataType& integral) {
    const auto& dt = static_cast<const arrow::Decimal128Type&>(d);
    const auto& it = static_cast<const arrow::Decimal128Type&>(*DecimalForIntegral(integral));
    return dt.precision() - dt.scale() >= it.precision() && dt.scale() >= 0;
  };
  if (IsDecimal(*a) && IsIntegral(*b) && decimal_covers(*a, *b)) return a;
  if (IsDecimal(*b) && IsIntegral(*a) && decimal_covers(*b, *a)) return b;
  if ((a->id() == arrow::Type::DATE32 || IsTimestamp(*a)) &&
      (b->id() == arrow::Type::DATE32 || IsTimestamp(*b))) {
    auto c = CommonType(a, b);
    return c ? *c : nullptr;
  }
  return nullptr;
}

bool HasString(const arrow::DataType& t) { return IsStringLike(t); }

Result<BoundScalar> BindMapConcat(const std::string& name, const std::vector<TypePtr>& args) {
  for (const auto& t : args) {
    if (t->id() != arrow::Type::MAP) {
      std::string list;
      for (size_t k = 0; k < args.size(); ++k) {
        list += (k ? ", \"" : "\"") + SqlTypeName(*args[k]) + "\"";
      }
      return DataTypeMismatch("MAP_CONCAT_DIFF_TYPES",
                              "Cannot resolve \"" + name + "\" due to data type mismatch: The `" +
                                  name + "` should all be of type map, but it's [" + list + "].");
    }
  }
  TypePtr key = args.empty() ? arrow::utf8() : arrow::null();
  TypePtr value = args.empty() ? arrow::utf8() : arrow::null();
  for (const auto& t : args) {
    const auto& m = static_cast<const arrow::MapType&>(*t);
    auto k = CommonType(key, m.key_type());
    auto v = CommonType(value, m.item_type());
    const bool string_mix = !IsNull(*key) && HasString(*key) != HasString(*m.key_type());
    if (!k || !v || string_mix) {
      std::string list;
      for (size_t j = 0; j < args.size(); ++j) {
        list += (j ? " or \"" : "\"") + SqlTypeName(*args[j]) + "\"";
      }
      return DataTypeMismatch("DATA_DIFF_TYPES",
                              "Cannot resolve \"" + name +
                                  "\" due to data type mismatch: Input to `" + name +
                                  "` should all be the same type, but it's (" + list + ").");
    }
    key = *k;
    value = *v;
  }
  const TypePtr map_type = arrow::map(key, value);
  BoundScalar b;
  b.name = name;
  b.arg_types.assign(args.size(), map_type);
  b.return_type = map_type;
  b.kernel =
      RowKernel(map_type, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        auto* mb = static_cast<arrow::MapBuilder*>(out.builder());
        RETURN_NOT_OK(mb->Append());
        std::vector<std::pair<const arrow::Array*, int64_t>> seen;
        for (const auto& r : a) {
          const auto& map = static_cast<const arrow::MapArray&>(*r.array());
          const int64_t row = r.Index(i);
          for (int64_t j = map.value_offset(row); j < map.value_offset(row + 1); ++j) {
            RETURN_NOT_OK(AppendEntry(mb, &seen, *map.keys(), j, *map.items(), j));
          }
        }
        return Status::OK();
      });
  return b;
}

Result<BoundScalar> BindMapFromEntries(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 1) return WrongNumArgs(name, "1", args.size());
  const TypePtr& t = args[0];
  const bool ok =
      t->id() == arrow::Type::LIST &&
      static_cast<const arrow::ListType&>(*t).value_type()->id() == arrow::Type::STRUCT &&
      static_cast<const arrow::ListType&>(*t).value_type()->num_fields() == 2;
  if (!ok) {
    return DataTypeMismatch(
        "UNEXPECTED_INPUT_TYPE",
        "Cannot resolve \"" + name +
            "\" due to data type mismatch: The first "
            "parameter requires the \"ARRAY\" of pair \"STRUCT\" type, however the "
            "argument has the type \"" +
            SqlTypeName(*t) + "\".");
  }
  const auto& entry = *static_cast<const arrow::ListType&>(*t).value_type();
  const TypePtr map_type = arrow::map(entry.field(0)->type(), entry.field(1)->type());
  BoundScalar b;
  b.name = name;
  b.arg_types = args;
  b.return_type = map_type;
  b.kernel =
      RowKernel(map_type, [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        const auto& list = static_cast<const arrow::ListArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        const auto& entries = static_cast<const arrow::StructArray&>(*list.values());
        // A null entry makes the whole map null.
        for (int64_t j = list.value_offset(row); j < list.value_offset(row + 1); ++j) {
          if (entries.IsNull(j)) return out.Null();
        }
        auto* mb = static_cast<arrow::MapBuilder*>(out.builder());
        RETURN_NOT_OK(mb->Append());
        std::vector<std::pair<const arrow::Array*, int64_t>> seen;
        const auto& keys = *entries.field(0);
        const auto& items = *entries.field(1);
        for (int64_t j = list.value_offset(row); j < list.value_offset(row + 1); ++j) {
          RETURN_NOT_OK(AppendEntry(mb, &seen, keys, j, items, j));
        }
        return Status::OK();
      });
  return b;
}

Result<BoundScalar> BindArraysOverlap(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  TypePtr element;
  if (args[0]->id() == arrow::Type::LIST && args[1]->id() == arrow::Type::LIST) {
    const TypePtr e0 = static_cast<const arrow::ListType&>(*args[0]).value_type();
    const TypePtr e1 = static_cast<const arrow::ListType&>(*args[1]).value_type();
    auto c = CommonType(e0, e1);
    const bool string_mix = !IsNull(*e0) && !IsNull(*e1) && HasString(*e0) != HasString(*e1);
    if (c && !string_mix) element = *c;
  }
  if (!element) {
    return DataTypeMismatch("BINARY_ARRAY_DIFF_TYPES",
                            "Cannot resolve \"" + name +
                                "\" due to data type mismatch: Input to "
                                "function `" +
                                name +
                                "` should have been two \"ARRAY\" with same "
                                "element type, but it's [\"" +
                                SqlTypeName(*args[0]) + "\", \"" + SqlTypeName(*args[1]) + "\"].");
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::list(element), arrow::list(element)};
  b.return_type = arrow::boolean();
  b.kernel = RowKernel(
      arrow::boolean(),
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        const auto& l0 = static_cast<const arrow::ListArray&>(*a[0].array());
        const auto& l1 = static_cast<const arrow::ListArray&>(*a[1].array());
        const int64_t r0 = a[0].Index(i), r1 = a[1].Index(i);
        if (l0.value_length(r0) == 0 || l1.value_length(r1) == 0) return out.Bool(false);
        bool saw_null = false;
        const auto& v0 = *l0.values();
        const auto& v1 = *l1.values();
        for (int64_t x = l0.value_offset(r0); x < l0.value_offset(r0 + 1); ++x) {
          if (v0.IsNull(x)) {
            saw_null = true;
            continue;
          }
          for (int64_t y = l1.value_offset(r1); y < l1.value_offset(r1 + 1); ++y) {
            if (v1.IsNull(y)) {
              saw_null = true;
              continue;
            }
            if (ValuesEqual(v0, x, v1, y)) return out.Bool(true);
          }
        }
        if (saw_null) return out.Null();
        return out.Bool(false);
      },
      true);
  return b;
}

Result<BoundScalar> BindArrayInsert(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 3) return WrongNumArgs(name, "3", args.size());
  TypePtr element;
  if (args[0]->id() == arrow::Type::LIST) {
    element =
        TightestCommonType(static_cast<const arrow::ListType&>(*args[0]).value_type(), args[2]);
  }
  if (!element) {
    return DataTypeMismatch("ARRAY_FUNCTION_DIFF_TYPES",
                            "Cannot resolve \"" + name +
                                "\" due to data type mismatch: Input to `" + name +
                                "` should have been \"ARRAY\" followed by a value with same "
                                "element type, but it's [\"" +
                                SqlTypeName(*args[0]) + "\", \"" + SqlTypeName(*args[2]) + "\"].");
  }
  if (!IsIntegral(*args[1]) || args[1]->id() == arrow::Type::INT64) {
    return UnexpectedInputType(name, 1, "INT", *args[1], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::list(element), arrow::int32(), element};
  b.return_type = b.arg_types[0];
  b.kernel = RowKernel(
      b.return_type,
      [](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
        if (a[0].IsNull(i) || a[1].IsNull(i)) return out.Null();
        const auto& list = static_cast<const arrow::ListArray&>(*a[0].array());
        const int64_t row = a[0].Index(i);
        const int64_t n = list.value_length(row), first = list.value_offset(row);
        const int64_t pos = a[1].Int(i);
        if (pos == 0) {
          return UserError("INVALID_INDEX_OF_ZERO",
                           "The index 0 is invalid. An index shall be either < 0 or > 0 (the first "
                           "element has index 1).");
        }
        // Where the value goes, and how many nulls pad the gap when it lies outside the array.
        int64_t before, pad_before = 0, pad_after = 0;
        if (pos > 0) {
          before = std::min(pos - 1, n);
          pad_after = std::max<int64_t>(pos - 1 - n, 0);
        } else {
          const int64_t at = n + pos + 1;  // -1 appends after the last element
          before = std::max<int64_t>(at, 0);
          pad_before = std::max<int64_t>(-at, 0);
        }
        if (n + 1 + pad_before + pad_after > kMaxArrayLength) {
          return UserError("COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER",
                           "Can't create array with " +
                               std::to_string(n + 1 + pad_before + pad_after) +
                               " elements which exceeding the array size limit 2147483632.");
        }
        auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
        auto* vb = lb->value_builder();
        RETURN_NOT_OK(lb->Append());
        const auto& values = *list.values();
        const auto& item = *a[2].array();
        if (pad_before > 0) {
          RETURN_NOT_OK(vb->AppendArraySlice(*item.data(), a[2].Index(i), 1));
          RETURN_NOT_OK(vb->AppendNulls(pad_before));
          return vb->AppendArraySlice(*values.data(), first, n);
        }
        RETURN_NOT_OK(vb->AppendArraySlice(*values.data(), first, before));
        RETURN_NOT_OK(vb->AppendNulls(pad_after));
        RETURN_NOT_OK(vb->AppendArraySlice(*item.data(), a[2].Index(i), 1));
        return vb->AppendArraySlice(*values.data(), first + before, n - before);
      },
      false);
  return b;
}

}  // namespace

void RegisterMoreMapAndArrayFunctions(FunctionTable* table) {
  table->AddScalar("map_concat", BindMapConcat);
  table->AddScalar("map_from_entries", BindMapFromEntries);
  table->AddScalar("arrays_overlap", BindArraysOverlap);
  table->AddScalar("array_insert", BindArrayInsert);
}

}  // namespace basin::function
