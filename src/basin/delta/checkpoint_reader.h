#pragma once

// Reading checkpoint files (PROTOCOL.md, "Checkpoints"): classic and multi-part Parquet, V2 in
// JSON or Parquet, and the sidecar files a V2 checkpoint points to.

#include <functional>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/delta/actions.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// Receives actions one at a time, so that a large checkpoint is never held twice.
using ActionSink = std::function<void(Action&&)>;
/// Told how many rows a checkpoint file holds before its actions arrive (to reserve memory).
using RowHint = std::function<void(int64_t)>;

/// Reads the actions of one checkpoint file (Parquet or JSON lines). Sidecar actions are
/// returned as they are; ReadCheckpoint follows them.
Result<std::vector<Action>> ReadCheckpointFile(const io::Location& file);
Status ReadCheckpointFile(const io::Location& file, const ActionSink& sink,
                          const RowHint& expect_rows = {});

/// Reads every action of the checkpoint made of `paths` (one file, or all parts in order),
/// following V2 sidecars in `_delta_log/_sidecars/`.
Result<std::vector<Action>> ReadCheckpoint(const io::Location& table_root,
                                           const std::vector<std::string>& paths);
/// The same, handing each action to `sink` as it is read.
Status ReadCheckpoint(const io::Location& table_root, const std::vector<std::string>& paths,
                      const ActionSink& sink, const RowHint& expect_rows = {});

}  // namespace basin::delta
