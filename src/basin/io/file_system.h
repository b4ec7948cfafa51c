#pragma once

// Storage access for Basin: every table path goes through Arrow's FileSystem interface, so object
// stores can follow the local disk. Adds the one primitive Delta commits need and Arrow lacks:
// an atomic put-if-absent.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/filesystem/filesystem.h>

#include "basin/base/status.h"

namespace basin::io {

using FileSystemPtr = std::shared_ptr<arrow::fs::FileSystem>;

/// A file system and a path inside it, e.g. the local disk and "/data/t".
struct Location {
  FileSystemPtr fs;
  std::string path;

  /// Returns the location of `relative` below this one.
  Location Child(std::string_view relative) const;
};

/// Resolves a URI ("file:///x", "s3://b/k") or a local path (made absolute) to a Location.
Result<Location> ResolveLocation(std::string_view uri_or_path);

/// Reads a whole file into a string.
Result<std::string> ReadWholeFile(const Location& file);

/// Writes `data` to `file`, replacing it if it exists; the write is atomic on the local disk
/// (temp file + rename), so readers see the old or the new content, never a mix.
Status WriteWholeFile(const Location& file, std::string_view data);

/// Writes `data` to `file` only if no file is there, atomically: of two racing writers exactly one
/// succeeds; the other gets a status for which IsAlreadyExists() is true.
Status PutIfAbsent(const Location& file, std::string_view data);

/// Returns true if `status` came from PutIfAbsent finding the file already there.
bool IsAlreadyExists(const Status& status);

/// Lists the direct children of `dir` (files and folders), sorted by path. A missing dir gives
/// an empty list when `allow_missing`, else an IOError.
Result<std::vector<arrow::fs::FileInfo>> ListDirectory(const Location& dir, bool allow_missing);

/// Whether `path` holds a glob pattern (`*`, `?` or `[...]`), as Spark's readers accept.
bool HasGlob(std::string_view path);

/// The files a read of `path` covers, sorted by path: the file itself; every visible file below
/// a folder (names starting with '_' or '.' are hidden, as in Spark); or, for a glob pattern
/// (`/raw/*.json`, `/data/2024-*/part-?.csv`), the visible files matching it and those below
/// matching folders. Fails with PATH_NOT_FOUND when the path or pattern matches nothing.
Result<std::vector<arrow::fs::FileInfo>> ListInputFiles(const Location& path);

/// Returns true if `path` exists (file or folder).
Result<bool> Exists(const Location& location);

}  // namespace basin::io
