#pragma once

// JSON string text as Spark writes it (Jackson): the short escapes \" \\ \n \r \t \b \f,
// other control characters as \u00XX in upper-case hex, everything else (UTF-8 included) as is.

#include <string>
#include <string_view>

namespace basin::types {

/// Appends `text` to `out` as a quoted JSON string, escaped as Spark's to_json escapes it.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace basin::types
