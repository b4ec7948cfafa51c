#pragma once

// `basin serve`: the Spark Connect gRPC server on a warehouse.

#include <string>

#include "basin/base/status.h"

namespace basin::connect {

struct ServerOptions {
  std::string host = "127.0.0.1";  ///< loopback unless told otherwise
  int port = 15002;
  std::string warehouse;
  std::string metastore;
};

/// Starts the server, prints a ready line on stdout, and serves until SIGTERM or SIGINT, then
/// shuts down gracefully (running operations are cancelled, open streams end).
Status Serve(const ServerOptions& options);

}  // namespace basin::connect
