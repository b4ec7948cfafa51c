#pragma once

// Data skipping (PROTOCOL.md, "Per-file Statistics"): which files of a snapshot may hold rows
// matching a predicate, judged from partition values and min/max/null-count statistics
// (`stats` JSON or a checkpoint's `stats_parsed`). A file is kept unless its statistics prove
// that no row matches; files without statistics are always kept.

#include <string>
#include <string_view>
#include <vector>

#include "basin/base/status.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {

/// A conjunction of simple conditions: `col op literal` (op one of = != < <= > >=) and
/// `col IS [NOT] NULL`, joined by AND.
class SkippingPredicate {
 public:
  /// Parses `text`; anything outside the supported forms gives INVALID_PARAMETER_VALUE.
  static Result<SkippingPredicate> Parse(std::string_view text);

  /// Returns true unless `file`'s statistics or partition values prove no row can match.
  bool MayMatch(const Snapshot& snapshot, const AddFile& file) const;

  struct Condition {
    std::string column;
    std::string op;  // "=", "!=", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL"
    std::string literal;
    bool literal_is_string = false;
  };

 private:
  std::vector<Condition> conditions_;
};

/// Returns the files of `snapshot` that may hold rows matching `predicate`.
Result<std::vector<AddFile>> SkipFiles(const Snapshot& snapshot, std::string_view predicate);

}  // namespace basin::delta
