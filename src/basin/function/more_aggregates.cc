// More of Spark's aggregate functions as grouped accumulators: bit_and/or/xor, skewness and
// kurtosis, the regr_* family, listagg/string_agg, percentile_cont/percentile_disc,
// histogram_numeric, and the deterministic form of mode.
//
// The moment-based functions follow Spark's update and merge arithmetic operation by operation
// (the order of floating-point operations decides the last digits that Spark prints).

#include <algorithm>
#include <cmath>
#include <optional>

#include <arrow/compute/api.h>

#include "basin/function/cast.h"
#include "basin/function/kernel_support.h"
#include "basin/function/value_order.h"

namespace basin::function {

namespace {

using ArrayVector = std::vector<std::shared_ptr<arrow::Array>>;

std::shared_ptr<arrow::Array> AsArray(const arrow::Datum& d, int64_t length) {
  if (d.is_array()) return d.make_array();
  auto a = arrow::MakeArrayFromScalar(*d.scalar(), length);
  return a.ok() ? *a : nullptr;
}

Status CheckArgCount(const std::string& name, const std::vector<TypePtr>& args, size_t lo,
                     size_t hi) {
  if (args.size() >= lo && args.size() <= hi) return Status::OK();
  return WrongNumArgs(
      name,
      lo == hi ? std::to_string(lo) : "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
      args.size());
}

// An argument that Spark implicitly casts to DOUBLE (numbers and strings; NULL too).
Result<TypePtr> DoubleArg(const std::string& name, const TypePtr& t, size_t index,
                          const char* required) {
  if (IsNull(*t) || IsStringLike(*t) || IsNumeric(*t)) return arrow::float64();
  return UnexpectedInputType(name, index, required, *t, name);
}

// An argument of Spark's NumericType: numbers keep their type, strings become double.
Result<TypePtr> NumericTypeArg(const std::string& name, const TypePtr& t, size_t index) {
  if (IsNull(*t) || IsStringLike(*t)) return arrow::float64();
  if (IsNumeric(*t)) return t;
  return UnexpectedInputType(name, index, "NUMERIC", *t, name);
}

Result<std::shared_ptr<arrow::Array>> DoubleColumn(const std::vector<double>& v) {
  arrow::DoubleBuilder b;
  RETURN_NOT_OK(b.AppendValues(v));
  return b.Finish();
}

const double* DoubleValues(const std::shared_ptr<arrow::Array>& a) {
  return static_cast<const arrow::DoubleArray&>(*a).raw_values();
}

// ---------------------------------------------------------------------------------------------
// bit_and, bit_or, bit_xor over an integral type; the result has the input type.
enum class BitKind { kAnd, kOr, kXor };

class BitAccumulator : public GroupedAccumulator {
 public:
  BitAccumulator(BitKind kind, TypePtr type) : kind_(kind), type_(std::move(type)) {}
  Status Resize(int64_t n) override {
    value_.resize(static_cast<size_t>(n), 0);
    set_.resize(static_cast<size_t>(n), false);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader r(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (r.IsNull(i)) continue;
      const int64_t v = r.Int(i);
      int64_t& cur = value_[g[i]];
      if (!set_[g[i]]) {
        cur = v;
        set_[g[i]] = true;
        continue;
      }
      switch (kind_) {
        case BitKind::kAnd:
          cur &= v;
          break;
        case BitKind::kOr:
          cur |= v;
          break;
        case BitKind::kXor:
          cur ^= v;
          break;
      }
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto a, Finalize());
    return ArrayVector{a};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    return Update({arrow::Datum(state[0])}, g, length);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(type_, static_cast<int64_t>(value_.size())));
    for (size_t k = 0; k < value_.size(); ++k) {
      // Values of a narrower type stay in range: and/or/xor of sign-extended values is the
      // sign extension of the narrow result.
      RETURN_NOT_OK(set_[k] ? out->Int(value_[k]) : out->Null());
    }
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return d.make_array();
  }

 private:
  BitKind kind_;
  TypePtr type_;
  std::vector<int64_t> value_;
  std::vector<bool> set_;
};

AggregateBinder BitBinder(BitKind kind) {
  return
      [kind](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
        RETURN_NOT_OK(CheckArgCount(name, args, 1, 1));
        TypePtr t = args[0];
        if (IsNull(*t)) {
          t = arrow::int32();
        } else if (!IsIntegral(*t)) {
          return UnexpectedInputType(name, 0, "INTEGRAL", *t, name);
        }
        BoundAggregate b;
        b.name = name;
        b.arg_types = {t};
        b.return_type = t;
        b.state_types = {t};
        b.ignores_duplicates = kind != BitKind::kXor;
        b.make = [kind, t](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
          return std::make_unique<BitAccumulator>(kind, t);
        };
        return b;
      };
}

// ---------------------------------------------------------------------------------------------
// skewness and kurtosis: Spark's one-pass central moments up to the fourth order.
struct Moments {
  double n = 0, avg = 0, m2 = 0, m3 = 0, m4 = 0;

  void Add(double x) {
    const double new_n = n + 1.0;
    const double delta = x - avg;
    const double delta_n = delta / new_n;
    const double new_m2 = m2 + delta * (delta - delta_n);
    const double delta2 = delta * delta;
    const double delta_n2 = delta_n * delta_n;
    const double new_m3 = m3 - 3.0 * delta_n * new_m2 + delta * (delta2 - delta_n2);
    const double new_m4 = m4 - 4.0 * delta_n * new_m3 - 6.0 * delta_n2 * new_m2 +
                          delta * (delta * delta2 - delta_n * delta_n2);
    n = new_n;
    avg = avg + delta_n;
    m2 = new_m2;
    m3 = new_m3;
    m4 = new_m4;
  }

  void Combine(const Moments& o) {
    const double n1 = n, n2 = o.n;
    const double new_n = n1 + n2;
    const double delta = o.avg - avg;
    const double delta_n = new_n == 0.0 ? 0.0 : delta / new_n;
    const double new_avg = avg + delta_n * n2;
    const double new_m2 = m2 + o.m2 + delta * delta_n * n1 * n2;
    const double new_m3 = m3 + o.m3 + delta_n * delta_n * delta * n1 * n2 * (n1 - n2) +
                          3.0 * delta_n * (n1 * o.m2 - n2 * m2);
    const double new_m4 =
        m4 + o.m4 + delta_n * delta_n * delta_n * delta * n1 * n2 * (n1 * n1 - n1 * n2 + n2 * n2) +
        6.0 * delta_n * delta_n * (n1 * n1 * o.m2 + n2 * n2 * m2) +
        4.0 * delta_n * (n1 * o.m3 - n2 * m3);
    n = new_n;
    avg = new_avg;
    m2 = new_m2;
    m3 = new_m3;
    m4 = new_m4;
  }
};

class MomentsAccumulator : public GroupedAccumulator {
 public:
  explicit MomentsAccumulator(bool kurtosis) : kurtosis_(kurtosis) {}
  Status Resize(int64_t n) override {
    m_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader x(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (!x.IsNull(i)) m_[g[i]].Add(x.Double(i));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ArrayVector out;
    for (double Moments::*field :
         {&Moments::n, &Moments::avg, &Moments::m2, &Moments::m3, &Moments::m4}) {
      std::vector<double> v;
      v.reserve(m_.size());
      for (const auto& m : m_) v.push_back(m.*field);
      ARROW_ASSIGN_OR_RAISE(auto a, DoubleColumn(v));
      out.push_back(a);
    }
    return out;
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    for (int64_t i = 0; i < length; ++i) {
      Moments o{DoubleValues(state[0])[i], DoubleValues(state[1])[i], DoubleValues(state[2])[i],
                DoubleValues(state[3])[i], DoubleValues(state[4])[i]};
      m_[g[i]].Combine(o);
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::DoubleBuilder b;
    for (const auto& partial : m_) {
      // As Spark's final aggregation: the partial buffer merged into an empty one.
      Moments m;
      m.Combine(partial);
      // Spark 4 returns NULL (not NaN) when the variance is zero
      // (spark.sql.legacy.statisticalAggregate=false).
      if (m.n == 0.0 || m.m2 == 0.0) {
        RETURN_NOT_OK(b.AppendNull());
      } else if (kurtosis_) {
        RETURN_NOT_OK(b.Append(m.n * m.m4 / (m.m2 * m.m2) - 3.0));
      } else {
        RETURN_NOT_OK(b.Append(std::sqrt(m.n) * m.m3 / std::sqrt(m.m2 * m.m2 * m.m2)));
      }
    }
    return b.Finish();
  }

 private:
  bool kurtosis_;
  std::vector<Moments> m_;
};

AggregateBinder MomentsBinder(bool kurtosis) {
  return [kurtosis](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    RETURN_NOT_OK(CheckArgCount(name, args, 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto t, DoubleArg(name, args[0], 0, "DOUBLE"));
    BoundAggregate b;
    b.name = name;
    b.arg_types = {t};
    b.return_type = arrow::float64();
    b.state_types.assign(5, arrow::float64());
    b.make = [kurtosis](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<MomentsAccumulator>(kurtosis);
    };
    return b;
  };
}

// ---------------------------------------------------------------------------------------------
// The regr_* family over the rows where both y (argument 0) and x (argument 1) are non-null.
enum class RegrKind { kCount, kSxx, kSyy, kSxy, kSlope, kIntercept, kR2 };

// Spark's Pearson-correlation buffer for a pair (a, b): count, means, co-moment and the second
// moments of a and b.
struct PairMoments {
  double n = 0, a_avg = 0, b_avg = 0, ck = 0, a_mk = 0, b_mk = 0;

  void Add(double a, double b) {
    const double new_n = n + 1.0;
    const double da = a - a_avg;
    const double da_n = da / new_n;
    const double db = b - b_avg;
    const double db_n = db / new_n;
    const double new_a_avg = a_avg + da_n;
    const double new_b_avg = b_avg + db_n;
    ck = ck + da * (b - new_b_avg);
    a_mk = a_mk + da * (a - new_a_avg);
    b_mk = b_mk + db * (b - new_b_avg);
    n = new_n;
    a_avg = new_a_avg;
    b_avg = new_b_avg;
  }

  void Combine(const PairMoments& o) {
    const double n1 = n, n2 = o.n;
    const double new_n = n1 + n2;
    const double da = o.a_avg - a_avg;
    const double da_n = new_n == 0.0 ? 0.0 : da / new_n;
    const double db = o.b_avg - b_avg;
    const double db_n = new_n == 0.0 ? 0.0 : db / new_n;
    a_avg = a_avg + da_n * n2;
    b_avg = b_avg + db_n * n2;
    ck = ck + o.ck + da * db_n * n1 * n2;
    a_mk = a_mk + o.a_mk + da * da_n * n1 * n2;
    b_mk = b_mk + o.b_mk + db * db_n * n1 * n2;
    n = new_n;
  }
};

// Spark's second-order central moment buffer of one variable.
struct SingleMoments {
  double n = 0, avg = 0, m2 = 0;

  void Add(double x) {
    const double new_n = n + 1.0;
    const double delta = x - avg;
    const double delta_n = delta / new_n;
    m2 = m2 + delta * (delta - delta_n);
    avg = avg + delta_n;
    n = new_n;
  }

  void Combine(const SingleMoments& o) {
    const double n1 = n, n2 = o.n;
    const double new_n = n1 + n2;
    const double delta = o.avg - avg;
    const double delta_n = new_n == 0.0 ? 0.0 : delta / new_n;
    avg = avg + delta_n * n2;
    m2 = m2 + o.m2 + delta * delta_n * n1 * n2;
    n = new_n;
  }
};

class RegrAccumulator : public GroupedAccumulator {
 public:
  static constexpr int kStateFields = 9;

  explicit RegrAccumulator(RegrKind kind) : kind_(kind) {}
  Status Resize(int64_t n) override {
    pairs_.resize(static_cast<size_t>(n));
    single_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader y(args[0]), x(args[1]);
    for (int64_t i = 0; i < length; ++i) {
      if (y.IsNull(i) || x.IsNull(i)) continue;
      if (kind_ == RegrKind::kCount) {
        pairs_[g[i]].n += 1.0;
        continue;
      }
      const double yv = y.Double(i), xv = x.Double(i);
      switch (kind_) {
        case RegrKind::kSxx:
          single_[g[i]].Add(xv);
          break;
        case RegrKind::kSyy:
          single_[g[i]].Add(yv);
          break;
        case RegrKind::kSxy:
        case RegrKind::kR2:
          pairs_[g[i]].Add(yv, xv);
          break;
        case RegrKind::kSlope:
        case RegrKind::kIntercept:
          // Spark computes covar_pop(x, y) and var_pop(x).
          pairs_[g[i]].Add(xv, yv);
          single_[g[i]].Add(xv);
          break;
        case RegrKind::kCount:
          break;
      }
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    std::vector<std::vector<double>> cols(kStateFields);
    for (size_t k = 0; k < pairs_.size(); ++k) {
      const PairMoments& p = pairs_[k];
      const SingleMoments& s = single_[k];
      const double v[kStateFields] = {p.n,    p.a_avg, p.b_avg, p.ck, p.a_mk,
                                      p.b_mk, s.n,     s.avg,   s.m2};
      for (int f = 0; f < kStateFields; ++f) cols[f].push_back(v[f]);
    }
    ArrayVector out;
    for (const auto& c : cols) {
      ARROW_ASSIGN_OR_RAISE(auto a, DoubleColumn(c));
      out.push_back(a);
    }
    return out;
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    for (int64_t i = 0; i < length; ++i) {
      auto f = [&](int k) { return DoubleValues(state[k])[i]; };
      pairs_[g[i]].Combine(PairMoments{f(0), f(1), f(2), f(3), f(4), f(5)});
      single_[g[i]].Combine(SingleMoments{f(6), f(7), f(8)});
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    if (kind_ == RegrKind::kCount) {
      arrow::Int64Builder b;
      for (const auto& p : pairs_) RETURN_NOT_OK(b.Append(static_cast<int64_t>(p.n)));
      return b.Finish();
    }
    arrow::DoubleBuilder b;
    for (size_t k = 0; k < pairs_.size(); ++k) {
      // Spark's final aggregation merges the partial buffer into an empty one, which can move the
      // means by an ulp; do the same so that the intercept matches.
      PairMoments p;
      p.Combine(pairs_[k]);
      SingleMoments s;
      s.Combine(single_[k]);
      std::optional<double> v;
      switch (kind_) {
        case RegrKind::kSxx:
        case RegrKind::kSyy:
          if (s.n != 0.0) v = s.m2;
          break;
        case RegrKind::kSxy:
          if (p.n != 0.0) v = p.ck;
          break;
        case RegrKind::kSlope:
          if (s.m2 != 0.0) v = p.ck / s.m2;
          break;
        case RegrKind::kIntercept:
          if (s.m2 != 0.0) v = p.b_avg - p.ck / s.m2 * p.a_avg;
          break;
        case RegrKind::kR2:
          // a is y and b is x: no variance in x gives NULL, none in y gives 1.
          if (p.b_mk == 0.0) break;
          if (p.a_mk == 0.0) {
            v = 1.0;
          } else {
            const double corr = p.ck / std::sqrt(p.a_mk * p.b_mk);
            v = corr * corr;
          }
          break;
        case RegrKind::kCount:
          break;
      }
      RETURN_NOT_OK(v ? b.Append(*v) : b.AppendNull());
    }
    return b.Finish();
  }

 private:
  RegrKind kind_;
  std::vector<PairMoments> pairs_;
  std::vector<SingleMoments> single_;
};

AggregateBinder RegrBinder(RegrKind kind) {
  return
      [kind](const std::string& name, const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
        RETURN_NOT_OK(CheckArgCount(name, args, 2, 2));
        BoundAggregate b;
        b.name = name;
        for (size_t i = 0; i < 2; ++i) {
          TypePtr t;
          if (kind == RegrKind::kCount) {
            ARROW_ASSIGN_OR_RAISE(t, NumericTypeArg(name, args[i], i));
          } else {
            ARROW_ASSIGN_OR_RAISE(t, DoubleArg(name, args[i], i, "DOUBLE"));
          }
          b.arg_types.push_back(t);
        }
        b.return_type = kind == RegrKind::kCount ? arrow::int64() : arrow::float64();
        b.state_types.assign(RegrAccumulator::kStateFields, arrow::float64());
        b.make = [kind](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
          return std::make_unique<RegrAccumulator>(kind);
        };
        return b;
      };
}

// regr_avgx / regr_avgy: avg of one argument over the rows where the other is non-null too; the
// avg accumulator does the work, so the result type follows avg (double, or a wider decimal).
class PairFilterAccumulator : public GroupedAccumulator {
 public:
  PairFilterAccumulator(std::unique_ptr<GroupedAccumulator> inner, int value_arg)
      : inner_(std::move(inner)), value_arg_(value_arg) {}
  Status Resize(int64_t n) override { return inner_->Resize(n); }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader y(args[0]), x(args[1]);
    arrow::Int64Builder rows;
    std::vector<uint32_t> groups;
    for (int64_t i = 0; i < length; ++i) {
      if (y.IsNull(i) || x.IsNull(i)) continue;
      RETURN_NOT_OK(rows.Append(i));
      groups.push_back(g[i]);
    }
    if (groups.empty()) return Status::OK();
    ARROW_ASSIGN_OR_RAISE(auto indices, rows.Finish());
    auto values = AsArray(args[static_cast<size_t>(value_arg_)], length);
    if (!values) return InternalError("regr: cannot materialize argument");
    ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(values, indices));
    return inner_->Update({taken}, groups.data(), static_cast<int64_t>(groups.size()));
  }
  Result<ArrayVector> State() override { return inner_->State(); }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    return inner_->Merge(state, g, length);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override { return inner_->Finalize(); }

 private:
  std::unique_ptr<GroupedAccumulator> inner_;
  int value_arg_;
};

AggregateBinder RegrAvgBinder(int value_arg) {
  return [value_arg](const std::string& name,
                     const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    RETURN_NOT_OK(CheckArgCount(name, args, 2, 2));
    std::vector<TypePtr> types;
    for (size_t i = 0; i < 2; ++i) {
      ARROW_ASSIGN_OR_RAISE(auto t, NumericTypeArg(name, args[i], i));
      types.push_back(t);
    }
    ARROW_ASSIGN_OR_RAISE(
        auto avg, BuiltinRegistry().BindAggregate("avg", {types[static_cast<size_t>(value_arg)]}));
    BoundAggregate b;
    b.name = name;
    b.arg_types = types;
    b.arg_types[static_cast<size_t>(value_arg)] = avg.arg_types[0];
    b.return_type = avg.return_type;
    b.state_types = avg.state_types;
    auto make_avg = avg.make;
    b.make = [make_avg, value_arg](const EvalContext& ctx) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<PairFilterAccumulator>(make_avg(ctx), value_arg);
    };
    return b;
  };
}

// ---------------------------------------------------------------------------------------------
// listagg / string_agg: the non-null values joined by a constant delimiter, in input order.
// State: the joined text so far and the delimiter (so that a fresh accumulator can merge).
class ListAggAccumulator : public GroupedAccumulator {
 public:
  explicit ListAggAccumulator(TypePtr type) : type_(std::move(type)) {}
  Status Resize(int64_t n) override {
    text_.resize(static_cast<size_t>(n));
    set_.resize(static_cast<size_t>(n), false);
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    ArgReader v(args[0]);
    if (args.size() > 1 && length > 0) {
      ArgReader d(args[1]);
      delimiter_ = d.IsNull(0) ? "" : std::string(d.Str(0));
    }
    for (int64_t i = 0; i < length; ++i) {
      if (!v.IsNull(i)) Append(g[i], v.Str(i));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto text, Finalize());
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(type_, static_cast<int64_t>(text_.size())));
    for (size_t k = 0; k < text_.size(); ++k) RETURN_NOT_OK(out->Str(delimiter_));
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return ArrayVector{text, d.make_array()};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    ArgReader v{arrow::Datum(state[0])}, d{arrow::Datum(state[1])};
    if (length > 0 && !d.IsNull(0)) delimiter_ = std::string(d.Str(0));
    for (int64_t i = 0; i < length; ++i) {
      if (!v.IsNull(i)) Append(g[i], v.Str(i));
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    ARROW_ASSIGN_OR_RAISE(auto out, OutBuilder::Make(type_, static_cast<int64_t>(text_.size())));
    for (size_t k = 0; k < text_.size(); ++k) {
      RETURN_NOT_OK(set_[k] ? out->Str(text_[k]) : out->Null());
    }
    ARROW_ASSIGN_OR_RAISE(auto d, out->Finish(false));
    return d.make_array();
  }

 private:
  void Append(uint32_t g, std::string_view s) {
    if (set_[g]) text_[g] += delimiter_;
    text_[g] += s;
    set_[g] = true;
  }

  TypePtr type_;
  std::string delimiter_;
  std::vector<std::string> text_;
  std::vector<bool> set_;
};

bool IsBinary(const arrow::DataType& t) {
  return t.id() == arrow::Type::BINARY || t.id() == arrow::Type::LARGE_BINARY;
}

Result<BoundAggregate> BindListAgg(const std::string& name, const std::vector<TypePtr>& args) {
  RETURN_NOT_OK(CheckArgCount(name, args, 1, 2));
  TypePtr t = args[0];
  if (IsNull(*t)) {
    t = arrow::utf8();
  } else if (IsBinary(*t)) {
    t = arrow::binary();
  } else if (!ImplicitCastTarget(t, arrow::utf8())) {
    return DataTypeMismatch("UNEXPECTED_INPUT_TYPE",
                            "Cannot resolve \"" + name +
                                "\" due to data type mismatch: The first parameter requires the "
                                "(\"STRING\" or \"BINARY\") type, however the argument has the "
                                "type \"" +
                                SqlTypeName(*t) + "\".");
  } else {
    t = arrow::utf8();
  }
  BoundAggregate b;
  b.name = name;
  b.arg_types = {t};
  if (args.size() == 2) {
    const TypePtr& d = args[1];
    const bool mismatch = IsNull(*d)     ? false
                          : IsBinary(*t) ? !IsBinary(*d)
                                         : IsBinary(*d) || !ImplicitCastTarget(d, arrow::utf8());
    if (mismatch) {
      return DataTypeMismatch("DATA_DIFF_TYPES",
                              "Cannot resolve \"" + name +
                                  "\" due to data type mismatch: Input to `" + name +
                                  "` should all be the same type, but it's (\"" +
                                  SqlTypeName(*args[0]) + "\" or \"" + SqlTypeName(*d) + "\").");
    }
    b.arg_types.push_back(t);
  }
  b.return_type = t;
  b.state_types = {t, t};
  b.make = [t](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
    return std::make_unique<ListAggAccumulator>(t);
  };
  return b;
}

// ---------------------------------------------------------------------------------------------
// percentile_cont(x, p [, descending]) / percentile_disc(x, p [, descending]): the SQL forms
// `percentile_cont(p) WITHIN GROUP (ORDER BY x [DESC])`. The optional constant boolean sorts the
// values in descending order, as ORDER BY x DESC does.
class OrderedPercentileAccumulator : public GroupedAccumulator {
 public:
  explicit OrderedPercentileAccumulator(bool discrete) : discrete_(discrete) {}
  Status Resize(int64_t n) override {
    values_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (length == 0) return Status::OK();
    if (!fraction_) {
      ArgReader p(args[1]);
      if (p.IsNull(0)) {
        return DataTypeMismatch("UNEXPECTED_NULL",
                                "Cannot resolve \"" + Name() +
                                    "\" due to data type mismatch: The percentage must not be "
                                    "null.");
      }
      const double v = p.Double(0);
      if (!(v >= 0.0 && v <= 1.0)) {
        return DataTypeMismatch("VALUE_OUT_OF_RANGE",
                                "Cannot resolve \"" + Name() +
                                    "\" due to data type mismatch: The percentage must be "
                                    "between [0.0, 1.0] (current value = " +
                                    DoubleText(v) + ").");
      }
      fraction_ = v;
      if (args.size() > 2) {
        ArgReader d(args[2]);
        descending_ = !d.IsNull(0) && d.Bool(0);
      }
    }
    ArgReader x(args[0]);
    for (int64_t i = 0; i < length; ++i) {
      if (!x.IsNull(i)) values_[g[i]].push_back(x.Double(i));
    }
    return Status::OK();
  }
  Result<ArrayVector> State() override {
    arrow::ListBuilder lb(arrow::default_memory_pool(), std::make_shared<arrow::DoubleBuilder>());
    auto* vb = static_cast<arrow::DoubleBuilder*>(lb.value_builder());
    arrow::DoubleBuilder fb;
    arrow::BooleanBuilder db;
    for (const auto& v : values_) {
      RETURN_NOT_OK(lb.Append());
      RETURN_NOT_OK(vb->AppendValues(v));
      RETURN_NOT_OK(fraction_ ? fb.Append(*fraction_) : fb.AppendNull());
      RETURN_NOT_OK(db.Append(descending_));
    }
    ARROW_ASSIGN_OR_RAISE(auto lists, lb.Finish());
    ARROW_ASSIGN_OR_RAISE(auto fractions, fb.Finish());
    ARROW_ASSIGN_OR_RAISE(auto descending, db.Finish());
    return ArrayVector{lists, fractions, descending};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& lists = static_cast<const arrow::ListArray&>(*state[0]);
    const auto& vals = static_cast<const arrow::DoubleArray&>(*lists.values());
    const auto& fractions = static_cast<const arrow::DoubleArray&>(*state[1]);
    const auto& descending = static_cast<const arrow::BooleanArray&>(*state[2]);
    for (int64_t i = 0; i < length; ++i) {
      if (!fraction_ && fractions.IsValid(i)) {
        fraction_ = fractions.Value(i);
        descending_ = descending.Value(i);
      }
      auto& target = values_[g[i]];
      for (int64_t j = lists.value_offset(i); j < lists.value_offset(i + 1); ++j) {
        target.push_back(vals.Value(j));
      }
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::DoubleBuilder b;
    const double p = fraction_.value_or(0.5);
    for (auto& v : values_) {
      if (v.empty()) {
        RETURN_NOT_OK(b.AppendNull());
        continue;
      }
      // Spark orders doubles with NaN above every number.
      auto less = [](double a, double c) {
        if (std::isnan(c)) return !std::isnan(a);
        return a < c;
      };
      std::sort(v.begin(), v.end(), less);
      if (descending_) std::reverse(v.begin(), v.end());
      const int64_t n = static_cast<int64_t>(v.size());
      if (discrete_) {
        // The first value whose cumulative distribution reaches p.
        int64_t idx = static_cast<int64_t>(std::ceil(p * static_cast<double>(n))) - 1;
        idx = std::clamp<int64_t>(idx, 0, n - 1);
        RETURN_NOT_OK(b.Append(v[static_cast<size_t>(idx)]));
        continue;
      }
      const double position = static_cast<double>(n - 1) * p;
      const double lower = std::floor(position), higher = std::ceil(position);
      const double lo = v[static_cast<size_t>(lower)], hi = v[static_cast<size_t>(higher)];
      if (lower == higher || lo == hi) {
        RETURN_NOT_OK(b.Append(lo));
      } else {
        RETURN_NOT_OK(b.Append((higher - position) * lo + (position - lower) * hi));
      }
    }
    return b.Finish();
  }

 private:
  std::string Name() const { return discrete_ ? "percentile_disc" : "percentile_cont"; }
  static std::string DoubleText(double v) {
    auto text = ValueToString(*arrow::MakeArrayFromScalar(arrow::DoubleScalar(v), 1).ValueOrDie(),
                              0, EvalContext());
    return (text.ok() ? *text : std::to_string(v)) + "D";
  }

  bool discrete_;
  std::optional<double> fraction_;
  bool descending_ = false;
  std::vector<std::vector<double>> values_;
};

AggregateBinder OrderedPercentileBinder(bool discrete) {
  return [discrete](const std::string& name,
                    const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
    RETURN_NOT_OK(CheckArgCount(name, args, 2, 3));
    ARROW_ASSIGN_OR_RAISE(auto t, NumericTypeArg(name, args[0], 0));
    if (!(IsNull(*args[1]) || IsNumeric(*args[1]) || IsStringLike(*args[1]))) {
      return UnexpectedInputType(name, 1, "DOUBLE", *args[1], name);
    }
    BoundAggregate b;
    b.name = name;
    b.arg_types = {t, arrow::float64()};
    if (args.size() == 3) {
      if (!ImplicitCastTarget(args[2], arrow::boolean())) {
        return UnexpectedInputType(name, 2, "BOOLEAN", *args[2], name);
      }
      b.arg_types.push_back(arrow::boolean());
    }
    b.return_type = arrow::float64();
    b.state_types = {arrow::list(arrow::float64()), arrow::float64(), arrow::boolean()};
    b.make = [discrete](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
      return std::make_unique<OrderedPercentileAccumulator>(discrete);
    };
    return b;
  };
}

// ---------------------------------------------------------------------------------------------
// mode(x, deterministic): with deterministic = true, ties go to the lowest value. The
// single-argument mode's accumulator keeps (values, counts) lists per group in its state; this
// wrapper reads them at the end.
class DeterministicModeAccumulator : public GroupedAccumulator {
 public:
  explicit DeterministicModeAccumulator(std::unique_ptr<GroupedAccumulator> inner)
      : inner_(std::move(inner)) {}
  Status Resize(int64_t n) override { return inner_->Resize(n); }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (length > 0 && !deterministic_) {
      ArgReader d(args[1]);
      deterministic_ = !d.IsNull(0) && d.Bool(0);
    }
    return inner_->Update({args[0]}, g, length);
  }
  // The state is the single-argument mode's state plus the flag.
  Result<ArrayVector> State() override {
    ARROW_ASSIGN_OR_RAISE(auto state, inner_->State());
    arrow::BooleanBuilder flags;
    for (int64_t k = 0; k < state[0]->length(); ++k) RETURN_NOT_OK(flags.Append(deterministic_));
    ARROW_ASSIGN_OR_RAISE(auto f, flags.Finish());
    state.push_back(f);
    return state;
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    if (length > 0) {
      deterministic_ =
          deterministic_ || static_cast<const arrow::BooleanArray&>(*state.back()).Value(0);
    }
    return inner_->Merge(ArrayVector(state.begin(), state.end() - 1), g, length);
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    if (!deterministic_) return inner_->Finalize();
    ARROW_ASSIGN_OR_RAISE(auto state, inner_->State());
    if (state.size() != 2) return InternalError("mode: unexpected state");
    const auto& values = static_cast<const arrow::ListArray&>(*state[0]);
    const auto& counts = static_cast<const arrow::ListArray&>(*state[1]);
    const auto& flat = *values.values();
    const auto& c = static_cast<const arrow::Int64Array&>(*counts.values());
    arrow::Int64Builder picks;
    for (int64_t k = 0; k < values.length(); ++k) {
      int64_t best = -1;
      for (int64_t j = values.value_offset(k); j < values.value_offset(k + 1); ++j) {
        if (best < 0 || c.Value(j) > c.Value(best) ||
            (c.Value(j) == c.Value(best) && CompareValues(flat, j, flat, best) < 0)) {
          best = j;
        }
      }
      RETURN_NOT_OK(best < 0 ? picks.AppendNull() : picks.Append(best));
    }
    ARROW_ASSIGN_OR_RAISE(auto indices, picks.Finish());
    ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(values.values(), indices));
    return taken.make_array();
  }

 private:
  std::unique_ptr<GroupedAccumulator> inner_;
  bool deterministic_ = false;
};

// ---------------------------------------------------------------------------------------------
// histogram_numeric(x, nb): Spark's streaming histogram (Ben-Haim and Tom-Tov, as adapted from
// Hive): bins kept sorted by centre; a new value joins an equal centre or becomes a bin, and
// while there are more than nb bins the closest pair is merged. Ties between equally close pairs
// are broken by java.util.Random seeded with 31183, one generator per group, as Spark does.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed) : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}
  double NextDouble() {
    const uint64_t high = Next(26), low = Next(27);
    return static_cast<double>((high << 27) + low) * 0x1.0p-53;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;
  uint64_t Next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xBULL) & kMask;
    return seed_ >> (48 - bits);
  }
  uint64_t seed_;
};

struct Histogram {
  struct Bin {
    double x, y;
  };
  std::vector<Bin> bins;
  JavaRandom random{31183};

  void Add(double v, int64_t nb) {
    size_t l = 0, r = bins.size(), at = 0;
    while (l < r) {
      at = (l + r) / 2;
      if (bins[at].x > v) {
        r = at;
      } else if (bins[at].x < v) {
        l = ++at;
      } else {
        break;
      }
    }
    if (at < bins.size() && bins[at].x == v) {
      bins[at].y += 1;
      return;
    }
    bins.insert(bins.begin() + static_cast<std::ptrdiff_t>(at), Bin{v, 1});
    Trim(nb);
  }

  void Merge(const std::vector<Bin>& other, int64_t nb) {
    if (other.empty()) return;
    if (bins.empty()) {
      bins = other;
      return;
    }
    bins.insert(bins.end(), other.begin(), other.end());
    std::stable_sort(bins.begin(), bins.end(),
                     [](const Bin& a, const Bin& b) { return JavaDoubleLess(a.x, b.x); });
    Trim(nb);
  }

  void Trim(int64_t nb) {
    while (static_cast<int64_t>(bins.size()) > nb) {
      double smallest = bins[1].x - bins[0].x;
      size_t loc = 0;
      int ties = 1;
      for (size_t i = 1; i + 1 < bins.size(); ++i) {
        const double diff = bins[i + 1].x - bins[i].x;
        if (diff < smallest) {
          smallest = diff;
          loc = i;
          ties = 1;
        } else if (diff == smallest && random.NextDouble() <= 1.0 / ++ties) {
          loc = i;
        }
      }
      Bin& a = bins[loc];
      const Bin& b = bins[loc + 1];
      const double d = a.y + b.y;
      a.x *= a.y / d;
      a.x += b.x / d * b.y;
      a.y = d;
      bins.erase(bins.begin() + static_cast<std::ptrdiff_t>(loc) + 1);
    }
  }

  // Double.compare order: -0.0 before 0.0, NaN last.
  static bool JavaDoubleLess(double a, double b) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    if (a == b) return std::signbit(a) && !std::signbit(b);
    return a < b;
  }
};

class HistogramAccumulator : public GroupedAccumulator {
 public:
  HistogramAccumulator(TypePtr x_type, TypePtr result_type)
      : x_type_(std::move(x_type)), result_type_(std::move(result_type)) {}
  Status Resize(int64_t n) override {
    groups_.resize(static_cast<size_t>(n));
    return Status::OK();
  }
  Status Update(const std::vector<arrow::Datum>& args, const uint32_t* g, int64_t length) override {
    if (length == 0) return Status::OK();
    if (!nb_) {
      ArgReader nb(args[1]);
      if (nb.IsNull(0)) {
        return DataTypeMismatch("UNEXPECTED_NULL",
                                "Cannot resolve \"histogram_numeric\" due to data type mismatch: "
                                "The nb must not be null.");
      }
      const int64_t v = nb.Int(0);
      if (v < 2) {
        return DataTypeMismatch("VALUE_OUT_OF_RANGE",
                                "Cannot resolve \"histogram_numeric\" due to data type mismatch: "
                                "The nb must be between [2, 2147483647] (current value = " +
                                    std::to_string(v) + ").");
      }
      nb_ = v;
    }
    ArgReader x(args[0]);
    const bool floating = IsFloating(*x_type_) || IsDecimal(*x_type_);
    for (int64_t i = 0; i < length; ++i) {
      if (x.IsNull(i)) continue;
      groups_[g[i]].Add(floating ? x.Double(i) : static_cast<double>(x.Int(i)), *nb_);
    }
    return Status::OK();
  }
  // State: the bins as list<struct<x: double, y: double>> and nb.
  Result<ArrayVector> State() override {
    arrow::Int32Builder offsets;
    arrow::DoubleBuilder xs, ys;
    arrow::Int32Builder nbs;
    int32_t off = 0;
    for (const auto& h : groups_) {
      RETURN_NOT_OK(offsets.Append(off));
      for (const auto& bin : h.bins) {
        RETURN_NOT_OK(xs.Append(bin.x));
        RETURN_NOT_OK(ys.Append(bin.y));
      }
      off += static_cast<int32_t>(h.bins.size());
      RETURN_NOT_OK(nb_ ? nbs.Append(static_cast<int32_t>(*nb_)) : nbs.AppendNull());
    }
    RETURN_NOT_OK(offsets.Append(off));
    ARROW_ASSIGN_OR_RAISE(auto off_arr, offsets.Finish());
    ARROW_ASSIGN_OR_RAISE(auto x_arr, xs.Finish());
    ARROW_ASSIGN_OR_RAISE(auto y_arr, ys.Finish());
    ARROW_ASSIGN_OR_RAISE(
        auto structs, arrow::StructArray::Make({x_arr, y_arr}, std::vector<std::string>{"x", "y"}));
    ARROW_ASSIGN_OR_RAISE(auto lists, arrow::ListArray::FromArrays(*off_arr, *structs));
    ARROW_ASSIGN_OR_RAISE(auto nb_arr, nbs.Finish());
    return ArrayVector{lists, nb_arr};
  }
  Status Merge(const ArrayVector& state, const uint32_t* g, int64_t length) override {
    const auto& lists = static_cast<const arrow::ListArray&>(*state[0]);
    const auto& structs = static_cast<const arrow::StructArray&>(*lists.values());
    const auto& xs = static_cast<const arrow::DoubleArray&>(*structs.field(0));
    const auto& ys = static_cast<const arrow::DoubleArray&>(*structs.field(1));
    const auto& nbs = static_cast<const arrow::Int32Array&>(*state[1]);
    for (int64_t i = 0; i < length; ++i) {
      if (!nb_ && nbs.IsValid(i)) nb_ = nbs.Value(i);
      std::vector<Histogram::Bin> other;
      for (int64_t j = lists.value_offset(i); j < lists.value_offset(i + 1); ++j) {
        other.push_back({xs.Value(j), ys.Value(j)});
      }
      if (!other.empty()) groups_[g[i]].Merge(other, nb_.value_or(2));
    }
    return Status::OK();
  }
  Result<std::shared_ptr<arrow::Array>> Finalize() override {
    arrow::Int32Builder offsets;
    arrow::TypedBufferBuilder<bool> validity;
    ARROW_ASSIGN_OR_RAISE(auto xs, OutBuilder::Make(x_type_, 0));
    arrow::DoubleBuilder ys;
    int32_t off = 0;
    int64_t nulls = 0;
    for (const auto& h : groups_) {
      RETURN_NOT_OK(offsets.Append(off));
      RETURN_NOT_OK(validity.Append(!h.bins.empty()));
      nulls += h.bins.empty();
      for (const auto& bin : h.bins) {
        RETURN_NOT_OK(AppendCentre(*xs, bin.x));
        RETURN_NOT_OK(ys.Append(bin.y));
      }
      off += static_cast<int32_t>(h.bins.size());
    }
    RETURN_NOT_OK(offsets.Append(off));
    ARROW_ASSIGN_OR_RAISE(auto off_arr, offsets.Finish());
    ARROW_ASSIGN_OR_RAISE(auto x_datum, xs->Finish(false));
    ARROW_ASSIGN_OR_RAISE(auto y_arr, ys.Finish());
    const auto& struct_type = static_cast<const arrow::ListType&>(*result_type_).value_type();
    auto structs = std::make_shared<arrow::StructArray>(struct_type, y_arr->length(),
                                                        ArrayVector{x_datum.make_array(), y_arr});
    ARROW_ASSIGN_OR_RAISE(auto valid, validity.Finish());
    const auto& o = static_cast<const arrow::Int32Array&>(*off_arr);
    return std::make_shared<arrow::ListArray>(result_type_, static_cast<int64_t>(groups_.size()),
                                              o.values(), structs, nulls > 0 ? valid : nullptr,
                                              nulls);
  }

 private:
  // Spark casts each bin centre back to the input type (integral types truncate).
  Status AppendCentre(OutBuilder& out, double x) {
    if (IsFloating(*x_type_)) return out.Double(x);
    if (IsDecimal(*x_type_)) {
      const auto& d = static_cast<const arrow::Decimal128Type&>(*x_type_);
      auto v = arrow::Decimal128::FromReal(x, d.precision(), d.scale());
      return v.ok() ? out.Dec(*v) : out.Null();
    }
    if (!(x >= -9.2233720368547758e18 && x < 9.2233720368547758e18)) return out.Null();
    return out.Int(static_cast<int64_t>(x));
  }

  TypePtr x_type_, result_type_;
  std::optional<int64_t> nb_;
  std::vector<Histogram> groups_;
};

Result<BoundAggregate> BindHistogramNumeric(const std::string& name,
                                            const std::vector<TypePtr>& args) {
  RETURN_NOT_OK(CheckArgCount(name, args, 2, 2));
  TypePtr t = args[0];
  const auto id = t->id();
  if (IsNull(*t) || IsStringLike(*t)) {
    t = arrow::float64();
  } else if (!(IsNumeric(*t) || id == arrow::Type::DATE32 || IsTimestamp(*t) ||
               id == arrow::Type::DURATION || id == arrow::Type::INTERVAL_MONTHS)) {
    return DataTypeMismatch(
        "UNEXPECTED_INPUT_TYPE",
        "Cannot resolve \"" + name +
            "\" due to data type mismatch: The first parameter requires the (\"NUMERIC\" or "
            "\"DATE\" or \"TIMESTAMP\" or \"TIMESTAMP_NTZ\" or \"INTERVAL YEAR TO MONTH\" or "
            "\"INTERVAL DAY TO SECOND\") type, however the argument has the type \"" +
            SqlTypeName(*t) + "\".");
  }
  if (!(IsNull(*args[1]) || IsNumeric(*args[1]) || IsStringLike(*args[1]))) {
    return UnexpectedInputType(name, 1, "INT", *args[1], name);
  }
  BoundAggregate b;
  b.name = name;
  b.arg_types = {t, arrow::int32()};
  b.return_type =
      arrow::list(arrow::struct_({arrow::field("x", t), arrow::field("y", arrow::float64())}));
  b.state_types = {arrow::list(arrow::struct_(
                       {arrow::field("x", arrow::float64()), arrow::field("y", arrow::float64())})),
                   arrow::int32()};
  const TypePtr rt = b.return_type;
  b.make = [t, rt](const EvalContext&) -> std::unique_ptr<GroupedAccumulator> {
    return std::make_unique<HistogramAccumulator>(t, rt);
  };
  return b;
}

}  // namespace

void RegisterMoreAggregates(FunctionTable* table) {
  table->AddAggregate("bit_and", BitBinder(BitKind::kAnd));
  table->AddAggregate("bit_or", BitBinder(BitKind::kOr));
  table->AddAggregate("bit_xor", BitBinder(BitKind::kXor));
  table->AddAggregate("skewness", MomentsBinder(false));
  table->AddAggregate("kurtosis", MomentsBinder(true));
  table->AddAggregate("regr_count", RegrBinder(RegrKind::kCount));
  table->AddAggregate("regr_sxx", RegrBinder(RegrKind::kSxx));
  table->AddAggregate("regr_syy", RegrBinder(RegrKind::kSyy));
  table->AddAggregate("regr_sxy", RegrBinder(RegrKind::kSxy));
  table->AddAggregate("regr_slope", RegrBinder(RegrKind::kSlope));
  table->AddAggregate("regr_intercept", RegrBinder(RegrKind::kIntercept));
  table->AddAggregate("regr_r2", RegrBinder(RegrKind::kR2));
  table->AddAggregate("regr_avgx", RegrAvgBinder(1));
  table->AddAggregate("regr_avgy", RegrAvgBinder(0));
  table->AddAggregate("listagg", BindListAgg);
  table->AddAggregate("string_agg", BindListAgg);
  table->AddAggregate("percentile_cont", OrderedPercentileBinder(false));
  table->AddAggregate("percentile_disc", OrderedPercentileBinder(true));
  table->AddAggregate("histogram_numeric", BindHistogramNumeric);

  // mode(x) is registered by RegisterAggregates; add the two-argument form on top of it.
  auto found = table->aggregates().find("mode");
  if (found != table->aggregates().end()) {
    AggregateBinder single = found->second;
    table->AddAggregate(
        "mode",
        [single](const std::string& name,
                 const std::vector<TypePtr>& args) -> Result<BoundAggregate> {
          RETURN_NOT_OK(CheckArgCount(name, args, 1, 2));
          ARROW_ASSIGN_OR_RAISE(auto b, single(name, {args[0]}));
          if (args.size() == 1) return b;
          if (!(IsNull(*args[1]) || args[1]->id() == arrow::Type::BOOL)) {
            return UserError("UNEXPECTED_INPUT_TYPE",
                             "Parameter second of function `" + name +
                                 "` requires the \"BOOLEAN\" type, however the argument has the "
                                 "type \"" +
                                 SqlTypeName(*args[1]) + "\".");
          }
          b.arg_types.push_back(arrow::boolean());
          b.state_types.push_back(arrow::boolean());
          auto make_single = b.make;
          b.make = [make_single](const EvalContext& ctx) -> std::unique_ptr<GroupedAccumulator> {
            return std::make_unique<DeterministicModeAccumulator>(make_single(ctx));
          };
          return b;
        });
  }
}

}  // namespace basin::function
