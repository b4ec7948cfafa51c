#pragma once

// Basin's error type is Arrow's Status/Result: we call Arrow all day, so one error currency avoids
// conversions at every edge. User errors carry a Spark-style error class and SQLSTATE in a
// StatusDetail; internal errors (broken invariants) carry none.

#include <optional>
#include <string>
#include <string_view>

#include <arrow/result.h>
#include <arrow/status.h>

namespace basin {

using Status = arrow::Status;
template <typename T>
using Result = arrow::Result<T>;

/// Holds the Spark error class (e.g. "DELTA_TABLE_NOT_FOUND") and SQLSTATE of a user error.
class ErrorClassDetail : public arrow::StatusDetail {
 public:
  ErrorClassDetail(std::string error_class, std::string sqlstate)
      : error_class_(std::move(error_class)), sqlstate_(std::move(sqlstate)) {}

  const char* type_id() const override;
  std::string ToString() const override;

  const std::string& error_class() const { return error_class_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string error_class_;
  std::string sqlstate_;
};

/// Returns a user error with `error_class`, its SQLSTATE and `message`.
/// The message starts with "[ERROR_CLASS] " as Spark prints it.
Status UserError(std::string_view error_class, std::string_view message);

/// Returns the error class of `status`, if it is a user error.
std::optional<std::string> ErrorClassOf(const Status& status);

/// Returns the SQLSTATE that Spark and Delta give `error_class` ("XXKD0" for unknown classes).
std::string SqlStateOf(std::string_view error_class);

/// Returns an internal error: a broken invariant, not something the user can fix.
Status InternalError(std::string_view message);

}  // namespace basin

// RETURN_NOT_OK comes from arrow/status.h.
#ifndef ASSIGN_OR_RAISE
#define ASSIGN_OR_RAISE(lhs, rexpr) ARROW_ASSIGN_OR_RAISE(lhs, rexpr)
#endif
