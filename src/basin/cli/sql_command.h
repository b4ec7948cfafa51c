#pragma once

// `basin sql`: an interactive SQL shell on the local warehouse, or `-e TEXT` / `-f FILE` run
// non-interactively.

#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::cli {

/// Returns the usage text of `basin sql`.
std::string SqlUsage();

/// Runs `basin sql ARGS...`.
Status RunSqlCommand(const std::vector<std::string>& args);

}  // namespace basin::cli
