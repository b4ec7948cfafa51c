#pragma once

// The contract between the function library and the rest of the engine. The analyzer binds a
// call by name and argument types (Spark's implicit casts decide the types the arguments are
// cast to); the executor runs the bound kernel on Arrow data.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/datum.h>

#include "basin/base/status.h"

namespace basin::function {

using TypePtr = std::shared_ptr<arrow::DataType>;

/// Session settings that change what a function computes.
struct EvalContext {
  /// IANA zone name (spark.sql.session.timeZone) used by date and time functions.
  std::string session_time_zone = "UTC";
  /// spark.sql.ansi.enabled: overflow, invalid casts and division by zero raise errors.
  bool ansi = true;
  /// The value of current_timestamp() for the statement, microseconds since the epoch UTC.
  int64_t statement_time_micros = 0;
  /// Where the batch being evaluated starts among its operator's input rows, for
  /// monotonically_increasing_id(); -1 where the operator does not count rows.
  int64_t first_row = -1;
};

/// Runs a bound scalar function over a batch. Each argument is an array of `length` rows or a
/// scalar; the result is an array of `length` rows (or a scalar when every argument is scalar).
class ScalarKernel {
 public:
  virtual ~ScalarKernel() = default;
  virtual Result<arrow::Datum> Execute(const std::vector<arrow::Datum>& args, int64_t length,
                                       const EvalContext& context) const = 0;
};

/// A scalar function resolved for concrete argument types.
struct BoundScalar {
  std::string name;
  /// The types the arguments must have; the analyzer casts each argument whose type differs.
  std::vector<TypePtr> arg_types;
  TypePtr return_type;
  bool deterministic = true;
  std::shared_ptr<const ScalarKernel> kernel;
};

/// Accumulates one aggregate function for many groups at once (hash aggregation). Group ids are
/// dense: 0 .. num_groups-1. State() and Merge() let partial results be spilled and combined.
class GroupedAccumulator {
 public:
  virtual ~GroupedAccumulator() = default;
  /// Grows the number of groups; new groups start empty.
  virtual Status Resize(int64_t num_groups) = 0;
  /// Adds `length` input rows; row i belongs to group `group_ids[i]`.
  virtual Status Update(const std::vector<arrow::Datum>& args, const uint32_t* group_ids,
                        int64_t length) = 0;
  /// Returns the intermediate state, one array per state field, one row per group.
  virtual Result<std::vector<std::shared_ptr<arrow::Array>>> State() = 0;
  /// Merges intermediate state rows (as returned by State()) into groups `group_ids`.
  virtual Status Merge(const std::vector<std::shared_ptr<arrow::Array>>& state,
                       const uint32_t* group_ids, int64_t length) = 0;
  /// Returns the final value of every group.
  virtual Result<std::shared_ptr<arrow::Array>> Finalize() = 0;
};

/// An aggregate function resolved for concrete argument types.
struct BoundAggregate {
  std::string name;
  std::vector<TypePtr> arg_types;
  TypePtr return_type;
  /// The types of the intermediate state fields.
  std::vector<TypePtr> state_types;
  /// True when the result does not depend on duplicates (min, max, ...).
  bool ignores_duplicates = false;
  /// True when merging partial states in any order gives the same result, bit for bit (count,
  /// exact sums, min, max, ...): the aggregate may run in per-thread partial tables. Not for
  /// first/last/collect_list (input order) or floating-point sums (rounding order).
  bool merge_order_free = false;
  std::function<std::unique_ptr<GroupedAccumulator>(const EvalContext&)> make;
};

enum class FunctionKind { kScalar, kAggregate, kWindow, kGenerator };

/// The catalog of built-in functions.
class Registry {
 public:
  virtual ~Registry() = default;
  /// Returns the kind of `name` (case-insensitive), or nullopt when unknown.
  virtual std::optional<FunctionKind> KindOf(const std::string& name) const = 0;
  /// Binds a scalar function; unknown names give UNRESOLVED_ROUTINE, bad arguments
  /// DATATYPE_MISMATCH.* or WRONG_NUM_ARGS as Spark reports them.
  virtual Result<BoundScalar> BindScalar(const std::string& name,
                                         const std::vector<TypePtr>& arg_types) const = 0;
  /// Binds a scalar function some of whose arguments are constants known at analysis time
  /// (named_struct's field names, from_json's schema, round's scale). `constants[i]` holds the
  /// value of argument i as a scalar Datum, or an empty Datum when that argument is not constant.
  /// Functions that need no constants bind as BindScalar does.
  virtual Result<BoundScalar> BindScalarWithConstants(
      const std::string& name, const std::vector<TypePtr>& arg_types,
      const std::vector<arrow::Datum>& constants) const {
    return BindScalar(name, arg_types);
  }
  /// Binds an aggregate function (count, sum, avg, min, max, collect_list, ...).
  virtual Result<BoundAggregate> BindAggregate(const std::string& name,
                                               const std::vector<TypePtr>& arg_types) const = 0;
  /// Binds an aggregate function some of whose arguments are constants known at analysis time
  /// (kll_sketch_agg_*'s k), passed as BindScalarWithConstants passes them.
  virtual Result<BoundAggregate> BindAggregateWithConstants(
      const std::string& name, const std::vector<TypePtr>& arg_types,
      const std::vector<arrow::Datum>& constants) const {
    return BindAggregate(name, arg_types);
  }
  /// Lists every function name, sorted (SHOW FUNCTIONS).
  virtual std::vector<std::string> Names() const = 0;
};

/// Returns the registry of Spark's built-in functions.
const Registry& BuiltinRegistry();

/// Casts `value` to `target` with Spark's cast semantics. Under ANSI (and not `try_cast`), a
/// value that cannot be converted raises CAST_INVALID_INPUT or CAST_OVERFLOW; otherwise it
/// becomes null.
Result<arrow::Datum> Cast(const arrow::Datum& value, const TypePtr& target, bool try_cast,
                          const EvalContext& context);

/// Returns true when Spark can cast `from` to `to` at all (explicit CAST).
bool CanCast(const arrow::DataType& from, const arrow::DataType& to);

/// The error for CAST(`display`) when CanCast(from, to) is false: Spark's
/// DATATYPE_MISMATCH.CAST_WITH_FUNC_SUGGESTION when a function converts between the types
/// (e.g. INT to DATE: DATE_FROM_UNIX_DATE), else DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION.
/// `suffix` (such as a source position) is appended to the message.
Status CastMismatchError(const arrow::DataType& from, const arrow::DataType& to,
                         const std::string& display, const std::string& suffix);

/// Returns the type two operands are coerced to for comparison or set operations
/// (Spark's findWiderTypeForTwo / ANSI rules), or nullopt when they do not coerce.
std::optional<TypePtr> CommonType(const TypePtr& a, const TypePtr& b);

}  // namespace basin::function
