#include "basin/exec/remap_columns.h"

namespace basin::exec {

plan::ExprPtr RemapColumns(const plan::ExprPtr& expr, const std::function<int(int)>& map) {
  if (!expr) return expr;
  auto copy = std::make_shared<plan::Expr>(*expr);
  if (copy->kind == plan::ExprKind::kColumn) copy->column_index = map(copy->column_index);
  for (auto& child : copy->children) child = RemapColumns(child, map);
  if (copy->filter) copy->filter = RemapColumns(copy->filter, map);
  return copy;
}

}  // namespace basin::exec
