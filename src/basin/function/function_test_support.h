#pragma once

// Test helpers for the function library: bind a function by name for JSON-written Arrow
// arguments, run it, and render the result rows as Spark prints them.

#include <string>
#include <vector>

#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "basin/function/cast.h"
#include "basin/function/function.h"
#include "basin/function/kernel_support.h"

namespace basin::function {

struct TestArg {
  TypePtr type;
  std::string json;  // a JSON array of values, e.g. "[1, null]", or one JSON value for a scalar
  bool scalar = false;
};

/// An array argument.
inline TestArg A(TypePtr type, std::string json) { return {std::move(type), std::move(json), false}; }
/// A scalar argument (one JSON value).
inline TestArg Sc(TypePtr type, std::string json) { return {std::move(type), std::move(json), true}; }

inline Result<arrow::Datum> MakeDatum(const TestArg& arg) {
  if (arg.scalar) {
    ARROW_ASSIGN_OR_RAISE(auto arr, arrow::json::ArrayFromJSONString(arg.type, "[" + arg.json + "]"));
    ARROW_ASSIGN_OR_RAISE(auto s, arr->GetScalar(0));
    return arrow::Datum(s);
  }
  ARROW_ASSIGN_OR_RAISE(auto arr, arrow::json::ArrayFromJSONString(arg.type, arg.json));
  return arrow::Datum(arr);
}

/// Renders rows as "a | b | NULL"; an error renders as its error class.
inline std::string Render(const Result<arrow::Datum>& r, const EvalContext& ctx) {
  if (!r.ok()) {
    auto cls = ErrorClassOf(r.status());
    return "ERROR:" + (cls ? *cls : r.status().ToString());
  }
  std::shared_ptr<arrow::Array> arr;
  if (r->is_scalar()) {
    arr = arrow::MakeArrayFromScalar(*r->scalar(), 1).ValueOrDie();
  } else {
    arr = r->make_array();
  }
  std::string out;
  for (int64_t i = 0; i < arr->length(); ++i) {
    if (i > 0) out += " | ";
    if (arr->IsNull(i)) {
      out += "NULL";
    } else {
      auto s = ValueToString(*arr, i, ctx);
      out += s.ok() ? *s : "?";
    }
  }
  return out;
}

/// Binds and runs scalar function `name` on `args` (arrays of equal length, or scalars).
inline Result<arrow::Datum> CallDatum(const std::string& name, const std::vector<TestArg>& args,
                                     const EvalContext& ctx) {
  std::vector<TypePtr> types;
  std::vector<arrow::Datum> values;
  int64_t length = 1;
  for (const auto& a : args) {
    types.push_back(a.type);
    ARROW_ASSIGN_OR_RAISE(auto d, MakeDatum(a));
    if (d.is_array()) length = d.length();
    values.push_back(d);
  }
  ARROW_ASSIGN_OR_RAISE(auto bound, BuiltinRegistry().BindScalar(name, types));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].type()->Equals(*bound.arg_types[i])) {
      ARROW_ASSIGN_OR_RAISE(values[i], Cast(values[i], bound.arg_types[i], false, ctx));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto result, bound.kernel->Execute(values, length, ctx));
  if (!result.type()->Equals(*bound.return_type)) {
    return InternalError("kernel returned " + result.type()->ToString() + " but bound " +
                         bound.return_type->ToString());
  }
  return result;
}

/// Runs `name` and renders its result.
inline std::string Call(const std::string& name, const std::vector<TestArg>& args,
                       const EvalContext& ctx = EvalContext()) {
  return Render(CallDatum(name, args, ctx), ctx);
}

/// Returns the SQL name of the bound return type, or "ERROR:<class>".
inline std::string ReturnType(const std::string& name, const std::vector<TypePtr>& types) {
  auto bound = BuiltinRegistry().BindScalar(name, types);
  if (!bound.ok()) {
    auto cls = ErrorClassOf(bound.status());
    return "ERROR:" + (cls ? *cls : bound.status().ToString());
  }
  return SqlTypeName(*bound->return_type);
}

/// Casts a JSON array to `to` and renders the result.
inline std::string CastRender(const TestArg& from, const TypePtr& to, bool try_cast = false,
                              const EvalContext& ctx = EvalContext()) {
  auto d = MakeDatum(from);
  if (!d.ok()) return "BADTEST:" + d.status().ToString();
  return Render(Cast(*d, to, try_cast, ctx), ctx);
}

inline EvalContext NonAnsi() {
  EvalContext c;
  c.ansi = false;
  return c;
}

inline EvalContext InZone(const std::string& zone) {
  EvalContext c;
  c.session_time_zone = zone;
  return c;
}

}  // namespace basin::function
