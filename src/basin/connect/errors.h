#pragma once

// Basin errors as the PySpark client expects Spark's: a gRPC status whose details carry a
// google.rpc.ErrorInfo with the Java exception classes, the error class, the SQLSTATE and an
// error id; FetchErrorDetails later returns the full error for that id. PySpark picks the Python
// exception (AnalysisException, ParseException, ArithmeticException, ...) from the classes.

#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "basin/base/error_parameters.h"
#include "basin/base/status.h"
#include "spark/connect/base.pb.h"

namespace basin::connect {

/// A Basin error as Spark would have thrown it.
struct SparkError {
  std::vector<std::string> classes;  ///< the Java exception class hierarchy, most specific first
  std::string error_class;           ///< e.g. TABLE_OR_VIEW_NOT_FOUND; INTERNAL_ERROR for bugs
  std::string sql_state;
  std::string message;               ///< "[CLASS] text SQLSTATE: xxxxx"
  ErrorParameters parameters;        ///< the message parameters, when the error names them
};

/// Describes `status` (not OK) as the exception Spark raises for that error class.
SparkError DescribeError(const Status& status);

/// The gRPC status for `error`, with an ErrorInfo that names `error_id` for FetchErrorDetails.
grpc::Status ToGrpcStatus(const SparkError& error, const std::string& error_id);

/// A gRPC status for a protocol-level user error (bad handle, malformed request).
grpc::Status ProtocolError(const std::string& error_class, const std::string& message);

/// Fills a FetchErrorDetails response with `error` as its root (and only) error.
void FillErrorDetails(const SparkError& error, spark::connect::FetchErrorDetailsResponse* out);

}  // namespace basin::connect
