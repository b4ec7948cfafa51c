#pragma once

// `basin table ...`: read, write, history, detail, restore, vacuum and changes of a Delta table
// given by its path.

#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::cli {

/// Runs `basin table <args...>`; returns the process exit status after printing results.
Status RunTableCommand(const std::vector<std::string>& args);

/// Returns the usage text of `basin table`.
std::string TableUsage();

}  // namespace basin::cli
