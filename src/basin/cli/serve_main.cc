// The `basin-serve` executable: the Spark Connect server. `basin serve ...` replaces itself
// with it, so that one-shot commands (`basin sql`, `basin table`) do not load gRPC and
// protobuf (docs/decisions/0008-server-executable.md). It takes serve's options; the warehouse
// and metastore come from BASIN_WAREHOUSE / BASIN_METASTORE (or --warehouse / --metastore).

#include <cstdlib>
#include <string>
#include <vector>

#include <arrow/compute/initialize.h>

#include "basin/cli/process.h"
#include "basin/cli/serve_command.h"

int main(int argc, char** argv) {
  basin::cli::SetAllocatorSettings();
  std::vector<std::string> args(argv + 1, argv + argc);
  basin::cli::TakeGlobalOptions(&args);
  if (auto st = arrow::compute::Initialize(); !st.ok()) {
    return basin::cli::ReportStatus(st);
  }
  return basin::cli::ReportStatus(basin::cli::RunServeCommand(args));
}
