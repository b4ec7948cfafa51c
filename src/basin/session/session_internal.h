#pragma once

// Small helpers shared by the session's statement files.

#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

namespace basin::session {

/// Returns `s` in lower case (ASCII).
std::string Lower(std::string s);
/// Returns `s` in upper case (ASCII).
std::string Upper(std::string s);
/// Returns a table of non-null string columns `names` holding `rows`.
std::shared_ptr<arrow::Table> StringTable(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::string>>& rows);

}  // namespace basin::session
