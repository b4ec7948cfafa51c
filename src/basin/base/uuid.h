#pragma once

// Random (version 4) UUIDs, as Delta names files and tables and Spark Connect names sessions,
// operations and responses.

#include <string>
#include <string_view>

namespace basin {

/// A new random UUID in its 36-character text form.
std::string NewUuid();

/// Whether `s` is a UUID in its 36-character text form (any version).
bool IsUuid(std::string_view s);

}  // namespace basin
