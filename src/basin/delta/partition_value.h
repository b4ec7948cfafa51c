#pragma once

// Partition values as the Delta log stores them: strings in `partitionValues`, parsed by the
// column's type (PROTOCOL.md, "Partition Value Serialization").

#include <memory>
#include <optional>
#include <string>

#include <arrow/scalar.h>
#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::delta {

/// Parses a partition value string into a scalar of `type`; a missing value, a null, or (for
/// non-string types) an empty string gives a null scalar. A TIMESTAMP value without a zone
/// ("2021-09-08 11:11:11", as delta-spark before 3.x and Spark's own tables write it) is read in
/// `time_zone`, the session time zone; ISO-8601 values with "Z" or an offset are exact.
Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(const std::optional<std::string>& text,
                                                           const std::shared_ptr<arrow::DataType>& type,
                                                           const std::string& time_zone = "UTC");

/// Decodes the %XX escapes of a path from the log (paths are URI-encoded there).
std::string UriDecode(std::string_view text);

/// Percent-encodes a path as java.net.URI does for a path component (as delta-spark writes
/// paths into the log and Spark prints `_metadata.file_path`).
std::string UriEncodePath(std::string_view path);

}  // namespace basin::delta
