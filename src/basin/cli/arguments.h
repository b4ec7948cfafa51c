#pragma once

// Command-line arguments of one `basin` subcommand: positionals, `--name value`, `--name=value`
// and boolean `--name` flags, checked against what the subcommand accepts.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "basin/base/status.h"

namespace basin::cli {

class Arguments {
 public:
  /// Parses `args` for `command` (used in messages). Options in `valued` take a value, those in
  /// `flags` take none; anything else starting with "--" is an error.
  static Result<Arguments> Parse(const std::string& command, const std::vector<std::string>& args,
                                 const std::set<std::string>& valued,
                                 const std::set<std::string>& flags);

  const std::vector<std::string>& positional() const { return positional_; }
  /// Returns the last value given for `name`.
  std::optional<std::string> Get(const std::string& name) const;
  /// Returns every value given for a repeatable option, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  /// Returns the option as an integer, or INVALID_PARAMETER_VALUE naming it.
  Result<std::optional<int64_t>> GetInt(const std::string& name) const;
  /// Splits a comma-separated option into its trimmed, non-empty parts.
  std::vector<std::string> GetList(const std::string& name) const;

 private:
  std::string command_;
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace basin::cli
