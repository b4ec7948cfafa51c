#include "basin/connect/column_metadata.h"

#include <string>
#include <vector>

#include <google/protobuf/message.h>

namespace basin::connect {

namespace {

namespace proto = spark::connect;
using Metadata = std::vector<std::string>;  // per output column; "" when it has none

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whether an alias anywhere in `message` carries metadata.
bool SetsMetadata(const google::protobuf::Message& message) {
  if (auto* alias = dynamic_cast<const proto::Expression::Alias*>(&message)) {
    if (alias->has_metadata()) return true;
  }
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        if (SetsMetadata(reflection->GetRepeatedMessage(message, field, i))) return true;
      }
    } else if (SetsMetadata(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

class MetadataWalker {
 public:
  explicit MetadataWalker(PlanTranslator& t) : t_(t) {}

  // The metadata of each output column of `r` (as many entries as the schema has fields).
  Result<Metadata> Of(const proto::Relation& r) {
    ASSIGN_OR_RAISE(auto schema, t_.Schema(r));
    ASSIGN_OR_RAISE(auto out, Compute(r, *schema));
    out.resize(schema->num_fields());
    return out;
  }

 private:
  struct Input {
    std::shared_ptr<arrow::Schema> schema;
    Metadata metadata;
    // The metadata of the input column named `name`, or "".
    std::string Find(const std::string& name) const {
      for (int i = 0; i < schema->num_fields(); ++i) {
        if (Lower(schema->field(i)->name()) == Lower(name)) return metadata[i];
      }
      return "";
    }
  };

  Result<Input> InputOf(const proto::Relation& r) {
    Input in;
    ASSIGN_OR_RAISE(in.schema, t_.Schema(r));
    ASSIGN_OR_RAISE(in.metadata, Of(r));
    return in;
  }

  static std::string LastPart(const std::string& identifier) {
    auto dot = identifier.rfind('.');
    std::string name = dot == std::string::npos ? identifier : identifier.substr(dot + 1);
    if (name.size() >= 2 && name.front() == '`' && name.back() == '`') {
      name = name.substr(1, name.size() - 2);
    }
    return name;
  }

  // A select-list item: metadata given by an alias, or kept by a column reference.
  static void AddItem(const proto::Expression& e, const Input* in, Metadata& out) {
    if (e.has_alias()) {
      const auto& alias = e.alias();
      if (alias.has_metadata()) {
        out.push_back(alias.metadata());
      } else if (alias.expr().has_unresolved_attribute() && in) {
        out.push_back(in->Find(LastPart(alias.expr().unresolved_attribute().unparsed_identifier())));
      } else {
        out.push_back("");
      }
    } else if (e.has_unresolved_attribute() && in) {
      out.push_back(in->Find(LastPart(e.unresolved_attribute().unparsed_identifier())));
    } else if (e.has_unresolved_star() && in) {
      out.insert(out.end(), in->metadata.begin(), in->metadata.end());
    } else {
      out.push_back("");
    }
  }

  // Output columns matched by name to the columns of `inputs` (first match).
  static Metadata ByName(const arrow::Schema& schema, const std::vector<const Input*>& inputs) {
    Metadata out;
    for (const auto& f : schema.fields()) {
      std::string found;
      for (const auto* in : inputs) {
        found = in->Find(f->name());
        if (!found.empty()) break;
      }
      out.push_back(found);
    }
    return out;
  }

  Result<Metadata> Compute(const proto::Relation& r, const arrow::Schema& schema) {
    using R = proto::Relation;
    auto same_as = [&](const proto::Relation& input) -> Result<Metadata> { return Of(input); };
    switch (r.rel_type_case()) {
      case R::kFilter: return same_as(r.filter().input());
      case R::kSort: return same_as(r.sort().input());
      case R::kLimit: return same_as(r.limit().input());
      case R::kOffset: return same_as(r.offset().input());
      case R::kSample: return same_as(r.sample().input());
      case R::kHint: return same_as(r.hint().input());
      case R::kRepartition: return same_as(r.repartition().input());
      case R::kRepartitionByExpression: return same_as(r.repartition_by_expression().input());
      case R::kDeduplicate: return same_as(r.deduplicate().input());
      case R::kSubqueryAlias: return same_as(r.subquery_alias().input());
      case R::kWithWatermark: return same_as(r.with_watermark().input());
      case R::kCollectMetrics: return same_as(r.collect_metrics().input());
      case R::kToDf: return same_as(r.to_df().input());
      case R::kWithColumnsRenamed: return same_as(r.with_columns_renamed().input());
      case R::kSampleBy: return same_as(r.sample_by().input());
      case R::kWithRelations: return same_as(r.with_relations().root());
      case R::kProject: {
        Metadata out;
        if (!r.project().has_input()) {
          for (const auto& e : r.project().expressions()) AddItem(e, nullptr, out);
          return out;
        }
        ASSIGN_OR_RAISE(auto in, InputOf(r.project().input()));
        for (const auto& e : r.project().expressions()) AddItem(e, &in, out);
        return out;
      }
      case R::kWithColumns: {
        ASSIGN_OR_RAISE(auto in, InputOf(r.with_columns().input()));
        Metadata out = in.metadata;
        for (const auto& alias : r.with_columns().aliases()) {
          if (alias.name_size() != 1) continue;
          std::string meta = alias.has_metadata() ? alias.metadata() : "";
          bool replaced = false;
          for (int i = 0; i < in.schema->num_fields(); ++i) {
            if (Lower(in.schema->field(i)->name()) == Lower(alias.name(0))) {
              out[i] = meta;
              replaced = true;
            }
          }
          if (!replaced) out.push_back(meta);
        }
        return out;
      }
      case R::kAggregate: {
        ASSIGN_OR_RAISE(auto in, InputOf(r.aggregate().input()));
        Metadata out;
        for (const auto& e : r.aggregate().grouping_expressions()) AddItem(e, &in, out);
        return out;
      }
      case R::kDrop: {
        ASSIGN_OR_RAISE(auto in, InputOf(r.drop().input()));
        return ByName(schema, {&in});
      }
      case R::kJoin: {
        ASSIGN_OR_RAISE(auto left, InputOf(r.join().left()));
        ASSIGN_OR_RAISE(auto right, InputOf(r.join().right()));
        if (r.join().using_columns_size() == 0) {
          Metadata out = left.metadata;
          bool semi = r.join().join_type() == proto::Join::JOIN_TYPE_LEFT_SEMI ||
                      r.join().join_type() == proto::Join::JOIN_TYPE_LEFT_ANTI;
          if (!semi) out.insert(out.end(), right.metadata.begin(), right.metadata.end());
          return out;
        }
        return ByName(schema, {&left, &right});
      }
      case R::kSetOp: return same_as(r.set_op().left_input());
      default: return Metadata{};
    }
  }

  PlanTranslator& t_;
};

}  // namespace

Result<std::shared_ptr<arrow::Schema>> WithColumnMetadata(const proto::Relation& relation,
                                                          std::shared_ptr<arrow::Schema> schema,
                                                          PlanTranslator& translator) {
  if (!SetsMetadata(relation)) return schema;
  MetadataWalker walker(translator);
  ASSIGN_OR_RAISE(auto metadata, walker.Of(relation));
  arrow::FieldVector fields;
  for (int i = 0; i < schema->num_fields(); ++i) {
    auto field = schema->field(i);
    if (i < static_cast<int>(metadata.size()) && !metadata[i].empty()) {
      field = field->WithMergedMetadata(arrow::KeyValueMetadata::Make({kSparkMetadataKey},
                                                                      {metadata[i]}));
    }
    fields.push_back(field);
  }
  return arrow::schema(fields, schema->metadata());
}

}  // namespace basin::connect
