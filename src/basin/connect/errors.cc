#include "basin/connect/errors.h"

#include <nlohmann/json.hpp>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace basin::connect {

namespace {

// The exception Spark throws for an error, chosen the way Spark's own classes fall: parse
// errors, analysis errors (SQLSTATE class 42), unsupported features (0A), data errors (22) split
// by kind, and the rest as runtime errors.
std::vector<std::string> ExceptionClasses(const std::string& error_class,
                                          const std::string& sql_state) {
  auto state_class = sql_state.substr(0, 2);
  if (error_class.rfind("PARSE_", 0) == 0 || sql_state == "42601") {
    return {"org.apache.spark.sql.catalyst.parser.ParseException",
            "org.apache.spark.sql.AnalysisException", "java.lang.Exception",
            "java.lang.Throwable"};
  }
  // An exception inside a Python UDF, or its worker dying: pyspark raises PythonException.
  if (error_class == "PYTHON_EXCEPTION") {
    return {"org.apache.spark.api.python.PythonException", "org.apache.spark.SparkException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  if (error_class == "INTERNAL_ERROR") {
    return {"org.apache.spark.SparkException", "java.lang.Exception", "java.lang.Throwable"};
  }
  // Spark's legacy classes number query-compilation errors _LEGACY_ERROR_TEMP_1xxx; transpose
  // checks its input (even the row count) while analyzing; a negative decimal scale is refused
  // while analyzing too, under SQLSTATE 0A000.
  if (error_class.rfind("_LEGACY_ERROR_TEMP_1", 0) == 0 ||
      error_class.rfind("TRANSPOSE_", 0) == 0 || error_class == "NEGATIVE_SCALE_DISALLOWED") {
    return {"org.apache.spark.sql.AnalysisException", "java.lang.Exception",
            "java.lang.Throwable"};
  }
  if (error_class == "SQL_CONF_NOT_FOUND") {
    return {"org.apache.spark.SparkNoSuchElementException", "java.util.NoSuchElementException",
            "java.lang.RuntimeException", "java.lang.Exception", "java.lang.Throwable"};
  }
  // Spark's encoder raises a spatial value whose SRID its type refuses as a
  // SparkRuntimeException, although the SQLSTATE (42K09) is an analysis one.
  if (error_class == "GEO_ENCODER_SRID_MISMATCH_ERROR") {
    return {"org.apache.spark.SparkRuntimeException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  // delta-spark throws its DeltaUnsupportedOperationException for geospatial columns.
  if (error_class == "DELTA_GEOSPATIAL_NOT_SUPPORTED") {
    return {"org.apache.spark.SparkUnsupportedOperationException",
            "java.lang.UnsupportedOperationException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  bool delta_analysis = error_class.rfind("DELTA_", 0) == 0 && state_class != "22" &&
                        state_class != "2D" && state_class != "40";
  if (state_class == "42" || delta_analysis) {
    return {"org.apache.spark.sql.AnalysisException", "java.lang.Exception",
            "java.lang.Throwable"};
  }
  if (state_class == "0A") {
    return {"org.apache.spark.SparkUnsupportedOperationException",
            "java.lang.UnsupportedOperationException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  if (sql_state == "22003" || sql_state == "22012" || sql_state == "22015") {
    if (error_class.rfind("INVALID_ARRAY_INDEX", 0) == 0) {
      return {"org.apache.spark.SparkArrayIndexOutOfBoundsException",
              "java.lang.ArrayIndexOutOfBoundsException", "java.lang.RuntimeException",
              "java.lang.Exception", "java.lang.Throwable"};
    }
    return {"org.apache.spark.SparkArithmeticException", "java.lang.ArithmeticException",
            "java.lang.RuntimeException", "java.lang.Exception", "java.lang.Throwable"};
  }
  if (sql_state == "22018") {
    return {"org.apache.spark.SparkNumberFormatException", "java.lang.NumberFormatException",
            "java.lang.IllegalArgumentException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  if (sql_state == "22007" || sql_state == "22008") {
    return {"org.apache.spark.SparkDateTimeException", "java.time.DateTimeException",
            "java.lang.RuntimeException", "java.lang.Exception", "java.lang.Throwable"};
  }
  // Spark raises a failed variant cast as a SparkRuntimeException although its SQLSTATE is 22023.
  if (error_class == "INVALID_VARIANT_CAST") {
    return {"org.apache.spark.SparkRuntimeException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  if (sql_state == "22023" || error_class.rfind("INVALID_PARAMETER_VALUE", 0) == 0 ||
      error_class.rfind("INVALID_CONF_VALUE", 0) == 0) {
    return {"org.apache.spark.SparkIllegalArgumentException",
            "java.lang.IllegalArgumentException", "java.lang.RuntimeException",
            "java.lang.Exception", "java.lang.Throwable"};
  }
  return {"org.apache.spark.SparkRuntimeException", "java.lang.RuntimeException",
          "java.lang.Exception", "java.lang.Throwable"};
}

// Spark's messages end with the SQLSTATE.
std::string SparkMessage(const std::string& message, const std::string& sql_state) {
  if (message.find("SQLSTATE: ") != std::string::npos) return message;
  // Spark puts the SQLSTATE after the first sentence block, before position details.
  return message + " SQLSTATE: " + sql_state;
}

}  // namespace

SparkError DescribeError(const Status& status) {
  SparkError error;
  auto legacy = ErrorClassOf(status);
  if (legacy && legacy->rfind("_LEGACY_ERROR_TEMP_", 0) == 0) {
    // Legacy errors carry neither a SQLSTATE nor the class in their message.
    error.error_class = *legacy;
    error.message = status.message();
    std::string prefix = "[" + *legacy + "] ";
    if (error.message.rfind(prefix, 0) == 0) error.message = error.message.substr(prefix.size());
  } else if (ErrorClassOf(status) == std::optional<std::string>("PYTHON_EXCEPTION")) {
    // As Spark's PythonException: the Python traceback alone (the client adds its preamble).
    error.error_class = "PYTHON_EXCEPTION";
    error.sql_state = SqlStateOf(error.error_class);
    error.message = status.message();
    const std::string prefix = "[PYTHON_EXCEPTION] ";
    if (error.message.rfind(prefix, 0) == 0) error.message = error.message.substr(prefix.size());
  } else if (auto error_class = ErrorClassOf(status)) {
    error.error_class = *error_class;
    error.sql_state = SqlStateOf(*error_class);
    error.message = SparkMessage(status.message(), error.sql_state);
    error.parameters = ErrorParametersOf(status);
  } else {
    error.error_class = "INTERNAL_ERROR";
    error.sql_state = "XX000";
    error.message = "[INTERNAL_ERROR] " + status.ToString() +
                    " This is a bug in Basin; please report it. SQLSTATE: XX000";
  }
  error.classes = ExceptionClasses(error.error_class, error.sql_state);
  return error;
}

grpc::Status ToGrpcStatus(const SparkError& error, const std::string& error_id) {
  google::rpc::ErrorInfo info;
  info.set_reason(error.classes.front());
  info.set_domain("org.apache.spark");
  auto& metadata = *info.mutable_metadata();
  metadata["classes"] = nlohmann::json(error.classes).dump();
  metadata["errorClass"] = error.error_class;
  if (!error.sql_state.empty()) metadata["sqlState"] = error.sql_state;
  nlohmann::json parameters = nlohmann::json::object();
  for (const auto& [key, value] : error.parameters) parameters[key] = value;
  metadata["messageParameters"] = parameters.dump();
  if (!error_id.empty()) metadata["errorId"] = error_id;
  // The status message is what older clients show; keep it bounded like Spark does.
  std::string message = error.message;
  if (message.size() > 2048) message = message.substr(0, 2048) + "...";
  google::rpc::Status details;
  details.set_code(static_cast<int>(grpc::StatusCode::INTERNAL));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(grpc::StatusCode::INTERNAL, message, details.SerializeAsString());
}

grpc::Status ProtocolError(const std::string& error_class, const std::string& message) {
  auto status = UserError(error_class, message);
  auto error = DescribeError(status);
  if (error_class.rfind("INVALID_HANDLE", 0) == 0 || error_class.rfind("CONNECT_", 0) == 0) {
    error.classes = {"org.apache.spark.SparkSQLException", "java.sql.SQLException",
                     "java.lang.Exception", "java.lang.Throwable"};
  }
  return ToGrpcStatus(error, "");
}

void FillErrorDetails(const SparkError& error, spark::connect::FetchErrorDetailsResponse* out) {
  out->set_root_error_idx(0);
  auto* e = out->add_errors();
  for (const auto& c : error.classes) e->add_error_type_hierarchy(c);
  e->set_message(error.message);
  auto* throwable = e->mutable_spark_throwable();
  throwable->set_error_class(error.error_class);
  if (!error.sql_state.empty()) throwable->set_sql_state(error.sql_state);
  for (const auto& [key, value] : error.parameters) {
    (*throwable->mutable_message_parameters())[key] = value;
  }
}

}  // namespace basin::connect
