#include "basin/exec/physical_plan_text.h"

#include <vector>

#include "basin/exec/join_condition.h"
#include "basin/exec/shared_subplans.h"

namespace basin::exec {
namespace {

using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;

// The output columns of a node, as "name#index".
std::string Columns(const PlanNode& node) {
  std::string out = "[";
  for (int i = 0; node.schema && i < node.schema->num_fields(); ++i) {
    out += (i ? ", " : "") + node.schema->field(i)->name() + "#" + std::to_string(i);
  }
  return out + "]";
}

std::string Keys(const std::vector<EquiKey>& keys, bool left) {
  std::string out = "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    out += (i ? ", " : "") + plan::ToString(*(left ? keys[i].left : keys[i].right));
  }
  return out + "]";
}

std::string SortKeys(const std::vector<plan::SortKey>& keys) {
  std::string out = "[";
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + plan::ToString(keys[i]);
  return out + "]";
}

// A node's line and the children drawn below it (an operator may stand for several nodes, as
// a top-N sort does for Limit over Sort).
struct Line {
  std::string text;
  std::vector<const PlanNode*> children;
};

Line JoinLine(const PlanNode& node) {
  const int left_width =
      node.children.size() > 0 && node.children[0] && node.children[0]->schema
          ? node.children[0]->schema->num_fields()
          : 0;
  // MakeHashJoin builds the right side, unless a "broadcast left" hint (or the optimizer's
  // choose-build-side rule) asks for the left.
  const bool build_left =
      node.broadcast_side == "left" && node.join_type != JoinType::kCross;
  const char* build = build_left ? "BuildLeft" : "BuildRight";
  JoinCondition split = SplitJoinCondition(node, left_width, /*use_keys=*/true);
  std::string text;
  if (!split.keys.empty()) {
    text = "BroadcastHashJoin " + Keys(split.keys, true) + ", " + Keys(split.keys, false) + ", " +
           plan::JoinTypeName(node.join_type) + ", " + build;
    if (split.residual) text += ", " + plan::ToString(*split.residual);
  } else {
    text = std::string("BroadcastNestedLoopJoin ") + build + ", " +
           plan::JoinTypeName(node.join_type);
    if (node.condition) text += ", " + plan::ToString(*node.condition);
  }
  return {text, {node.children[0].get(), node.children[1].get()}};
}

Line NodeLine(const PlanNode& node) {
  auto only_child = [&]() { return std::vector<const PlanNode*>{node.children[0].get()}; };
  switch (node.kind) {
    case PlanKind::kScan: {
      std::string text = std::string("FileScan ") + plan::FormatName(node.scan.format) + " " +
                         Columns(node) + " Location: " + node.scan.path;
      if (node.scan.version) text += ", Version: " + std::to_string(*node.scan.version);
      if (node.scan.timestamp) text += ", Timestamp: " + *node.scan.timestamp;
      if (!node.scan.partition_columns.empty()) {
        text += ", PartitionColumns: [";
        for (size_t i = 0; i < node.scan.partition_columns.size(); ++i) {
          text += (i ? ", " : "") + node.scan.partition_columns[i];
        }
        text += "]";
      }
      text += ", PushedFilters: [" + plan::ExprListString(node.pushed_filters, nullptr) + "]";
      return {text, {}};
    }
    case PlanKind::kValues: return {"LocalTableScan " + Columns(node), {}};
    case PlanKind::kRange:
      return {"Range (" + std::to_string(node.range_start) + ", " +
                  std::to_string(node.range_end) + ", step=" + std::to_string(node.range_step) +
                  ")",
              {}};
    case PlanKind::kProject:
      return {"Project [" + plan::ExprListString(node.exprs, node.schema.get()) + "]",
              only_child()};
    case PlanKind::kFilter:
      return {"Filter " + (node.condition ? plan::ToString(*node.condition) : std::string()),
              only_child()};
    case PlanKind::kAggregate: {
      std::string text = "HashAggregate(keys=[" + plan::ExprListString(node.group_by, nullptr) +
                         "], functions=[" + plan::ExprListString(node.aggregates, nullptr) + "]";
      if (!node.grouping_sets.empty()) {
        text += ", groupingSets=" + std::to_string(node.grouping_sets.size());
      }
      return {text + ")", only_child()};
    }
    case PlanKind::kWindow:
      return {"Window [" + plan::ExprListString(node.exprs, nullptr) + "]", only_child()};
    case PlanKind::kJoin: return JoinLine(node);
    case PlanKind::kSort: return {"Sort " + SortKeys(node.sort_keys) + ", true", only_child()};
    case PlanKind::kLimit: {
      // BuildOperator makes a top-N sort of Limit over Sort, with any projections between
      // them run on the kept rows.
      const PlanNode* top_project = nullptr;
      const PlanNode* child = node.children[0].get();
      while (child && child->kind == PlanKind::kProject && !child->children.empty()) {
        if (!top_project) top_project = child;
        child = child->children[0].get();
      }
      if (node.limit >= 0 && child && child->kind == PlanKind::kSort) {
        std::string text = "TakeOrderedAndProject(limit=" + std::to_string(node.limit);
        if (node.offset) text += ", offset=" + std::to_string(node.offset);
        text += ", orderBy=" + SortKeys(child->sort_keys) + ", output=" +
                (top_project
                     ? "[" + plan::ExprListString(top_project->exprs, top_project->schema.get()) +
                           "]"
                     : Columns(node)) +
                ")";
        return {text, {child->children[0].get()}};
      }
      std::string text = "GlobalLimit " + std::to_string(node.limit);
      if (node.offset) text += ", " + std::to_string(node.offset);
      return {text, only_child()};
    }
    case PlanKind::kSetOp: {
      const char* name = node.set_op == plan::SetOpKind::kUnion       ? "Union"
                         : node.set_op == plan::SetOpKind::kIntersect ? "Intersect"
                                                                      : "Except";
      return {std::string(name) + (node.all ? " All" : " Distinct"),
              {node.children[0].get(), node.children[1].get()}};
    }
    case PlanKind::kGenerate:
      return {"Generate " + node.generator + "(" +
                  plan::ExprListString(node.generator_args, nullptr) + "), outer=" +
                  (node.outer ? "true" : "false"),
              only_child()};
    case PlanKind::kDistinct:
      return {"HashAggregate(keys=" + Columns(node) + ", functions=[])", only_child()};
    case PlanKind::kSample:
      return {"Sample 0.0, " + std::to_string(node.fraction) + ", false, " +
                  std::to_string(node.seed),
              only_child()};
  }
  return {"?", {}};
}

// The shared subplans of the plan being rendered, and those rendered once already.
struct Reuse {
  SharedSubplans shared;
  std::vector<bool> rendered;
};

void Render(const PlanNode& node, const std::string& prefix, const std::string& connector,
            Reuse* reuse, std::string* out) {
  Line line = NodeLine(node);
  // As Spark's ReusedExchange: a shared subplan's later occurrences replay the first one's rows.
  if (const int group = reuse->shared.GroupOf(&node); group >= 0) {
    if (reuse->rendered[group]) {
      line = {"ReusedSubplan " + Columns(node) + ", " + line.text, {}};
    }
    reuse->rendered[group] = true;
  }
  *out += prefix + connector + line.text + "\n";
  // Below a "+- " the column is blank; below a ":- " the sibling line continues with ":".
  std::string child_prefix = prefix + (connector.empty() ? "" : connector == "+- " ? "   " : ":  ");
  std::vector<const PlanNode*> children;
  for (const PlanNode* child : line.children) {
    if (child) children.push_back(child);
  }
  for (size_t i = 0; i < children.size(); ++i) {
    Render(*children[i], child_prefix, i + 1 == children.size() ? "+- " : ":- ", reuse, out);
  }
}

}  // namespace

std::string PhysicalPlanText(const plan::PlanNode& plan) {
  std::string out;
  Reuse reuse{SharedSubplans::Find(plan), {}};
  reuse.rendered.assign(reuse.shared.size(), false);
  Render(plan, "", "", &reuse, &out);
  return out;
}

}  // namespace basin::exec
