// Spark 4's kll_sketch_* family over DataSketches KLL sketches stored as BINARY (kll_sketch.h):
//   kll_sketch_agg_{bigint,float,double}(x[, k])    aggregate: builds a sketch
//   kll_merge_agg_{bigint,float,double}(sketch[, k]) aggregate: merges sketches
//   kll_sketch_to_string_* / get_n_* / merge_* / get_quantile_* / get_rank_*   scalar
// Types, error classes and results follow Spark 4.2 (checked with pyspark 4.2). Spark finishes a
// sketch aggregate by merging the partial sketch into a fresh one (TypedImperativeAggregate's
// final phase); Finalize() does the same, so the bytes equal Spark's for the same input order.

#include <optional>

#include "basin/function/kernel_support.h"
#include "basin/function/kll_sketch.h"

namespace basin::function {

namespace {

using ArrayVector = std::vector<std::shared_ptr<arrow::Array>>;

template <typename T>
struct KllTraits;
template <>
struct KllTraits<int64_t> {
  static constexpr const char* kSuffix = "bigint";
  static TypePtr Type() { return arrow::int64(); }
  static int64_t Read(const ArgReader& r, int64_t i) { return r.Int(i); }
  static Status Append(OutBuilder& out, int64_t v) { return out.Int(v); }
  static Status AppendTo(arrow::ArrayBuilder* b, int64_t v) {
    return static_cast<arrow::Int64Builder*>(b)->Append(v);
  }
};
template <>
struct KllTraits<float> {
  static constexpr const char* kSuffix = "float";
  static TypePtr Type() { return arrow::float32(); }
  static float Read(const ArgReader& r, int64_t i) { return static_cast<float>(r.Double(i)); }
  static Status Append(OutBuilder& out, float v) { return out.Double(v); }
  static Status AppendTo(arrow::ArrayBuilder* b, float v) {
    return static_cast<arrow::FloatBuilder*>(b)->Append(v);
  }
};
template <>
struct KllTraits<double> {
  static constexpr const char* kSuffix = "double";
  static TypePtr Type() { return arrow::float64(); }
  static double Read(const ArgReader& r, int64_t i) { return r.Double(i); }
  static Status Append(OutBuilder& out, double v) { return out.Double(v); }
  static Status AppendTo(arrow::ArrayBuilder* b, double v) {
    return static_cast<arrow::DoubleBuilder*>(b)->Append(v);
  }
};

Status InvalidSketchBuffer(const std::string& name) {
  return UserError("KLL_INVALID_INPUT_SKETCH_BUFFER",
                   "Invalid call to `" + name +
                       "`; only valid KLL sketch buffers are supported as inputs (such as those "
                       "produced by the `kll_sketch_agg` function).");
}

Status QuantileRangeError(const std::string& name) {
  return UserError(
      "KLL_SKETCH_INVALID_QUANTILE_RANGE",
      "For function `" + name + "`, the quantile value must be between 0.0 and 1.0 (inclusive).");
}

// Spark reports a k outside [8, 65535] as a failed type check that wraps the KLL error.
Status CheckK(const std::string& name, int64_t k) {
  if (k >= KllSketch<double>::kMinK && k <= KllSketch<double>::kMaxK) return Status::OK();
  return DataTypeMismatch("TYPE_CHECK_FAILURE_WITH_HINT",
                          "Cannot resolve \"" + name +
                              "\" due to data type mismatch: [KLL_SKETCH_K_OUT_OF_RANGE] "
                              "For function `" +
                              name +
                              "`, the k parameter must be between 8 and 65535 (inclusive), "
                              "but got " +
                              std::to_string(k) + ". SQLSTATE: 22003.");
}

Status KMustNotBeNull(const std::string& name) {
  return DataTypeMismatch("UNEXPECTED_NULL", "Cannot resolve \"" + name +
                                                 "\" due to data type mismatch: The k must not "
                                                 "be null.");
}

// Reads a sketch argument; a malformed buffer is Spark's KLL_INVALID_INPUT_SKETCH_BUFFER.
template <typename T>
Result<KllSketch<T>> ReadSketch(const std::string& name, std::string_view bytes) {
  auto sketch = KllSketch<T>::Deserialize(bytes);
  if (!sketch.ok()) return InvalidSketchBuffer(name);
  return sketch.MoveValueUnsafe();
}

// ---------------------------------------------------------------------------------------------
// The aggregates. Build mode updates a sketch per group with values; merge mode merges sketch
// buffers. State is the group's serialized sketch (null while a merge group has none).
template <typename T>
class KllAccumulator : public GroupedAccumulator {
 public:
  KllAccumulator(std::string name, bool merge_mode, bool k_given, std::optional<int> k)
      : name_(std::move(name)), merge_mode_(merge_mode), k_given_(k_given), k_(k) {}

  Status Resize(int64_t n) override {
    groups_.resize(static_cast<size_t>(n));
    return Status::OK();
  }

  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (length == 0) return Status::OK();
    if (k_given_ && !k_) {
      // k was not a literal at analysis time (a constant expression): read it from the input.
      ArgReader kr(args[1]);
      if (kr.IsNull(0)) return KMustNotBeNull(name_);
      const int64_t k = kr.Int(0);
      RETURN_NOT_OK(CheckK(name_, k));
      k_ = static_cast<int>(k);
    }
    ArgReader x(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (x.IsNull(i)) continue;
      auto& group = groups_[g[i]];
      if (!merge_mode_) {
        if (!group) group.emplace(k_.value_or(KllSketch<T>::kDefaultK));
        group->Update(KllTraits<T>::Read(x, i));
        continue;
      }
      ASSIGN_OR_RAISE(auto input, ReadSketch<T>(name_, x.Str(i)));
      if (!group) group.emplace(k_given_ ? k_.value_or(KllSketch<T>::kDefaultK) : input.k());
      group->Merge(input);
    }
    return Status::OK();
  }

  Result<ArrayVector> State() override {
    arrow::BinaryBuilder b;
    for (const auto& group : groups_) {
      RETURN_NOT_OK(group ? b.Append(group->Serialize()) : b.AppendNull());
    }
    ARROW_ASSIGN_OR_RAISE(auto a, b.Finish());
    return ArrayVector{a};
  }

  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& bin = static_cast<const arrow::BinaryArray&>(*state[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (bin.IsNull(i)) continue;
      ASSIGN_OR_RAISE(auto partial, ReadSketch<T>(name_, bin.GetView(i)));
      auto& group = groups_[g[i]];
      if (!group) {
        group.emplace(std::move(partial));
      } else {
        group->Merge(partial);
      }
    }
    return Status::OK();
  }

  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::BinaryBuilder b;
    const int k = k_.value_or(KllSketch<T>::kDefaultK);
    for (const auto& group : groups_) {
      if (merge_mode_ && !k_given_ && group) {
        // Spark's merge buffer without k is the first partial sketch itself.
        RETURN_NOT_OK(b.Append(group->Serialize()));
        continue;
      }
      KllSketch<T> out(k);
      if (group) out.Merge(*group);
      RETURN_NOT_OK(b.Append(out.Serialize()));
    }
    return b.Finish();
  }

 private:
  std::string name_;
  bool merge_mode_;
  bool k_given_;
  std::optional<int> k_;
  std::vector<std::optional<KllSketch<T>>> groups_;
};

// The value types each sketch aggregate takes (Spark's ExpectsInputTypes: no implicit casts).
template <typename T>
Result<TypePtr> ValueArg(const std::string& name, const TypePtr& t) {
  const auto id = t->id();
  if constexpr (std::is_same_v<T, int64_t>) {
    if (IsIntegral(*t) || IsNull(*t)) return arrow::int64();
    return UnexpectedInputType(name, 0, "TINYINT\" or \"INT\" or \"BIGINT\" or \"SMALLINT", *t,
                               name);
  } else if constexpr (std::is_same_v<T, float>) {
    if (id == arrow::Type::FLOAT || IsNull(*t)) return arrow::float32();
    return UnexpectedInputType(name, 0, "FLOAT", *t, name);
  } else {
    if (id == arrow::Type::FLOAT || id == arrow::Type::DOUBLE || IsNull(*t)) {
      return arrow::float64();
    }
    return UnexpectedInputType(name, 0, "FLOAT\" or \"DOUBLE", *t, name);
  }
}

template <typename T>
ConstantAggregateBinder KllAggregateBinder(bool merge_mode) {
  return [merge_mode](const std::string& name, const std::vector<TypePtr>& args,
                      const std::vector<arrow::Datum>& constants) -> Result<BoundAggregate> {
    if (args.empty() || args.size() > 2) {
      return WrongNumArgs(name, "[1, 2]", args.size());
    }
    BoundAggregate b;
    b.name = name;
    if (merge_mode) {
      if (!(args[0]->id() == arrow::Type::BINARY || IsNull(*args[0]))) {
        return UnexpectedInputType(name, 0, "BINARY", *args[0], name);
      }
      b.arg_types.push_back(arrow::binary());
    } else {
      ASSIGN_OR_RAISE(auto t, ValueArg<T>(name, args[0]));
      b.arg_types.push_back(t);
    }
    const bool k_given = args.size() == 2;
    std::optional<int> k;
    if (k_given) {
      if (!(args[1]->id() == arrow::Type::INT32 || IsNull(*args[1]))) {
        return UnexpectedInputType(name, 1, "INT", *args[1], name);
      }
      b.arg_types.push_back(arrow::int32());
      if (constants.size() > 1 && constants[1].is_scalar()) {
        const auto& s = *constants[1].scalar();
        if (!s.is_valid) return KMustNotBeNull(name);
        const int64_t v = IsNull(*s.type) ? 0 : static_cast<const arrow::Int32Scalar&>(s).value;
        RETURN_NOT_OK(CheckK(name, v));
        k = static_cast<int>(v);
      }
    }
    b.return_type = arrow::binary();
    b.state_types = {arrow::binary()};
    b.make = [name, merge_mode, k_given,
              k](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<KllAccumulator<T>>(name, merge_mode, k_given, k);
    };
    return b;
  };
}

// ---------------------------------------------------------------------------------------------
// Scalar functions.
std::vector<double> RanksOf(const ArgReader& r, int64_t i, std::vector<bool>* nulls) {
  const auto& list = static_cast<const arrow::ListArray&>(*r.array());
  const int64_t row = r.Index(i);
  const auto& values = static_cast<const arrow::DoubleArray&>(*list.values());
  std::vector<double> out;
  for (int64_t j = list.value_offset(row); j < list.value_offset(row + 1); ++j) {
    nulls->push_back(values.IsNull(j));
    out.push_back(values.IsNull(j) ? 0.0 : values.Value(j));
  }
  return out;
}

template <typename T>
Result<BoundScalar> BindGetQuantile(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  if (!ImplicitCastTarget(args[0], arrow::binary())) {
    return UnexpectedInputType(name, 0, "BINARY", *args[0], name);
  }
  const bool is_array = args[1]->id() == arrow::Type::LIST;
  TypePtr rank_type;
  if (is_array) {
    const auto& element = static_cast<const arrow::ListType&>(*args[1]).value_type();
    if (ImplicitCastTarget(element, arrow::float64())) rank_type = arrow::list(arrow::float64());
  } else if (ImplicitCastTarget(args[1], arrow::float64())) {
    rank_type = arrow::float64();
  }
  if (!rank_type) {
    return UnexpectedInputType(name, 1, "DOUBLE\" or \"ARRAY<DOUBLE>", *args[1], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::binary(), rank_type};
  b.return_type = is_array ? arrow::list(KllTraits<T>::Type()) : KllTraits<T>::Type();
  b.kernel = RowKernel(
      b.return_type,
      [name, is_array](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                       const EvalContext&) -> Status {
        ASSIGN_OR_RAISE(auto sketch, ReadSketch<T>(name, a[0].Str(i)));
        if (!is_array) {
          auto q = sketch.Quantile(a[1].Double(i));
          if (!q.ok()) {
            return q.status().message().rfind("normalized rank", 0) == 0
                       ? QuantileRangeError(name)
                       : InvalidSketchBuffer(name);
          }
          return KllTraits<T>::Append(out, *q);
        }
        std::vector<bool> nulls;
        const auto ranks = RanksOf(a[1], i, &nulls);
        auto qs = sketch.Quantiles(ranks);
        if (!qs.ok()) {
          return qs.status().message().rfind("normalized rank", 0) == 0 ? QuantileRangeError(name)
                                                                        : InvalidSketchBuffer(name);
        }
        auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
        RETURN_NOT_OK(lb->Append());
        for (size_t j = 0; j < qs->size(); ++j) {
          RETURN_NOT_OK(nulls[j] ? lb->value_builder()->AppendNull()
                                 : KllTraits<T>::AppendTo(lb->value_builder(), (*qs)[j]));
        }
        return Status::OK();
      });
  return b;
}

// The quantile argument of get_rank: the sketch's item type, or an array of it. Spark casts
// integers and decimals to BIGINT for the bigint form, numbers to FLOAT/DOUBLE otherwise.
template <typename T>
TypePtr RankItemType(const TypePtr& t) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if (IsDecimal(*t)) return arrow::int64();
  } else {
    if (IsNumeric(*t)) return KllTraits<T>::Type();
  }
  return ImplicitCastTarget(t, KllTraits<T>::Type()) ? KllTraits<T>::Type() : nullptr;
}

template <typename T>
Result<BoundScalar> BindGetRank(const std::string& name, const std::vector<TypePtr>& args) {
  if (args.size() != 2) return WrongNumArgs(name, "2", args.size());
  if (!ImplicitCastTarget(args[0], arrow::binary())) {
    return UnexpectedInputType(name, 0, "BINARY", *args[0], name);
  }
  const bool is_array = args[1]->id() == arrow::Type::LIST;
  TypePtr item_type;
  if (is_array) {
    const auto& element = static_cast<const arrow::ListType&>(*args[1]).value_type();
    if (auto t = RankItemType<T>(element)) item_type = arrow::list(t);
  } else {
    item_type = RankItemType<T>(args[1]);
  }
  if (!item_type) {
    const std::string sql = SqlTypeName(*KllTraits<T>::Type());
    return UnexpectedInputType(name, 1, sql + "\" or \"ARRAY<" + sql + ">", *args[1], name);
  }
  BoundScalar b;
  b.name = name;
  b.arg_types = {arrow::binary(), item_type};
  b.return_type = is_array ? arrow::list(arrow::float64()) : arrow::float64();
  b.kernel =
      RowKernel(b.return_type,
                [name, is_array](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                                 const EvalContext&) -> Status {
                  ASSIGN_OR_RAISE(auto sketch, ReadSketch<T>(name, a[0].Str(i)));
                  if (!is_array) {
                    auto r = sketch.Rank(KllTraits<T>::Read(a[1], i));
                    if (!r.ok()) return InvalidSketchBuffer(name);
                    return out.Double(*r);
                  }
                  const auto& list = static_cast<const arrow::ListArray&>(*a[1].array());
                  const int64_t row = a[1].Index(i);
                  ArgReader values(arrow::Datum(list.values()));
                  auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
                  RETURN_NOT_OK(lb->Append());
                  auto* db = static_cast<arrow::DoubleBuilder*>(lb->value_builder());
                  for (int64_t j = list.value_offset(row); j < list.value_offset(row + 1); ++j) {
                    if (values.IsNull(j)) {
                      RETURN_NOT_OK(db->AppendNull());
                      continue;
                    }
                    auto r = sketch.Rank(KllTraits<T>::Read(values, j));
                    if (!r.ok()) return InvalidSketchBuffer(name);
                    RETURN_NOT_OK(db->Append(*r));
                  }
                  return Status::OK();
                });
  return b;
}

template <typename T>
void RegisterFamily(FunctionTable* table) {
  const std::string suffix = KllTraits<T>::kSuffix;
  table->AddAggregateWithConstants("kll_sketch_agg_" + suffix, KllAggregateBinder<T>(false));
  table->AddAggregateWithConstants("kll_merge_agg_" + suffix, KllAggregateBinder<T>(true));

  const std::string to_string = "kll_sketch_to_string_" + suffix;
  table->AddFixed(to_string, {arrow::binary()}, arrow::utf8(),
                  [to_string](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                              const EvalContext&) -> Status {
                    ASSIGN_OR_RAISE(auto sketch, ReadSketch<T>(to_string, a[0].Str(i)));
                    return out.Str(sketch.ToString());
                  });
  const std::string get_n = "kll_sketch_get_n_" + suffix;
  table->AddFixed(get_n, {arrow::binary()}, arrow::int64(),
                  [get_n](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                          const EvalContext&) -> Status {
                    ASSIGN_OR_RAISE(auto sketch, ReadSketch<T>(get_n, a[0].Str(i)));
                    return out.Int(static_cast<int64_t>(sketch.n()));
                  });
  const std::string merge = "kll_sketch_merge_" + suffix;
  table->AddFixed(merge, {arrow::binary(), arrow::binary()}, arrow::binary(),
                  [merge](const std::vector<ArgReader>& a, int64_t i, OutBuilder& out,
                          const EvalContext&) -> Status {
                    ASSIGN_OR_RAISE(auto left, ReadSketch<T>(merge, a[0].Str(i)));
                    ASSIGN_OR_RAISE(auto right, ReadSketch<T>(merge, a[1].Str(i)));
                    left.Merge(right);
                    return out.Str(left.Serialize());
                  });
  table->AddScalar("kll_sketch_get_quantile_" + suffix, BindGetQuantile<T>);
  table->AddScalar("kll_sketch_get_rank_" + suffix, BindGetRank<T>);
}

}  // namespace

void RegisterKllFunctions(FunctionTable* table) {
  RegisterFamily<int64_t>(table);
  RegisterFamily<float>(table);
  RegisterFamily<double>(table);
}

}  // namespace basin::function
