#pragma once

// The predicate language of Delta's replaceWhere option: comparisons (=, <=>, !=, <>, <, <=, >,
// >=) of columns and literals, IN (...), IS [NOT] NULL, AND, OR, NOT and parentheses. Literals are
// numbers, 'strings', true/false/null, DATE'...' and TIMESTAMP'...'.

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <arrow/array.h>
#include <arrow/table.h>

#include "basin/base/status.h"

namespace basin::delta {

struct PredicateNode;

/// A parsed predicate over a table's columns.
class Predicate {
 public:
  /// Parses `text`; malformed text gives INVALID_PARAMETER_VALUE.
  static Result<Predicate> Parse(std::string_view text);

  /// The column names the predicate refers to, as written.
  const std::set<std::string>& columns() const { return columns_; }
  const std::string& text() const { return text_; }

  /// Evaluates the predicate on every row of `data` with SQL semantics: the result is null
  /// where the predicate is unknown. Column names match case-insensitively; an unknown column
  /// gives DELTA_COLUMN_NOT_FOUND.
  Result<std::shared_ptr<arrow::BooleanArray>> Evaluate(const arrow::Table& data) const;

 private:
  std::shared_ptr<const PredicateNode> root_;
  std::set<std::string> columns_;
  std::string text_;
};

}  // namespace basin::delta
