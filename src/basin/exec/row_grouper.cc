#include "basin/exec/row_grouper.h"

#include <cmath>
#include <limits>

#include <arrow/compute/exec.h>

#include "basin/exec/integer_keys.h"

namespace basin::exec {
namespace {

// True when `v` must be rewritten to compare as Spark compares grouping and join keys.
template <typename T>
bool NeedsNormalizing(T v) {
  return std::isnan(v) || (v == 0 && std::signbit(v));
}

template <typename ArrayType, typename BuilderType>
Result<std::shared_ptr<arrow::Array>> NormalizeColumn(const std::shared_ptr<arrow::Array>& column) {
  using T = typename ArrayType::value_type;
  const auto& values = static_cast<const ArrayType&>(*column);
  bool any = false;
  for (int64_t i = 0; i < values.length() && !any; ++i) {
    any = values.IsValid(i) && NeedsNormalizing(values.Value(i));
  }
  if (!any) return column;
  BuilderType builder;
  RETURN_NOT_OK(builder.Reserve(values.length()));
  for (int64_t i = 0; i < values.length(); ++i) {
    if (values.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    T v = values.Value(i);
    if (std::isnan(v)) v = std::numeric_limits<T>::quiet_NaN();
    if (v == 0) v = 0;
    builder.UnsafeAppend(v);
  }
  std::shared_ptr<arrow::Array> out;
  RETURN_NOT_OK(builder.Finish(&out));
  return out;
}

}  // namespace

Result<arrow::ArrayVector> NormalizeFloatingKeys(const arrow::ArrayVector& keys) {
  arrow::ArrayVector out = keys;
  for (auto& column : out) {
    switch (column->type_id()) {
      case arrow::Type::DOUBLE: {
        ASSIGN_OR_RAISE(column, (NormalizeColumn<arrow::DoubleArray, arrow::DoubleBuilder>(column)));
        break;
      }
      case arrow::Type::FLOAT: {
        ASSIGN_OR_RAISE(column, (NormalizeColumn<arrow::FloatArray, arrow::FloatBuilder>(column)));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

namespace {

// The types a key becomes when struct keys are split: a struct gives a boolean (its validity)
// then its fields' types, recursively.
void FlatTypes(const std::shared_ptr<arrow::DataType>& type, std::vector<arrow::TypeHolder>* out) {
  if (type->id() != arrow::Type::STRUCT) {
    out->push_back(type);
    return;
  }
  out->push_back(arrow::boolean());
  for (const auto& f : type->fields()) FlatTypes(f->type(), out);
}

void FlatArrays(const std::shared_ptr<arrow::Array>& array, arrow::ArrayVector* out) {
  if (array->type_id() != arrow::Type::STRUCT) {
    out->push_back(array);
    return;
  }
  const auto& s = static_cast<const arrow::StructArray&>(*array);
  arrow::BooleanBuilder valid;
  (void)valid.Reserve(s.length());
  for (int64_t i = 0; i < s.length(); ++i) valid.UnsafeAppend(s.IsValid(i));
  std::shared_ptr<arrow::Array> validity;
  (void)valid.Finish(&validity);
  out->push_back(validity);
  for (int k = 0; k < s.num_fields(); ++k) {
    auto field = s.field(k);  // the field sliced to the struct's rows
    FlatArrays(field, out);
  }
}

// Rebuilds a key of `type` from the flat arrays at `*next` (see FlatTypes).
Result<std::shared_ptr<arrow::Array>> Unflatten(const std::shared_ptr<arrow::DataType>& type,
                                                const arrow::ArrayVector& flat, size_t* next) {
  if (type->id() != arrow::Type::STRUCT) return flat[(*next)++];
  const auto& validity = static_cast<const arrow::BooleanArray&>(*flat[(*next)++]);
  arrow::ArrayVector children;
  for (const auto& f : type->fields()) {
    ASSIGN_OR_RAISE(auto child, Unflatten(f->type(), flat, next));
    children.push_back(child);
  }
  arrow::TypedBufferBuilder<bool> bits;
  RETURN_NOT_OK(bits.Reserve(validity.length()));
  int64_t nulls = 0;
  for (int64_t i = 0; i < validity.length(); ++i) {
    const bool valid = validity.IsValid(i) && validity.Value(i);
    nulls += valid ? 0 : 1;
    bits.UnsafeAppend(valid);
  }
  ASSIGN_OR_RAISE(auto bitmap, bits.Finish());
  return std::make_shared<arrow::StructArray>(type, validity.length(), children,
                                              nulls ? bitmap : nullptr, nulls);
}

}  // namespace

arrow::ArrayVector RowGrouper::Flatten(const arrow::ArrayVector& keys) const {
  if (!has_struct_) return keys;
  arrow::ArrayVector out;
  for (const auto& key : keys) FlatArrays(key, &out);
  return out;
}

Result<std::unique_ptr<RowGrouper>> RowGrouper::Make(
    const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  auto out = std::unique_ptr<RowGrouper>(new RowGrouper());
  out->types_ = types;
  if (IsIntegerKey(types)) {
    out->integers_ = std::make_unique<IntegerKeyGrouper>(types);
    return out;
  }
  if (auto packing = PlanShortKeyPacking(types)) {
    out->integers_ = std::make_unique<IntegerKeyGrouper>(packing->packed_types);
    out->packing_ = std::move(packing);
    return out;
  }
  RETURN_NOT_OK(out->MakeArrowGrouper());
  return out;
}

Status RowGrouper::MakeArrowGrouper() {
  exec_context_ = std::make_unique<arrow::compute::ExecContext>();
  std::vector<arrow::TypeHolder> holders;
  for (const auto& type : types_) {
    has_struct_ |= type->id() == arrow::Type::STRUCT;
    FlatTypes(type, &holders);
  }
  auto grouper = arrow::compute::Grouper::Make(holders, exec_context_.get());
  if (!grouper.ok()) {
    std::string names;
    for (const auto& type : types_) names += (names.empty() ? "" : ", ") + type->ToString();
    return UserError("UNSUPPORTED_FEATURE",
                     "Grouping, joining or comparing rows by keys of type(s) " + names +
                         " is not supported yet: " + grouper.status().message());
  }
  grouper_ = std::move(grouper).ValueUnsafe();
  return Status::OK();
}

Status RowGrouper::LeavePacking() {
  ASSIGN_OR_RAISE(auto uniques, Uniques());
  RETURN_NOT_OK(MakeArrowGrouper());
  integers_.reset();
  packing_.reset();
  if (uniques.empty() || uniques[0]->length() == 0) return Status::OK();
  // Distinct keys in id order get the ids 0, 1, 2, ... again.
  ASSIGN_OR_RAISE(auto ids, Consume(uniques, uniques[0]->length()));
  if (ids->length() > 0 && ids->Value(ids->length() - 1) != ids->length() - 1) {
    return Status::Invalid("group ids changed when leaving packed string keys");
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::UInt32Array>> RowGrouper::Consume(const arrow::ArrayVector& keys,
                                                                int64_t length) {
  if (packing_) {
    arrow::ArrayVector packed;
    ASSIGN_OR_RAISE(bool fits, PackShortKeys(*packing_, keys, length, &packed, nullptr));
    if (fits) {
      ASSIGN_OR_RAISE(auto buffer, arrow::AllocateBuffer(length * 4));
      RETURN_NOT_OK(integers_->Consume(packed, length,
                                       reinterpret_cast<uint32_t*>(buffer->mutable_data())));
      return std::make_shared<arrow::UInt32Array>(length, std::move(buffer));
    }
    RETURN_NOT_OK(LeavePacking());  // a longer string: Arrow's grouper from here on
  }
  if (integers_) {
    ASSIGN_OR_RAISE(auto buffer, arrow::AllocateBuffer(length * 4));
    RETURN_NOT_OK(integers_->Consume(keys, length,
                                     reinterpret_cast<uint32_t*>(buffer->mutable_data())));
    return std::make_shared<arrow::UInt32Array>(length, std::move(buffer));
  }
  ASSIGN_OR_RAISE(auto normalized, NormalizeFloatingKeys(Flatten(keys)));
  std::vector<arrow::Datum> values(normalized.begin(), normalized.end());
  arrow::compute::ExecBatch batch(std::move(values), length);
  arrow::compute::ExecSpan span(batch);
  ASSIGN_OR_RAISE(auto ids, grouper_->Consume(span));
  return std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
}

Result<std::shared_ptr<arrow::UInt32Array>> RowGrouper::Lookup(const arrow::ArrayVector& keys,
                                                               int64_t length) {
  if (integers_) {
    ASSIGN_OR_RAISE(auto buffer, arrow::AllocateBuffer(length * 4));
    auto* ids = reinterpret_cast<uint32_t*>(buffer->mutable_data());
    if (packing_) {
      // A string too long to pack was never consumed: not found.
      arrow::ArrayVector packed;
      std::vector<uint8_t> too_long;
      RETURN_NOT_OK(PackShortKeys(*packing_, keys, length, &packed, &too_long).status());
      integers_->Lookup(packed, length, ids);
      for (int64_t i = 0; i < length; ++i) {
        if (too_long[static_cast<size_t>(i)]) ids[i] = UINT32_MAX;
      }
    } else {
      integers_->Lookup(keys, length, ids);
    }
    ASSIGN_OR_RAISE(auto validity, arrow::AllocateBitmap(length));
    int64_t missing = 0;
    for (int64_t i = 0; i < length; ++i) {
      const bool found = ids[i] != UINT32_MAX;
      missing += found ? 0 : 1;
      arrow::bit_util::SetBitTo(validity->mutable_data(), i, found);
    }
    return std::make_shared<arrow::UInt32Array>(length, std::move(buffer),
                                                missing ? std::move(validity) : nullptr, missing);
  }
  ASSIGN_OR_RAISE(auto normalized, NormalizeFloatingKeys(Flatten(keys)));
  std::vector<arrow::Datum> values(normalized.begin(), normalized.end());
  arrow::compute::ExecBatch batch(std::move(values), length);
  arrow::compute::ExecSpan span(batch);
  ASSIGN_OR_RAISE(auto ids, grouper_->Lookup(span));
  return std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
}

Result<arrow::ArrayVector> RowGrouper::Uniques() {
  if (packing_) {
    ASSIGN_OR_RAISE(auto packed, integers_->Uniques());
    return UnpackShortKeys(*packing_, types_, packed);
  }
  if (integers_) return integers_->Uniques();
  ASSIGN_OR_RAISE(auto batch, grouper_->GetUniques());
  arrow::ArrayVector flat;
  for (const auto& value : batch.values) flat.push_back(value.make_array());
  if (!has_struct_) return flat;
  arrow::ArrayVector out;
  size_t next = 0;
  for (const auto& type : types_) {
    ASSIGN_OR_RAISE(auto key, Unflatten(type, flat, &next));
    out.push_back(key);
  }
  return out;
}

}  // namespace basin::exec
