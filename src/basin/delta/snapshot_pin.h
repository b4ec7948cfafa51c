#pragma once

// Pinning a snapshot for the length of one statement, so that the statement replays the log once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basin/delta/snapshot.h"

namespace basin::delta {

/// While a pin lives, Snapshot::Load on the same thread of the pinned table at the pinned
/// version (asked for by version, as the analysis and the scan of a DML statement's target ask
/// for the version the statement read) returns the pinned snapshot instead of listing and
/// replaying the log again. Loads of a later version whose log segment starts with the pinned
/// one's (the same checkpoint, if any; the reload after a commit) replay only the commits after
/// the pinned version on top of it. Loads of the latest version, of an older version or by
/// timestamp list the log as always. Pins nest; they are not copied.
class SnapshotPin {
 public:
  explicit SnapshotPin(std::shared_ptr<const Snapshot> snapshot);
  ~SnapshotPin();
  SnapshotPin(const SnapshotPin&) = delete;
  SnapshotPin& operator=(const SnapshotPin&) = delete;

  /// Returns the snapshot pinned on this thread for `table_root` at `version`, or null.
  static std::shared_ptr<const Snapshot> Find(const io::Location& table_root, int64_t version);

  /// Returns a snapshot pinned on this thread for `table_root` at a version below `version`
  /// (and not below the checkpoint) that was replayed from the checkpoint `checkpoint_files`
  /// of `checkpoint_version` (none: from version 0), or null.
  static std::shared_ptr<const Snapshot> FindOlder(
      const io::Location& table_root, int64_t version, std::optional<int64_t> checkpoint_version,
      const std::vector<std::string>& checkpoint_files);

 private:
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace basin::delta
