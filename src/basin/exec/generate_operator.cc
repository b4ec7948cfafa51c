// Generate: explode, explode_outer, posexplode, posexplode_outer, inline and inline_outer over
// arrays and maps. Each input row repeats once per element; the generator's columns follow the
// child's columns. An outer generator keeps rows whose collection is null or empty, with nulls.

#include <arrow/compute/api.h>

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

enum class GeneratorKind { kExplode, kPosExplode, kInline };


class GenerateOperator : public Operator {
 public:
  GenerateOperator(const plan::PlanNode& node, GeneratorKind kind, bool outer, OperatorPtr child,
                   QueryContext* context)
      : args_(node.generator_args),
        kind_(kind),
        outer_(outer),
        child_(std::move(child)),
        context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) return batch;
      if (batch->num_rows() == 0) continue;
      ASSIGN_OR_RAISE(auto out, Generate(*batch));
      if (out->num_rows() == 0) continue;
      return out;
    }
  }

 private:
  Result<std::shared_ptr<arrow::RecordBatch>> Generate(const arrow::RecordBatch& batch) {
    ASSIGN_OR_RAISE(auto collection,
                    EvaluateToArray(*args_.at(0), batch, context_->eval(), context_->subqueries()));
    const int64_t n = batch.num_rows();
    std::vector<int64_t> parents;
    std::vector<int64_t> elements;
    std::vector<int64_t> positions;  // -1: null position (outer row)
    std::shared_ptr<arrow::Array> values;
    std::shared_ptr<arrow::Array> map_keys;
    auto add_rows = [&](int64_t i, int64_t start, int64_t length) {
      if (length == 0) {
        if (outer_) {
          parents.push_back(i);
          elements.push_back(-1);
          positions.push_back(-1);
        }
        return;
      }
      for (int64_t k = 0; k < length; ++k) {
        parents.push_back(i);
        elements.push_back(start + k);
        positions.push_back(k);
      }
    };
    switch (collection->type_id()) {
      case arrow::Type::LIST: {
        const auto& list = static_cast<const arrow::ListArray&>(*collection);
        values = list.values();
        for (int64_t i = 0; i < n; ++i) {
          add_rows(i, list.value_offset(i), list.IsNull(i) ? 0 : list.value_length(i));
        }
        break;
      }
      case arrow::Type::LARGE_LIST: {
        const auto& list = static_cast<const arrow::LargeListArray&>(*collection);
        values = list.values();
        for (int64_t i = 0; i < n; ++i) {
          add_rows(i, list.value_offset(i), list.IsNull(i) ? 0 : list.value_length(i));
        }
        break;
      }
      case arrow::Type::MAP: {
        const auto& map = static_cast<const arrow::MapArray&>(*collection);
        map_keys = map.keys();
        values = map.items();
        for (int64_t i = 0; i < n; ++i) {
          add_rows(i, map.value_offset(i), map.IsNull(i) ? 0 : map.value_length(i));
        }
        break;
      }
      default:
        return UserError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
                         "Cannot resolve generator due to data type mismatch: the input should "
                         "be an array or a map, got " +
                             collection->type()->ToString() + ".");
    }
    arrow::ArrayVector columns;
    ASSIGN_OR_RAISE(auto parent_columns, TakeParents(batch, parents));
    columns = std::move(parent_columns);
    const auto rows = static_cast<int64_t>(parents.size());
    if (kind_ == GeneratorKind::kPosExplode) {
      arrow::Int32Builder pos;
      RETURN_NOT_OK(pos.Reserve(rows));
      for (int64_t p : positions) {
        if (p < 0) {
          pos.UnsafeAppendNull();
        } else {
          pos.UnsafeAppend(static_cast<int32_t>(p));
        }
      }
      ASSIGN_OR_RAISE(auto pos_array, pos.Finish());
      columns.push_back(pos_array);
    }
    if (map_keys) {
      ASSIGN_OR_RAISE(auto keys, TakeRows(*map_keys, elements));
      columns.push_back(keys);
    }
    ASSIGN_OR_RAISE(auto items, TakeRows(*values, elements));
    if (kind_ == GeneratorKind::kInline) {
      if (items->type_id() != arrow::Type::STRUCT) {
        return UserError(
            "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE",
            "inline needs an array of structs, got array<" + items->type()->ToString() + ">.");
      }
      const auto& structs = static_cast<const arrow::StructArray&>(*items);
      for (int f = 0; f < structs.num_fields(); ++f) {
        // A null struct (outer row) makes every field null.
        ASSIGN_OR_RAISE(auto field, structs.GetFlattenedField(f));
        columns.push_back(field);
      }
    } else {
      columns.push_back(items);
    }
    return ConformBatch(arrow::RecordBatch::Make(schema_, rows, std::move(columns)), schema_);
  }

  Result<arrow::ArrayVector> TakeParents(const arrow::RecordBatch& batch,
                                         const std::vector<int64_t>& parents) {
    arrow::Int64Builder builder;
    RETURN_NOT_OK(builder.AppendValues(parents));
    ASSIGN_OR_RAISE(auto indices, builder.Finish());
    arrow::ArrayVector out;
    for (const auto& column : batch.columns()) {
      ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(*column, *indices));
      out.push_back(taken);
    }
    return out;
  }

  std::vector<plan::ExprPtr> args_;
  GeneratorKind kind_;
  bool outer_;
  OperatorPtr child_;
  QueryContext* context_;
};

}  // namespace

Result<OperatorPtr> MakeGenerate(const plan::PlanNode& node, OperatorPtr child,
                                 QueryContext* context) {
  std::string name = node.generator;
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool outer = node.outer;
  const std::string suffix = "_outer";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    outer = true;
    name.resize(name.size() - suffix.size());
  }
  GeneratorKind kind;
  if (name == "explode") {
    kind = GeneratorKind::kExplode;
  } else if (name == "posexplode") {
    kind = GeneratorKind::kPosExplode;
  } else if (name == "inline") {
    kind = GeneratorKind::kInline;
  } else {
    return UserError("UNSUPPORTED_GENERATOR.NOT_GENERATOR",
                     "The generator " + node.generator + " is not supported by the executor.");
  }
  if (node.generator_args.size() != 1) {
    return UserError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                     "The `" + node.generator +
                         "` requires 1 parameters but the actual number is " +
                         std::to_string(node.generator_args.size()) + ".");
  }
  return std::make_unique<GenerateOperator>(node, kind, outer, std::move(child), context);
}

}  // namespace basin::exec
