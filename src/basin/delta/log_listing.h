#pragma once

// Listing `_delta_log`: which commit and checkpoint files exist, recognised by name
// (PROTOCOL.md, "Delta Log Entries", "Checkpoints"). Hidden files, checksums, compaction files and
// names we do not know are left out.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"
#include "basin/io/file_system.h"

namespace basin::delta {

/// One checkpoint at a version: a classic file, all parts of a multi-part one, or a V2 file.
struct CheckpointFiles {
  int64_t version = 0;
  enum class Kind { kClassic, kMultiPart, kV2 } kind = Kind::kClassic;
  /// Paths, in part order for multi-part checkpoints.
  std::vector<std::string> paths;
  /// For multi-part: the number of parts the names promise; complete when paths.size() equals it.
  int parts_expected = 1;

  bool complete() const { return static_cast<int>(paths.size()) == parts_expected; }
};

/// The recognised files of a table's log.
struct LogListing {
  /// Commit files by version.
  std::map<int64_t, CommitFile> commits;
  /// Complete and incomplete checkpoints, newest first; several per version are possible.
  std::vector<CheckpointFiles> checkpoints;
  /// True if `_delta_log` exists.
  bool log_exists = false;
};

/// Lists `_delta_log` of `table_root`.
Result<LogListing> ListLog(const io::Location& table_root);

}  // namespace basin::delta
