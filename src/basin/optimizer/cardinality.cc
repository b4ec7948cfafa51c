#include "basin/optimizer/cardinality.h"

#include <algorithm>

#include "basin/optimizer/column_references.h"

namespace basin::optimizer {

using plan::ExprPtr;
using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;

bool IsColumnEquality(const ExprPtr& e) {
  return e->kind == plan::ExprKind::kCall && e->scalar && e->scalar->name == "=" &&
         e->children.size() == 2 && e->children[0]->kind == plan::ExprKind::kColumn &&
         e->children[1]->kind == plan::ExprKind::kColumn;
}

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
      // Matching pairs: |l| * |r| times the key's selectivity (EquiJoinSelectivity), halved by
      // each other condition.
      double pairs = l * r;
      if (node.condition) {
        const int left_width = node.children[0]->schema->num_fields();
        std::vector<ExprPtr> parts;
        SplitConjuncts(node.condition, &parts);
        KeySide a{l, BaseRows(*node.children[0]), {}};
        KeySide b{r, BaseRows(*node.children[1]), {}};
        for (const auto& p : parts) {
          const bool column_equality = IsColumnEquality(p);
          int x = column_equality ? p->children[0]->column_index : -1;
          int y = column_equality ? p->children[1]->column_index : -1;
          if (x > y) std::swap(x, y);
          if (column_equality && x < left_width && y >= left_width) {
            a.domain_distinct.push_back(DomainDistinct(*node.children[0], x));
            b.domain_distinct.push_back(DomainDistinct(*node.children[1], y - left_width));
          } else {
            pairs *= 0.5;
          }
        }
        if (!a.domain_distinct.empty()) pairs *= EquiJoinSelectivity(a, b);
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

namespace {

double DistinctBound(const PlanNode& node, int column, bool cap) {
  switch (node.kind) {
    case PlanKind::kScan:
      if (column < static_cast<int>(node.column_distinct.size())) return node.column_distinct[column];
      return -1;
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit: {
      double d = DistinctBound(*node.children[0], column, cap);
      return d < 0 || !cap ? d : std::min(d, Estimate(node));
    }
    case PlanKind::kProject: {
      if (column >= static_cast<int>(node.exprs.size())) return -1;
      const auto& e = node.exprs[column];
      if (e->kind != plan::ExprKind::kColumn) return -1;
      return DistinctBound(*node.children[0], e->column_index, cap);
    }
    case PlanKind::kJoin: {
      int left = node.children[0]->schema->num_fields();
      if (column < left) return DistinctBound(*node.children[0], column, cap);
      return DistinctBound(*node.children[1], column - left, cap);
    }
    default: return -1;
  }
}

}  // namespace

double Distinct(const PlanNode& node, int column) { return DistinctBound(node, column, true); }

double DomainDistinct(const PlanNode& node, int column) {
  return DistinctBound(node, column, false);
}

double BaseRows(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kFilter:
    case PlanKind::kProject:
    case PlanKind::kSort:
      return BaseRows(*node.children[0]);
    default:
      return Estimate(node);
  }
}

double EquiJoinSelectivity(const KeySide& a, const KeySide& b) {
  auto unique = [](const KeySide& side) {
    double product = 1;
    for (double d : side.domain_distinct) product *= d < 0 ? side.rows : std::max(1.0, d);
    return product >= side.rows;
  };
  const bool ua = unique(a), ub = unique(b);
  // A key that may be unique on its side is taken as a primary key: each row of the other
  // side matches one of its base rows, kept when it passed the side's filters. When both may
  // be, the smaller base is the primary key (foreign keys sit on the bigger side).
  if (ua && ub) return 1.0 / std::max(1.0, std::min(a.base_rows, b.base_rows));
  if (ub) return 1.0 / std::max(1.0, b.base_rows);
  if (ua) return 1.0 / std::max(1.0, a.base_rows);
  // Else the key containment assumption on the most selective column.
  double divisor = 1;
  for (size_t i = 0; i < a.domain_distinct.size() && i < b.domain_distinct.size(); ++i) {
    const double da = a.domain_distinct[i] < 0 ? a.rows : std::min(a.domain_distinct[i], a.rows);
    const double db = b.domain_distinct[i] < 0 ? b.rows : std::min(b.domain_distinct[i], b.rows);
    divisor = std::max(divisor, std::max(da, db));
  }
  return 1.0 / divisor;
}

}  // namespace basin::optimizer
