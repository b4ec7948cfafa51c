#pragma once

// Writing classic single-file checkpoints (PROTOCOL.md, "Checkpoints", "Classic Checkpoint") in
// the Parquet schema delta-spark writes, plus the `_last_checkpoint` file
// (PROTOCOL.md, "Last Checkpoint File").

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <arrow/type_fwd.h>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {

/// What WriteCheckpoint wrote.
struct CheckpointInfo {
  int64_t version = -1;
  /// Number of actions (rows) in the checkpoint.
  int64_t size = 0;
  int64_t size_in_bytes = 0;
  int64_t num_of_add_files = 0;
};

/// Returns the Arrow schema of a classic checkpoint as delta-spark writes it: the columns txn,
/// add (stats as a JSON string), remove, metaData, protocol and domainMetadata.
std::shared_ptr<arrow::Schema> CheckpointSchema();

/// Writes `snapshot` as `_delta_log/<version>.checkpoint.parquet` (atomically) and then updates
/// `_last_checkpoint`. Tombstones older than delta.deletedFileRetentionDuration are left out.
Result<CheckpointInfo> WriteCheckpoint(const Snapshot& snapshot, int64_t now_ms);

/// Parses a Delta interval property such as "interval 1 week", "interval 168 hours" or
/// "7 days" into milliseconds; malformed text gives INVALID_PARAMETER_VALUE.
Result<int64_t> ParseIntervalMs(std::string_view text);

/// Returns delta.deletedFileRetentionDuration of `configuration` in ms (default 1 week).
Result<int64_t> DeletedFileRetentionMs(const std::map<std::string, std::string>& configuration);

/// Returns delta.checkpointInterval of `configuration` (default 10).
int64_t CheckpointInterval(const std::map<std::string, std::string>& configuration);

}  // namespace basin::delta
