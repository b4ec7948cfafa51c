#pragma once

// Quoting for SQL text that the Connect layer writes for the session (catalog calls, writes and
// Delta utilities run as SQL statements).

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "basin/base/status.h"
#include "basin/sql/parser.h"

namespace basin::connect {

/// `s` in lower case (names compare case-insensitively, as Spark's do).
inline std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// Returns the short name of a data source as Spark accepts it: "json" for "JSON" or
/// "org.apache.spark.sql.json", "delta" for "io.delta.sql" / "org.apache.spark.sql.delta".
inline std::string SourceName(const std::string& source) {
  std::string s = Lower(source);
  for (const char* prefix : {"org.apache.spark.sql.execution.datasources.", "org.apache.spark.sql.",
                             "io.delta.sql.", "io.delta."}) {
    std::string p = prefix;
    if (s.rfind(p, 0) == 0 && s.size() > p.size()) {
      s = s.substr(p.size());
      break;
    }
  }
  if (s == "sql" || s == "io.delta") return "delta";
  return s;
}

/// Returns `part` back-quoted, with back quotes doubled.
inline std::string QuoteIdentifier(const std::string& part) {
  std::string out = "`";
  for (char c : part) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

/// Returns `text` as a single-quoted SQL string literal.
inline std::string QuoteString(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

/// Returns the parts of a name joined with dots, each back-quoted.
inline std::string QuoteParts(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ".";
    out += QuoteIdentifier(part);
  }
  return out;
}

/// Returns a name as clients write it ("db.t", "`my t`") in quoted form.
inline Result<std::string> QuotedName(const std::string& name) {
  ASSIGN_OR_RAISE(auto parts, sql::ParseMultipartIdentifier(name));
  return QuoteParts(parts);
}

}  // namespace basin::connect
