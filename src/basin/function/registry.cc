// The built-in function catalog: every family registers its binders into one table at first use.

#include <set>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

// Window and generator functions are run by the executor; the registry only knows their kind.
const std::set<std::string>& WindowNames() {
  static const auto* names = new std::set<std::string>{
      "row_number", "rank",     "dense_rank",  "percent_rank", "cume_dist",
      "ntile",      "lag",      "lead",        "nth_value",    "first_value",
      "last_value"};
  return *names;
}

const std::set<std::string>& GeneratorNames() {
  static const auto* names = new std::set<std::string>{
      "explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "inline_outer",
      "stack"};
  return *names;
}

Status Unresolved(const std::string& name) {
  return UserError("UNRESOLVED_ROUTINE",
                   "Cannot resolve routine `" + name +
                       "` on search path [`system`.`builtin`, `system`.`session`, "
                       "`spark_catalog`.`default`].");
}

class BuiltinRegistryImpl : public Registry {
 public:
  BuiltinRegistryImpl() {
    RegisterArithmetic(&table_);
    RegisterPredicates(&table_);
    RegisterMath(&table_);
    RegisterStringFunctions(&table_);
    RegisterRegexFunctions(&table_);
    RegisterDatetimeFunctions(&table_);
    RegisterHashFunctions(&table_);
    RegisterCollectionFunctions(&table_);
    RegisterJsonFunctions(&table_);
    RegisterVariantFunctions(&table_);
    RegisterGeospatialFunctions(&table_);
    RegisterConditionalFunctions(&table_);
    RegisterAggregates(&table_);
    RegisterMoreAggregates(&table_);
    RegisterMoreScalarFunctions(&table_);
    RegisterKllFunctions(&table_);
    RegisterTimeFunctions(&table_);
  }

  std::optional<FunctionKind> KindOf(const std::string& name) const override {
    const std::string n = ToLowerAscii(name);
    if (table_.aggregates().count(n)) return FunctionKind::kAggregate;
    if (table_.scalars().count(n)) return FunctionKind::kScalar;
    if (WindowNames().count(n)) return FunctionKind::kWindow;
    if (GeneratorNames().count(n)) return FunctionKind::kGenerator;
    return std::nullopt;
  }

  Result<BoundScalar> BindScalar(const std::string& name,
                                 const std::vector<TypePtr>& arg_types) const override {
    const std::string n = ToLowerAscii(name);
    auto it = table_.scalars().find(n);
    if (it == table_.scalars().end()) return Unresolved(name);
    for (const auto& t : arg_types) {
      if (!t) return InternalError("BindScalar: null argument type for " + name);
    }
    ARROW_ASSIGN_OR_RAISE(auto bound, it->second(n, arg_types));
    bound.name = n;
    return bound;
  }

  Result<BoundScalar> BindScalarWithConstants(
      const std::string& name, const std::vector<TypePtr>& arg_types,
      const std::vector<arrow::Datum>& constants) const override {
    const std::string n = ToLowerAscii(name);
    auto it = table_.constant_scalars().find(n);
    if (it == table_.constant_scalars().end()) return BindScalar(name, arg_types);
    std::vector<arrow::Datum> padded = constants;
    padded.resize(arg_types.size());
    ARROW_ASSIGN_OR_RAISE(auto bound, it->second(n, arg_types, padded));
    bound.name = n;
    return bound;
  }

  Result<BoundAggregate> BindAggregate(const std::string& name,
                                       const std::vector<TypePtr>& arg_types) const override {
    const std::string n = ToLowerAscii(name);
    auto it = table_.aggregates().find(n);
    if (it == table_.aggregates().end()) return Unresolved(name);
    ARROW_ASSIGN_OR_RAISE(auto bound, it->second(n, arg_types));
    bound.name = n;
    return bound;
  }

  Result<BoundAggregate> BindAggregateWithConstants(
      const std::string& name, const std::vector<TypePtr>& arg_types,
      const std::vector<arrow::Datum>& constants) const override {
    const std::string n = ToLowerAscii(name);
    auto it = table_.constant_aggregates().find(n);
    if (it == table_.constant_aggregates().end()) return BindAggregate(name, arg_types);
    std::vector<arrow::Datum> padded = constants;
    padded.resize(arg_types.size());
    ARROW_ASSIGN_OR_RAISE(auto bound, it->second(n, arg_types, padded));
    bound.name = n;
    return bound;
  }

  std::vector<std::string> Names() const override {
    std::set<std::string> names;
    for (const auto& [n, b] : table_.scalars()) names.insert(n);
    for (const auto& [n, b] : table_.aggregates()) names.insert(n);
    names.insert(WindowNames().begin(), WindowNames().end());
    names.insert(GeneratorNames().begin(), GeneratorNames().end());
    return {names.begin(), names.end()};
  }

 private:
  FunctionTable table_;
};

}  // namespace

const Registry& BuiltinRegistry() {
  static const auto* registry = new BuiltinRegistryImpl();
  return *registry;
}

}  // namespace basin::function
