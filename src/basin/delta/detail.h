#pragma once

// DESCRIBE DETAIL: one JSON object describing a Delta table's current state.

#include <nlohmann/json.hpp>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// Returns the DESCRIBE DETAIL fields of the table's latest snapshot: format, id, name,
/// description, location, createdAt, lastModified (ISO-8601 UTC), partitionColumns,
/// clusteringColumns, numFiles, sizeInBytes, properties, minReaderVersion, minWriterVersion and
/// tableFeatures (explicit features, or those implied by a legacy protocol version).
Result<nlohmann::json> DescribeDetail(const io::Location& table_root);

/// Returns the DESCRIBE DETAIL fields of `snapshot`.
nlohmann::json DescribeDetail(const Snapshot& snapshot);

}  // namespace basin::delta
