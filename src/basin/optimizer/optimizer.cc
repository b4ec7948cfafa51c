#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {

Result<plan::PlanPtr> Optimize(const plan::PlanPtr& plan) {
  auto current = PushFiltersIntoScan(plan);
  current = PruneScanColumns(current);
  return current;
}

}  // namespace basin::optimizer
