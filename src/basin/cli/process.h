#pragma once

// What both executables (`basin` and `basin-serve`) do around their commands: allocator
// settings at start, the error message and exit status at the end.

#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::cli {

/// Keeps freed memory in the allocator for 1 s and turns transparent huge pages off (see
/// docs/decisions/0003-allocator-purge-delay.md). Call first thing in main().
void SetAllocatorSettings();

/// Takes the options every command accepts anywhere out of `args`: --warehouse DIR (also
/// --warehouse=DIR) and --metastore CONNECTION, which set BASIN_WAREHOUSE / BASIN_METASTORE.
void TakeGlobalOptions(std::vector<std::string>* args);

/// Prints a failed status to stderr ("[CLASS] message" for user errors, [INTERNAL_ERROR]
/// otherwise) and returns the exit code: 0 when `status` is OK, else 1.
int ReportStatus(const Status& status);

/// Ends a one-shot command without process teardown, after flushing its output (see
/// docs/decisions/0005-exit-without-teardown.md).
[[noreturn]] void ExitWithoutTeardown(int code);

/// Replaces this process with the `basin-serve` executable next to the running one (see
/// docs/decisions/0008-server-executable.md), passing `args` on. Returns only on failure.
Status ExecServer(const std::vector<std::string>& args);

}  // namespace basin::cli
