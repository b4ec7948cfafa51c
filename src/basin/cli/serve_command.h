#pragma once

// `basin serve`: the Spark Connect server on the local warehouse.

#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::cli {

std::string ServeUsage();

/// Runs `basin serve [--port N] [--host H]` until SIGTERM / SIGINT.
Status RunServeCommand(const std::vector<std::string>& args);

}  // namespace basin::cli
