#include "basin/base/status.h"

#include <unordered_map>

namespace basin {

namespace {
constexpr char kErrorClassDetailType[] = "basin::ErrorClassDetail";

// SQLSTATEs of the error classes Basin raises, from Spark's and Delta's error-classes.json.
const std::unordered_map<std::string_view, std::string_view>& SqlStates() {
  static const auto* states = new std::unordered_map<std::string_view, std::string_view>{
      {"DELTA_TABLE_NOT_FOUND", "42P01"},
      // Spark SQL (error-conditions.json). Sub-classes (A.B) fall back to their class A.
      {"PARSE_SYNTAX_ERROR", "42601"},
      // Spark Connect.
      {"INVALID_HANDLE", "HY000"},
      {"INVALID_CURSOR", "HY109"},
      {"CONNECT_INVALID_PLAN", "56K00"},
      {"SQL_CONF_NOT_FOUND", "42K0I"},
      {"PARSE_EMPTY_STATEMENT", "42617"},
      {"UNCLOSED_BRACKETED_COMMENT", "42601"},
      {"INVALID_NUMERIC_LITERAL_RANGE", "22003"},
      {"UNSUPPORTED_DATATYPE", "0A000"},
      {"DATATYPE_MISSING_SIZE", "42K01"},
      {"DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", "22003"},
      {"INVALID_ESC", "42604"},
      {"INVALID_TYPED_LITERAL", "42604"},
      {"INVALID_SQL_SYNTAX", "42000"},
      {"DIVIDE_BY_ZERO", "22012"},
      {"ARITHMETIC_OVERFLOW", "22003"},
      {"CAST_OVERFLOW", "22003"},
      {"NUMERIC_VALUE_OUT_OF_RANGE", "22003"},
      {"CAST_INVALID_INPUT", "22018"},
      {"UNRESOLVED_ROUTINE", "42883"},
      {"PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY", "42S23"},
      {"DATATYPE_MISMATCH", "42K09"},
      {"WRONG_NUM_ARGS", "42605"},
      {"INVALID_ARRAY_INDEX", "22003"},
      {"INVALID_ARRAY_INDEX_IN_ELEMENT_AT", "22003"},
      {"CANNOT_PARSE_TIMESTAMP", "22007"},
      {"UNRESOLVED_COLUMN", "42703"},
      {"TABLE_OR_VIEW_NOT_FOUND", "42P01"},
      {"CATALOG_NOT_FOUND", "42P08"},
      {"SCHEMA_NOT_FOUND", "42704"},
      {"SCHEMA_ALREADY_EXISTS", "42P06"},
      {"SCHEMA_NOT_EMPTY", "2BP01"},
      {"TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"},
      {"ROUTINE_NOT_FOUND", "42883"},
      {"ROUTINE_ALREADY_EXISTS", "42723"},
      {"EXPECT_VIEW_NOT_TABLE", "42809"},
      {"EXPECT_TABLE_NOT_VIEW", "42809"},
      {"INSERT_COLUMN_ARITY_MISMATCH", "21S01"},
      {"INCOMPATIBLE_DATA_FOR_TABLE", "KD000"},
      {"WRONG_COMMAND_FOR_OBJECT_TYPE", "42809"},
      {"LOCATION_ALREADY_EXISTS", "42710"},
      {"COLUMN_ALREADY_EXISTS", "42711"},
      {"TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", "42P07"},
      {"NON_LAST_MATCHED_CLAUSE_OMIT_CONDITION", "42613"},
      {"PARTITIONS_NOT_FOUND", "428FT"},
      {"REQUIRES_SINGLE_PART_NAMESPACE", "42K05"},
      {"TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS", "428EK"},
      {"DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE", "21506"},
      {"DELTA_MERGE_UNRESOLVED_EXPRESSION", "42601"},
      {"DELTA_CONFLICT_SET_COLUMN", "42701"},
      {"MISSING_AGGREGATION", "42803"},
      {"AMBIGUOUS_REFERENCE", "42704"},
      {"NUM_COLUMNS_MISMATCH", "42826"},
      {"INCOMPATIBLE_COLUMN_TYPE", "42825"},
      {"GROUP_BY_POS_OUT_OF_RANGE", "42805"},
      {"ORDER_BY_POS_OUT_OF_RANGE", "42805"},
      {"NESTED_AGGREGATE_FUNCTION", "42607"},
      {"SCALAR_SUBQUERY_TOO_MANY_ROWS", "21000"},
      {"OPERATION_CANCELED", "HY008"},
      {"UNBOUND_SQL_PARAMETER", "42P02"},
      {"INVALID_CONF_VALUE", "22022"},
      {"UNSUPPORTED_FEATURE", "0A000"},
      {"DELTA_MISSING_DELTA_TABLE", "42P01"},
      {"DELTA_PATH_DOES_NOT_EXIST", "42K03"},
      {"DELTA_INVALID_PROTOCOL_VERSION", "KD004"},
      {"DELTA_UNSUPPORTED_FEATURES_FOR_READ", "56038"},
      {"DELTA_UNSUPPORTED_FEATURES_FOR_WRITE", "56038"},
      {"DELTA_STATE_RECOVER_ERROR", "XXKDS"},
      {"DELTA_LOG_FILE_NOT_FOUND", "42K03"},
      {"DELTA_VERSIONS_NOT_CONTIGUOUS", "KD00C"},
      {"DELTA_MISSING_PART_FILES", "42KD6"},
      {"DELTA_FILE_NOT_FOUND_DETAILED", "XXKDS"},
      {"DELTA_CANNOT_RECONSTRUCT_PATH_FROM_URI", "22KD1"},
      {"DELTA_INVALID_LOG_ENTRY", "XXKDS"},
      {"DELTA_CORRUPT_FILE", "XXKDS"},
      {"DELTA_FILE_TRUNCATED", "XXKDS"},
      {"DELTA_TIMESTAMP_GREATER_THAN_COMMIT", "42816"},
      {"DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION", "42816"},
      {"DELTA_VERSION_NOT_FOUND", "22003"},
      {"DELTA_CANNOT_TIME_TRAVEL_VIEWS", "0A000"},
      {"DELTA_TABLE_ALREADY_EXISTS", "42P07"},
      {"DELTA_PATH_EXISTS", "42K04"},
      {"DELTA_FAILED_TO_MERGE_FIELDS", "22005"},
      {"DELTA_METADATA_MISMATCH", "42KDG"},
      {"DELTA_SCHEMA_MISMATCH", "42KDG"},
      {"DELTA_COLUMN_NOT_FOUND", "42703"},
      {"DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502"},
      {"DELTA_PARTITION_COLUMN_NOT_FOUND", "42703"},
      {"DELTA_REPLACE_WHERE_MISMATCH", "44000"},
      {"DELTA_CONCURRENT_APPEND", "2D521"},
      {"DELTA_CONCURRENT_DELETE_READ", "2D521"},
      {"DELTA_CONCURRENT_DELETE_DELETE", "2D521"},
      {"DELTA_METADATA_CHANGED", "2D521"},
      {"DELTA_PROTOCOL_CHANGED", "2D521"},
      {"DELTA_CONCURRENT_TRANSACTION", "2D521"},
      {"DELTA_CONCURRENT_WRITE", "2D521"},
      {"DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT", "22023"},
      {"DELTA_DUPLICATE_COLUMNS_FOUND", "42711"},
      {"DELTA_CANNOT_MODIFY_APPEND_ONLY", "42809"},
      {"DELTA_CANNOT_USE_ALL_COLUMNS_FOR_PARTITION", "428FT"},
      {"DELTA_CANNOT_RESTORE_TABLE_VERSION", "22003"},
      {"DELTA_CANNOT_RESTORE_TIMESTAMP_EARLIER", "22003"},
      {"DELTA_CANNOT_RESTORE_TIMESTAMP_GREATER", "22003"},
      {"DELTA_FILE_NOT_FOUND", "42K03"},
      {"DELTA_INVALID_CHARACTERS_IN_COLUMN_NAME", "42K05"},
      {"DELTA_UNSUPPORTED_DATA_TYPE", "0AKDC"},
      {"DELTA_INVALID_PARTITION_COLUMN_TYPE", "42996"},
      {"DELTA_UNRECOGNIZED_INVARIANT", "56038"},
      {"DELTA_INVALID_FORMAT", "22000"},
      {"DELTA_INVALID_CDC_RANGE", "22003"},
      {"DELTA_CHANGE_DATA_FILE_NOT_FOUND", "42K03"},
      {"DELTA_INVALID_PARTITION_VALUE", "22023"},
      {"DELTA_UNSUPPORTED_TYPE_CHANGE", "0AKDC"},
      {"UNRESOLVED_COLUMN.WITH_SUGGESTION", "42703"},
      {"PATH_NOT_FOUND", "42K03"},
      {"UNSUPPORTED_FEATURE", "0A000"},
      {"UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE", "0A000"},
      {"INVALID_PARAMETER_VALUE", "22023"},
      {"ILLEGAL_ARGUMENT", "22023"},
      {"CANNOT_PARSE_JSON", "2203G"},
      {"CANNOT_READ_FILE_FOOTER", "KD001"},
      {"FAILED_READ_FILE", "KD001"},
      {"MALFORMED_RECORD_IN_PARSING", "22023"},
  };
  return *states;
}

// Every error class of Spark's error-conditions.json and Delta's error classes (generated).
const std::unordered_map<std::string_view, std::string_view>& SparkSqlStates() {
  static const auto* states = new std::unordered_map<std::string_view, std::string_view>{
#include "sql_states.inc"
  };
  return *states;
}
}  // namespace

const char* ErrorClassDetail::type_id() const { return kErrorClassDetailType; }

std::string ErrorClassDetail::ToString() const { return error_class_ + " (SQLSTATE " + sqlstate_ + ")"; }

std::string SqlStateOf(std::string_view error_class) {
  // Basin's own table first, then every class of Spark's and Delta's error-condition files.
  for (const auto* table : {&SqlStates(), &SparkSqlStates()}) {
    auto it = table->find(error_class);
    if (it == table->end()) {
      auto dot = error_class.find('.');
      if (dot != std::string_view::npos) it = table->find(error_class.substr(0, dot));
    }
    if (it != table->end()) return std::string(it->second);
  }
  return "XXKD0";
}

Status UserError(std::string_view error_class, std::string_view message) {
  std::string text = "[" + std::string(error_class) + "] " + std::string(message);
  return Status::Invalid(std::move(text))
      .WithDetail(std::make_shared<ErrorClassDetail>(std::string(error_class),
                                                     SqlStateOf(error_class)));
}

std::optional<std::string> ErrorClassOf(const Status& status) {
  auto detail = status.detail();
  if (detail == nullptr || std::string_view(detail->type_id()) != kErrorClassDetailType) {
    return std::nullopt;
  }
  return static_cast<const ErrorClassDetail&>(*detail).error_class();
}

Status InternalError(std::string_view message) {
  return Status::UnknownError("internal error: ", message);
}

}  // namespace basin
