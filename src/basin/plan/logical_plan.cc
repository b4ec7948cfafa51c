#include "basin/plan/logical_plan.h"

namespace basin::plan {

std::string ExprListString(const std::vector<ExprPtr>& exprs, const arrow::Schema* names) {
  std::string out;
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i) out += ", ";
    out += exprs[i] ? ToString(*exprs[i]) : "?";
    // Show the output name where it is not just the column reference itself.
    if (names && static_cast<int>(i) < names->num_fields() && exprs[i] &&
        exprs[i]->kind != ExprKind::kColumn) {
      out += " AS " + names->field(static_cast<int>(i))->name();
    }
  }
  return out;
}

const char* JoinTypeName(JoinType type) {
  switch (type) {
    case JoinType::kInner:
      return "Inner";
    case JoinType::kLeft:
      return "LeftOuter";
    case JoinType::kRight:
      return "RightOuter";
    case JoinType::kFull:
      return "FullOuter";
    case JoinType::kLeftSemi:
      return "LeftSemi";
    case JoinType::kLeftAnti:
      return "LeftAnti";
    case JoinType::kCross:
      return "Cross";
  }
  return "?";
}

const char* FormatName(ScanSource::Format format) {
  switch (format) {
    case ScanSource::Format::kDelta:
      return "delta";
    case ScanSource::Format::kParquet:
      return "parquet";
    case ScanSource::Format::kJson:
      return "json";
    case ScanSource::Format::kCsv:
      return "csv";
    case ScanSource::Format::kText:
      return "text";
  }
  return "?";
}

namespace {

std::string NodeLine(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kScan: {
      std::string out = std::string("Scan ") + FormatName(node.scan.format) + " " + node.scan.path;
      if (node.scan.version) out += " VERSION AS OF " + std::to_string(*node.scan.version);
      if (node.scan.timestamp) out += " TIMESTAMP AS OF " + *node.scan.timestamp;
      out += " [";
      if (node.schema) {
        for (int i = 0; i < node.schema->num_fields(); ++i) {
          out += (i ? ", " : "") + node.schema->field(i)->name();
        }
      }
      out += "]";
      if (!node.scan.partition_columns.empty()) {
        out += " PartitionColumns: [";
        for (size_t i = 0; i < node.scan.partition_columns.size(); ++i) {
          out += (i ? ", " : "") + node.scan.partition_columns[i];
        }
        out += "]";
      }
      if (!node.pushed_filters.empty()) {
        out += " PushedFilters: [" + ExprListString(node.pushed_filters, nullptr) + "]";
      }
      return out;
    }
    case PlanKind::kValues:
      return "Values [" + std::to_string(node.values ? node.values->num_rows() : 0) + " rows]";
    case PlanKind::kProject:
      return "Project [" + ExprListString(node.exprs, node.schema.get()) + "]";
    case PlanKind::kFilter:
      return "Filter " + (node.condition ? ToString(*node.condition) : std::string("?"));
    case PlanKind::kAggregate: {
      std::string out = "Aggregate [group: " + ExprListString(node.group_by, nullptr) + "]";
      if (!node.grouping_sets.empty()) {
        out += " [sets: ";
        for (size_t s = 0; s < node.grouping_sets.size(); ++s) {
          out += s ? ", (" : "(";
          for (size_t i = 0; i < node.grouping_sets[s].size(); ++i) {
            out += (i ? ", " : "") + std::to_string(node.grouping_sets[s][i]);
          }
          out += ")";
        }
        out += "]";
      }
      return out + " [" + ExprListString(node.aggregates, nullptr) + "]";
    }
    case PlanKind::kWindow:
      return "Window [" + ExprListString(node.exprs, nullptr) + "]";
    case PlanKind::kJoin: {
      std::string out = std::string("Join ") + JoinTypeName(node.join_type);
      if (node.condition) out += " " + ToString(*node.condition);
      if (!node.broadcast_side.empty()) out += " [broadcast " + node.broadcast_side + "]";
      return out;
    }
    case PlanKind::kSort: {
      std::string out = "Sort [";
      for (size_t i = 0; i < node.sort_keys.size(); ++i) {
        out += (i ? ", " : "") + ToString(node.sort_keys[i]);
      }
      return out + "]";
    }
    case PlanKind::kLimit: {
      std::string out = "Limit " + std::to_string(node.limit);
      if (node.offset) out += " Offset " + std::to_string(node.offset);
      return out;
    }
    case PlanKind::kSetOp: {
      const char* name = node.set_op == SetOpKind::kUnion       ? "Union"
                         : node.set_op == SetOpKind::kIntersect ? "Intersect"
                                                                : "Except";
      return std::string(name) + (node.all ? " All" : " Distinct");
    }
    case PlanKind::kGenerate:
      return "Generate " + node.generator + (node.outer ? " outer" : "") + "(" +
             ExprListString(node.generator_args, nullptr) + ")";
    case PlanKind::kDistinct:
      return "Distinct";
    case PlanKind::kRange:
      return "Range (" + std::to_string(node.range_start) + ", " + std::to_string(node.range_end) +
             ", step=" + std::to_string(node.range_step) + ")";
    case PlanKind::kSample: {
      return "Sample " + std::to_string(node.fraction) + " seed " + std::to_string(node.seed);
    }
  }
  return "?";
}

void Render(const PlanNode& node, int depth, std::string* out) {
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(NodeLine(node));
  out->push_back('\n');
  for (const auto& child : node.children) {
    if (child) Render(*child, depth + 1, out);
  }
}

}  // namespace

std::string ToString(const PlanNode& plan) {
  std::string out;
  Render(plan, 0, &out);
  return out;
}

}  // namespace basin::plan
