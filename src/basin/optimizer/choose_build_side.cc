// Rule: a hash join builds its right input and streams its left one. When the left input is
// estimated to be much smaller, the join is marked to build the left side instead (the mark a
// BROADCAST hint on the left sets); semi and anti joins then build their left rows and let the
// right side probe them. Joins that carry a hint keep it.

#include "basin/optimizer/cardinality.h"
#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {

namespace {

using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;

// Left is built when it is estimated this many times smaller than right.
constexpr double kBuildLeftRatio = 4.0;

bool CanBuildLeft(JoinType type) {
  switch (type) {
    case JoinType::kInner:
    case JoinType::kLeft:
    case JoinType::kRight:
    case JoinType::kFull:
    case JoinType::kLeftSemi:
    case JoinType::kLeftAnti:
      return true;
    case JoinType::kCross:
      return false;
  }
  return false;
}

}  // namespace

PlanPtr ChooseBuildSide(const PlanPtr& node) {
  if (!node) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  for (auto& child : copy->children) child = ChooseBuildSide(child);
  if (copy->kind == PlanKind::kJoin && copy->broadcast_side.empty() && copy->condition &&
      CanBuildLeft(copy->join_type) && copy->children.size() == 2) {
    const double left = Estimate(*copy->children[0]);
    const double right = Estimate(*copy->children[1]);
    if (left * kBuildLeftRatio < right) copy->broadcast_side = "left";
  }
  return copy;
}

}  // namespace basin::optimizer
