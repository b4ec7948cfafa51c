#include "basin/exec/key_filter.h"

#include <arrow/compute/api.h>

namespace basin::exec {

Result<std::shared_ptr<arrow::BooleanArray>> KeyFilter::Keep(const arrow::ArrayVector& keys,
                                                             int64_t length) const {
  arrow::ArrayVector cast = keys;
  for (size_t k = 0; k < cast.size(); ++k) {
    if (!cast[k]->type()->Equals(*types_[k])) {
      ASSIGN_OR_RAISE(auto datum, arrow::compute::Cast(cast[k], types_[k]));
      cast[k] = datum.make_array();
    }
  }
  std::vector<uint32_t> ids(static_cast<size_t>(length));
  table_->Lookup(cast, length, ids.data());  // null keys and absent keys: kNoGroup
  arrow::TypedBufferBuilder<bool> bits;
  RETURN_NOT_OK(bits.Reserve(length));
  for (int64_t i = 0; i < length; ++i) {
    bits.UnsafeAppend(ids[static_cast<size_t>(i)] != JoinKeyTable::kNoGroup);
  }
  ASSIGN_OR_RAISE(auto bitmap, bits.Finish());
  return std::make_shared<arrow::BooleanArray>(length, std::move(bitmap));
}

}  // namespace basin::exec
