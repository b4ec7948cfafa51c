#include "basin/exec/higher_order.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <arrow/array/concatenate.h>
#include <arrow/buffer_builder.h>
#include <arrow/compute/api.h>

namespace basin::exec {

namespace cp = arrow::compute;
using plan::Expr;
using ArrayPtr = std::shared_ptr<arrow::Array>;

namespace {

// Output rows are rebuilt from per-row element counts and validity flags.
struct Layout {
  std::vector<int32_t> offsets{0};
  arrow::TypedBufferBuilder<bool> validity;
  int64_t null_count = 0;

  Status Add(bool valid, int64_t count) {
    if (!valid) ++null_count;
    RETURN_NOT_OK(validity.Append(valid));
    const int64_t next = offsets.back() + (valid ? count : 0);
    if (next > std::numeric_limits<int32_t>::max()) {
      return UserError("COLLECTION_SIZE_LIMIT_EXCEEDED",
                       "Can't create an array with more than 2147483647 elements.");
    }
    offsets.push_back(static_cast<int32_t>(next));
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::Buffer>> OffsetBuffer() const {
    return arrow::Buffer::FromVector(offsets);
  }
  Result<std::shared_ptr<arrow::Buffer>> NullBitmap() {
    if (null_count == 0) return std::shared_ptr<arrow::Buffer>();
    std::shared_ptr<arrow::Buffer> out;
    RETURN_NOT_OK(validity.Finish(&out));
    return out;
  }
  int64_t length() const { return static_cast<int64_t>(offsets.size()) - 1; }
};

Result<ArrayPtr> MakeList(const std::shared_ptr<arrow::DataType>& type, Layout* layout,
                          ArrayPtr values) {
  ASSIGN_OR_RAISE(auto offsets, layout->OffsetBuffer());
  ASSIGN_OR_RAISE(auto bitmap, layout->NullBitmap());
  const auto& list_type = static_cast<const arrow::ListType&>(*type);
  if (!values->type()->Equals(*list_type.value_type())) {
    ASSIGN_OR_RAISE(auto cast, cp::Cast(values, list_type.value_type()));
    values = cast.make_array();
  }
  return std::make_shared<arrow::ListArray>(type, layout->length(), offsets, values, bitmap,
                                            layout->null_count);
}

Result<ArrayPtr> MakeMap(const std::shared_ptr<arrow::DataType>& type, Layout* layout,
                         ArrayPtr keys, ArrayPtr items) {
  ASSIGN_OR_RAISE(auto offsets, layout->OffsetBuffer());
  ASSIGN_OR_RAISE(auto bitmap, layout->NullBitmap());
  const auto& map_type = static_cast<const arrow::MapType&>(*type);
  if (!keys->type()->Equals(*map_type.key_type())) {
    ASSIGN_OR_RAISE(auto cast, cp::Cast(keys, map_type.key_type()));
    keys = cast.make_array();
  }
  if (!items->type()->Equals(*map_type.item_type())) {
    ASSIGN_OR_RAISE(auto cast, cp::Cast(items, map_type.item_type()));
    items = cast.make_array();
  }
  return std::make_shared<arrow::MapArray>(type, layout->length(), offsets, keys, items, bitmap,
                                           layout->null_count);
}

// Takes `indices` (absolute positions; -1 gives null) from `values`.
Result<ArrayPtr> TakeAt(const ArrayPtr& values, const std::vector<int64_t>& indices) {
  // A run of consecutive positions (every element of lists without gaps) is a slice.
  bool run = !indices.empty() && indices[0] >= 0;
  for (size_t k = 1; run && k < indices.size(); ++k) run = indices[k] == indices[k - 1] + 1;
  if (run && indices.back() < values->length()) {
    return values->Slice(indices[0], static_cast<int64_t>(indices.size()));
  }
  arrow::Int64Builder builder;
  RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(indices.size())));
  for (int64_t i : indices) {
    if (i < 0) {
      builder.UnsafeAppendNull();
    } else {
      builder.UnsafeAppend(i);
    }
  }
  ASSIGN_OR_RAISE(auto index_array, builder.Finish());
  ASSIGN_OR_RAISE(auto taken, cp::Take(values, index_array));
  return taken.make_array();
}

ArrayPtr Positions(const std::vector<int32_t>& positions) {
  arrow::Int32Builder builder;
  (void)builder.AppendValues(positions);
  std::shared_ptr<arrow::Array> out;
  (void)builder.Finish(&out);
  return out;
}

Result<std::shared_ptr<arrow::ListArray>> AsList(const ArrayPtr& array) {
  if (array->type_id() != arrow::Type::LIST && array->type_id() != arrow::Type::MAP) {
    return InternalError("higher-order function over " + array->type()->ToString());
  }
  return std::static_pointer_cast<arrow::ListArray>(array);
}

// The element rows of a list (or map) array: every element of every non-null row.
struct Elements {
  std::vector<int64_t> parents;    // input row of each element
  std::vector<int64_t> positions;  // absolute position in the list's values
  std::vector<int32_t> index;      // position within its row
};

Elements Flatten(const arrow::ListArray& list) {
  Elements out;
  const int64_t total = list.length() == 0
                            ? 0
                            : list.value_offset(list.length()) - list.value_offset(0);
  out.parents.reserve(static_cast<size_t>(total));
  out.positions.reserve(static_cast<size_t>(total));
  out.index.reserve(static_cast<size_t>(total));
  for (int64_t r = 0; r < list.length(); ++r) {
    if (list.IsNull(r)) continue;
    const int64_t begin = list.value_offset(r);
    const int32_t len = list.value_length(r);
    for (int32_t j = 0; j < len; ++j) {
      out.parents.push_back(r);
      out.positions.push_back(begin + j);
      out.index.push_back(j);
    }
  }
  return out;
}

Status DuplicateKey(const std::string& key) {
  return UserError("DUPLICATED_MAP_KEY",
                   "Duplicate map key " + key +
                       " was found, please check the input data. If you want to remove the "
                       "duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to "
                       "\"LAST_WIN\" so that the key inserted at last takes precedence.");
}

// Identity of a map key within one row (Spark compares keys by value).
Result<std::string> KeyText(const arrow::Array& keys, int64_t i) {
  ASSIGN_OR_RAISE(auto scalar, keys.GetScalar(i));
  return scalar->ToString();
}

Result<arrow::Datum> Transform(const Expr& expr, const arrow::ListArray& list,
                               const LambdaRunner& run) {
  const Expr& f = *expr.children[1];
  Elements e = Flatten(list);
  ASSIGN_OR_RAISE(auto elements, TakeAt(list.values(), e.positions));
  std::vector<arrow::Datum> params{arrow::Datum(elements)};
  if (f.lambda_params.size() > 1) params.emplace_back(Positions(e.index));
  ASSIGN_OR_RAISE(auto result, run(f, e.parents, std::move(params)));
  Layout layout;
  for (int64_t r = 0; r < list.length(); ++r) {
    RETURN_NOT_OK(layout.Add(list.IsValid(r), list.value_length(r)));
  }
  return MakeList(expr.type, &layout, result);
}

// Keeps the elements (or map entries) where the lambda is true.
Result<arrow::Datum> Filter(const Expr& expr, const arrow::ListArray& list,
                            const LambdaRunner& run) {
  const Expr& f = *expr.children[1];
  const bool is_map = list.type_id() == arrow::Type::MAP;
  Elements e = Flatten(list);
  std::vector<arrow::Datum> params;
  ArrayPtr keys, items;
  if (is_map) {
    const auto& map = static_cast<const arrow::MapArray&>(list);
    ASSIGN_OR_RAISE(keys, TakeAt(map.keys(), e.positions));
    ASSIGN_OR_RAISE(items, TakeAt(map.items(), e.positions));
    params = {arrow::Datum(keys), arrow::Datum(items)};
  } else {
    ASSIGN_OR_RAISE(items, TakeAt(list.values(), e.positions));
    params = {arrow::Datum(items)};
    if (f.lambda_params.size() > 1) params.emplace_back(Positions(e.index));
  }
  ASSIGN_OR_RAISE(auto result, run(f, e.parents, std::move(params)));
  const auto& keep = static_cast<const arrow::BooleanArray&>(*result);
  std::vector<int64_t> kept;
  std::vector<int64_t> counts(static_cast<size_t>(list.length()), 0);
  for (size_t k = 0; k < e.parents.size(); ++k) {
    auto i = static_cast<int64_t>(k);
    if (keep.IsValid(i) && keep.Value(i)) {
      kept.push_back(i);
      ++counts[static_cast<size_t>(e.parents[k])];
    }
  }
  Layout layout;
  for (int64_t r = 0; r < list.length(); ++r) {
    RETURN_NOT_OK(layout.Add(list.IsValid(r), counts[static_cast<size_t>(r)]));
  }
  ASSIGN_OR_RAISE(auto kept_items, TakeAt(items, kept));
  if (!is_map) return MakeList(expr.type, &layout, kept_items);
  ASSIGN_OR_RAISE(auto kept_keys, TakeAt(keys, kept));
  return MakeMap(expr.type, &layout, kept_keys, kept_items);
}

// exists: true if any element is true, else null if any is null, else false. forall: false if
// any is false, else null if any is null, else true. A null array gives null.
Result<arrow::Datum> ExistsOrForall(const Expr& expr, const arrow::ListArray& list,
                                    const LambdaRunner& run) {
  const bool exists = expr.higher_order == "exists";
  const Expr& f = *expr.children[1];
  Elements e = Flatten(list);
  ASSIGN_OR_RAISE(auto elements, TakeAt(list.values(), e.positions));
  ASSIGN_OR_RAISE(auto result, run(f, e.parents, {arrow::Datum(elements)}));
  const auto& values = static_cast<const arrow::BooleanArray&>(*result);
  // 0: no decision yet, 1: saw a null.
  std::vector<uint8_t> saw_null(static_cast<size_t>(list.length()), 0);
  std::vector<uint8_t> decided(static_cast<size_t>(list.length()), 0);
  for (size_t k = 0; k < e.parents.size(); ++k) {
    auto r = static_cast<size_t>(e.parents[k]);
    auto i = static_cast<int64_t>(k);
    if (values.IsNull(i)) {
      saw_null[r] = 1;
    } else if (values.Value(i) == exists) {
      decided[r] = 1;
    }
  }
  arrow::BooleanBuilder builder;
  RETURN_NOT_OK(builder.Reserve(list.length()));
  for (int64_t r = 0; r < list.length(); ++r) {
    auto i = static_cast<size_t>(r);
    if (list.IsNull(r)) {
      builder.UnsafeAppendNull();
    } else if (decided[i]) {
      builder.UnsafeAppend(exists);
    } else if (saw_null[i]) {
      builder.UnsafeAppendNull();
    } else {
      builder.UnsafeAppend(!exists);
    }
  }
  ASSIGN_OR_RAISE(auto out, builder.Finish());
  return arrow::Datum(out);
}

// aggregate(array, zero, merge[, finish]): folds each row's elements left to right. Step j
// runs `merge` once over every row that has a j-th element.
Result<arrow::Datum> Aggregate(const Expr& expr, const arrow::ListArray& list, ArrayPtr acc,
                               const LambdaRunner& run) {
  const Expr& merge = *expr.children[2];
  const int64_t n = list.length();
  int32_t longest = 0;
  for (int64_t r = 0; r < n; ++r) {
    if (list.IsValid(r)) longest = std::max(longest, list.value_length(r));
  }
  for (int32_t j = 0; j < longest; ++j) {
    std::vector<int64_t> active;
    std::vector<int64_t> positions;
    for (int64_t r = 0; r < n; ++r) {
      if (list.IsValid(r) && list.value_length(r) > j) {
        active.push_back(r);
        positions.push_back(list.value_offset(r) + j);
      }
    }
    const bool all = static_cast<int64_t>(active.size()) == n;
    ArrayPtr acc_in = acc;
    if (!all) { ASSIGN_OR_RAISE(acc_in, TakeAt(acc, active)); }
    ASSIGN_OR_RAISE(auto element, TakeAt(list.values(), positions));
    ASSIGN_OR_RAISE(auto next, run(merge, active, {arrow::Datum(acc_in), arrow::Datum(element)}));
    if (!next->type()->Equals(*acc->type())) {
      ASSIGN_OR_RAISE(auto cast, cp::Cast(next, acc->type()));
      next = cast.make_array();
    }
    if (all) {
      // Every row had a j-th element: the new accumulators are the whole column.
      acc = next;
      continue;
    }
    ASSIGN_OR_RAISE(auto both, arrow::Concatenate({acc, next}));
    std::vector<int64_t> pick(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; ++r) pick[static_cast<size_t>(r)] = r;
    for (size_t k = 0; k < active.size(); ++k) {
      pick[static_cast<size_t>(active[k])] = n + static_cast<int64_t>(k);
    }
    ASSIGN_OR_RAISE(acc, TakeAt(both, pick));
  }
  if (expr.children.size() > 3) {
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; ++r) rows[static_cast<size_t>(r)] = r;
    ASSIGN_OR_RAISE(acc, run(*expr.children[3], rows, {arrow::Datum(acc)}));
  }
  if (list.null_count() == 0) return arrow::Datum(acc);
  std::vector<int64_t> pick(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) pick[static_cast<size_t>(r)] = list.IsValid(r) ? r : -1;
  ASSIGN_OR_RAISE(auto out, TakeAt(acc, pick));
  return arrow::Datum(out);
}

// zip_with(a, b, f): pairs elements by position; the shorter array is padded with nulls.
Result<arrow::Datum> ZipWith(const Expr& expr, const arrow::ListArray& left,
                             const arrow::ListArray& right, const LambdaRunner& run) {
  std::vector<int64_t> parents, lpos, rpos;
  Layout layout;
  for (int64_t r = 0; r < left.length(); ++r) {
    const bool valid = left.IsValid(r) && right.IsValid(r);
    int32_t len = 0;
    if (valid) {
      const int32_t ln = left.value_length(r);
      const int32_t rn = right.value_length(r);
      len = std::max(ln, rn);
      for (int32_t j = 0; j < len; ++j) {
        parents.push_back(r);
        lpos.push_back(j < ln ? left.value_offset(r) + j : -1);
        rpos.push_back(j < rn ? right.value_offset(r) + j : -1);
      }
    }
    RETURN_NOT_OK(layout.Add(valid, len));
  }
  ASSIGN_OR_RAISE(auto x, TakeAt(left.values(), lpos));
  ASSIGN_OR_RAISE(auto y, TakeAt(right.values(), rpos));
  ASSIGN_OR_RAISE(auto result, run(*expr.children[2], parents, {arrow::Datum(x), arrow::Datum(y)}));
  return MakeList(expr.type, &layout, result);
}

// transform_keys / transform_values: a new key or value for every entry.
Result<arrow::Datum> TransformMap(const Expr& expr, const arrow::MapArray& map,
                                  const LambdaRunner& run) {
  const bool keys_change = expr.higher_order == "transform_keys";
  Elements e = Flatten(map);
  ASSIGN_OR_RAISE(auto keys, TakeAt(map.keys(), e.positions));
  ASSIGN_OR_RAISE(auto items, TakeAt(map.items(), e.positions));
  ASSIGN_OR_RAISE(auto result,
                  run(*expr.children[1], e.parents, {arrow::Datum(keys), arrow::Datum(items)}));
  Layout layout;
  for (int64_t r = 0; r < map.length(); ++r) {
    RETURN_NOT_OK(layout.Add(map.IsValid(r), map.value_length(r)));
  }
  if (!keys_change) return MakeMap(expr.type, &layout, keys, result);
  if (result->null_count() > 0) {
    return UserError("NULL_MAP_KEY", "Cannot use null as map key.");
  }
  // New keys must stay distinct within each map.
  std::unordered_set<std::string> seen;
  for (size_t k = 0; k < e.parents.size(); ++k) {
    if (k == 0 || e.parents[k] != e.parents[k - 1]) seen.clear();
    ASSIGN_OR_RAISE(auto text, KeyText(*result, static_cast<int64_t>(k)));
    if (!seen.insert(text).second) return DuplicateKey(text);
  }
  return MakeMap(expr.type, &layout, result, items);
}

// map_zip_with(m1, m2, (k, v1, v2) -> ...): every key of either map (m1's order, then m2's new
// keys), with the value of each map or null.
Result<arrow::Datum> MapZipWith(const Expr& expr, const arrow::MapArray& left,
                                const arrow::MapArray& right, const LambdaRunner& run) {
  const int64_t left_keys = left.keys()->length();
  ASSIGN_OR_RAISE(auto all_keys, arrow::Concatenate({left.keys(), right.keys()}));
  std::vector<int64_t> parents, key_pos, lpos, rpos;
  Layout layout;
  for (int64_t r = 0; r < left.length(); ++r) {
    const bool valid = left.IsValid(r) && right.IsValid(r);
    int64_t count = 0;
    if (valid) {
      std::unordered_map<std::string, size_t> where;  // key -> entry index in this row
      const size_t first = parents.size();
      for (int32_t j = 0; j < left.value_length(r); ++j) {
        const int64_t p = left.value_offset(r) + j;
        ASSIGN_OR_RAISE(auto text, KeyText(*left.keys(), p));
        where.emplace(text, parents.size() - first);
        parents.push_back(r);
        key_pos.push_back(p);
        lpos.push_back(p);
        rpos.push_back(-1);
      }
      for (int32_t j = 0; j < right.value_length(r); ++j) {
        const int64_t p = right.value_offset(r) + j;
        ASSIGN_OR_RAISE(auto text, KeyText(*right.keys(), p));
        auto it = where.find(text);
        if (it != where.end()) {
          rpos[first + it->second] = p;
          continue;
        }
        where.emplace(text, parents.size() - first);
        parents.push_back(r);
        key_pos.push_back(left_keys + p);
        lpos.push_back(-1);
        rpos.push_back(p);
      }
      count = static_cast<int64_t>(parents.size() - first);
    }
    RETURN_NOT_OK(layout.Add(valid, count));
  }
  ASSIGN_OR_RAISE(auto keys, TakeAt(all_keys, key_pos));
  ASSIGN_OR_RAISE(auto v1, TakeAt(left.items(), lpos));
  ASSIGN_OR_RAISE(auto v2, TakeAt(right.items(), rpos));
  ASSIGN_OR_RAISE(auto result, run(*expr.children[2], parents,
                                   {arrow::Datum(keys), arrow::Datum(v1), arrow::Datum(v2)}));
  return MakeMap(expr.type, &layout, keys, result);
}

// array_sort(array, (l, r) -> int): a stable sort by the comparator. The comparator runs over
// every pair of a row's elements at once (rows are processed in chunks of bounded pair count).
Result<arrow::Datum> SortWith(const Expr& expr, const arrow::ListArray& list,
                              const LambdaRunner& run) {
  const Expr& f = *expr.children[1];
  constexpr int64_t kMaxPairs = int64_t{1} << 22;
  const int64_t n = list.length();
  std::vector<int64_t> order;  // absolute value positions in output order
  order.reserve(static_cast<size_t>(n == 0 ? 0 : list.value_offset(n) - list.value_offset(0)));
  Layout layout;
  int64_t r = 0;
  while (r < n) {
    // Rows [r, end) whose pairs fit in one chunk (at least one row).
    int64_t end = r;
    int64_t pairs = 0;
    while (end < n) {
      const int64_t k = list.IsValid(end) ? list.value_length(end) : 0;
      if (end > r && pairs + k * k > kMaxPairs) break;
      pairs += k * k;
      ++end;
    }
    if (end == r + 1 && pairs > kMaxPairs) {
      // One long array: too many pairs to compare at once, so sort it comparing one pair at a
      // time (O(k log k) comparator calls).
      const int32_t k = list.value_length(r);
      const int64_t begin = list.value_offset(r);
      std::vector<int64_t> idx(static_cast<size_t>(k));
      for (int32_t i = 0; i < k; ++i) idx[static_cast<size_t>(i)] = begin + i;
      Status failure = Status::OK();
      std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
        if (!failure.ok()) return false;
        auto left = TakeAt(list.values(), {a});
        auto right = TakeAt(list.values(), {b});
        if (!left.ok() || !right.ok()) {
          failure = left.ok() ? right.status() : left.status();
          return false;
        }
        auto result = run(f, {r}, {arrow::Datum(*left), arrow::Datum(*right)});
        if (!result.ok()) {
          failure = result.status();
          return false;
        }
        const auto& cmp = static_cast<const arrow::Int32Array&>(**result);
        if (cmp.IsNull(0)) {
          failure = UserError("COMPARATOR_RETURNS_NULL",
                              "The comparator has returned a NULL for a comparison.");
          return false;
        }
        return cmp.Value(0) < 0;
      });
      RETURN_NOT_OK(failure);
      RETURN_NOT_OK(layout.Add(true, k));
      order.insert(order.end(), idx.begin(), idx.end());
      r = end;
      continue;
    }
    std::vector<int64_t> parents, lpos, rpos;
    parents.reserve(static_cast<size_t>(pairs));
    for (int64_t row = r; row < end; ++row) {
      if (list.IsNull(row)) continue;
      const int64_t begin = list.value_offset(row);
      const int32_t k = list.value_length(row);
      for (int32_t a = 0; a < k; ++a) {
        for (int32_t b = 0; b < k; ++b) {
          parents.push_back(row);
          lpos.push_back(begin + a);
          rpos.push_back(begin + b);
        }
      }
    }
    ASSIGN_OR_RAISE(auto left, TakeAt(list.values(), lpos));
    ASSIGN_OR_RAISE(auto right, TakeAt(list.values(), rpos));
    ASSIGN_OR_RAISE(auto result, run(f, parents, {arrow::Datum(left), arrow::Datum(right)}));
    const auto& cmp = static_cast<const arrow::Int32Array&>(*result);
    int64_t base = 0;  // first pair of the current row in `cmp`
    for (int64_t row = r; row < end; ++row) {
      const bool valid = list.IsValid(row);
      const int32_t k = valid ? list.value_length(row) : 0;
      RETURN_NOT_OK(layout.Add(valid, k));
      if (!valid) continue;
      for (int64_t p = base; p < base + int64_t{k} * k; ++p) {
        if (cmp.IsNull(p)) {
          ASSIGN_OR_RAISE(auto a, list.values()->GetScalar(lpos[static_cast<size_t>(p)]));
          ASSIGN_OR_RAISE(auto b, list.values()->GetScalar(rpos[static_cast<size_t>(p)]));
          return UserError("COMPARATOR_RETURNS_NULL",
                           "The comparator has returned a NULL for a comparison between " +
                               a->ToString() + " and " + b->ToString() +
                               ". It should return a positive integer for \"greater than\", 0 "
                               "for \"equal\" and a negative integer for \"less than\".");
        }
      }
      std::vector<int32_t> idx(static_cast<size_t>(k));
      for (int32_t i = 0; i < k; ++i) idx[static_cast<size_t>(i)] = i;
      std::stable_sort(idx.begin(), idx.end(), [&](int32_t a, int32_t b) {
        return cmp.Value(base + int64_t{a} * k + b) < 0;
      });
      const int64_t begin = list.value_offset(row);
      for (int32_t i : idx) order.push_back(begin + i);
      base += int64_t{k} * k;
    }
    r = end;
  }
  ASSIGN_OR_RAISE(auto values, TakeAt(list.values(), order));
  return MakeList(expr.type, &layout, values);
}

}  // namespace

Result<arrow::Datum> EvaluateHigherOrder(const plan::Expr& expr,
                                         const std::vector<std::shared_ptr<arrow::Array>>& values,
                                         int64_t length, const LambdaRunner& run_lambda) {
  const std::string& name = expr.higher_order;
  if (values.empty()) return InternalError(name + " without arguments");
  for (const auto& v : values) {
    if (v->length() != length) return InternalError(name + ": argument of the wrong length");
  }
  if (name == "aggregate") {
    if (values.size() != 2) return InternalError("aggregate takes an array and a start value");
    ASSIGN_OR_RAISE(auto list, AsList(values[0]));
    return Aggregate(expr, *list, values[1], run_lambda);
  }
  ASSIGN_OR_RAISE(auto first, AsList(values[0]));
  if (name == "transform") return Transform(expr, *first, run_lambda);
  if (name == "filter" || name == "map_filter") return Filter(expr, *first, run_lambda);
  if (name == "exists" || name == "forall") return ExistsOrForall(expr, *first, run_lambda);
  if (name == "array_sort") return SortWith(expr, *first, run_lambda);
  if (name == "transform_keys" || name == "transform_values") {
    return TransformMap(expr, static_cast<const arrow::MapArray&>(*first), run_lambda);
  }
  if (values.size() < 2) return InternalError(name + " takes two collections");
  ASSIGN_OR_RAISE(auto second, AsList(values[1]));
  if (name == "zip_with") return ZipWith(expr, *first, *second, run_lambda);
  if (name == "map_zip_with") {
    return MapZipWith(expr, static_cast<const arrow::MapArray&>(*first),
                      static_cast<const arrow::MapArray&>(*second), run_lambda);
  }
  return InternalError("unknown higher-order function " + name);
}

}  // namespace basin::exec
