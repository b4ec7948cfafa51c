#include "basin/optimizer/cardinality.h"

#include <algorithm>

#include "basin/optimizer/column_references.h"

namespace basin::optimizer {

using plan::ExprPtr;
using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;

double Estimate(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kScan: return node.estimated_rows >= 0 ? static_cast<double>(node.estimated_rows) : 1e6;
    case PlanKind::kValues: return node.values ? static_cast<double>(node.values->num_rows()) : 1;
    case PlanKind::kRange:
      return std::max<double>(1, static_cast<double>(node.range_end - node.range_start) /
                                     static_cast<double>(std::max<int64_t>(1, node.range_step)));
    case PlanKind::kFilter: {
      std::vector<ExprPtr> parts;
      SplitConjuncts(node.condition, &parts);
      double rows = Estimate(*node.children[0]);
      for (const auto& p : parts) {
        bool equality = p->kind == plan::ExprKind::kCall && p->scalar && p->scalar->name == "=";
        rows *= equality ? 0.1 : 0.5;
      }
      return std::max(1.0, rows);
    }
    case PlanKind::kAggregate: return std::max(1.0, Estimate(*node.children[0]) * 0.1);
    case PlanKind::kLimit: return node.limit >= 0 ? static_cast<double>(node.limit) : Estimate(*node.children[0]);
    case PlanKind::kJoin: {
      double l = Estimate(*node.children[0]);
      double r = Estimate(*node.children[1]);
      if (node.join_type == JoinType::kLeftSemi || node.join_type == JoinType::kLeftAnti) return l;
      // Matching pairs: |l| * |r|, divided by the larger distinct count of each column
      // equality (the key containment assumption), halved by each other condition.
      double pairs = l * r;
      if (node.condition) {
        const int left_width = node.children[0]->schema->num_fields();
        std::vector<ExprPtr> parts;
        SplitConjuncts(node.condition, &parts);
        for (const auto& p : parts) {
          const bool column_equality =
              p->kind == plan::ExprKind::kCall && p->scalar && p->scalar->name == "=" &&
              p->children.size() == 2 && p->children[0]->kind == plan::ExprKind::kColumn &&
              p->children[1]->kind == plan::ExprKind::kColumn;
          int a = column_equality ? p->children[0]->column_index : -1;
          int b = column_equality ? p->children[1]->column_index : -1;
          if (a > b) std::swap(a, b);
          if (column_equality && a < left_width && b >= left_width) {
            double da = Distinct(*node.children[0], a);
            double db = Distinct(*node.children[1], b - left_width);
            da = da < 0 ? l : std::min(da, l);
            db = db < 0 ? r : std::min(db, r);
            pairs /= std::max(1.0, std::max(da, db));
          } else {
            pairs *= 0.5;
          }
        }
      }
      pairs = std::max(1.0, pairs);
      switch (node.join_type) {
        case JoinType::kLeft: return std::max(pairs, l);
        case JoinType::kRight: return std::max(pairs, r);
        case JoinType::kFull: return std::max(pairs, std::max(l, r));
        default: return pairs;
      }
    }
    default:
      return node.children.empty() ? 1e6 : Estimate(*node.children[0]);
  }
}

double Distinct(const PlanNode& node, int column) {
  switch (node.kind) {
    case PlanKind::kScan:
      if (column < static_cast<int>(node.column_distinct.size())) return node.column_distinct[column];
      return -1;
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit: {
      double d = Distinct(*node.children[0], column);
      return d < 0 ? d : std::min(d, Estimate(node));
    }
    case PlanKind::kProject: {
      if (column >= static_cast<int>(node.exprs.size())) return -1;
      const auto& e = node.exprs[column];
      if (e->kind != plan::ExprKind::kColumn) return -1;
      return Distinct(*node.children[0], e->column_index);
    }
    case PlanKind::kJoin: {
      int left = node.children[0]->schema->num_fields();
      if (column < left) return Distinct(*node.children[0], column);
      return Distinct(*node.children[1], column - left);
    }
    default: return -1;
  }
}

}  // namespace basin::optimizer
