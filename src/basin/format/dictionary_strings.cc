#include "basin/format/dictionary_strings.h"

#include <algorithm>
#include <cstring>

#include <arrow/compute/api.h>
#include <arrow/util/bitmap_ops.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>

namespace basin::format {

bool AllDataPagesDictionaryEncoded(const parquet::ColumnChunkMetaData& chunk) {
  const auto& stats = chunk.encoding_stats();
  if (!chunk.has_dictionary_page() || stats.empty()) return false;
  for (const auto& page : stats) {
    const bool data = page.page_type == parquet::PageType::DATA_PAGE ||
                      page.page_type == parquet::PageType::DATA_PAGE_V2;
    if (data && page.encoding != parquet::Encoding::RLE_DICTIONARY &&
        page.encoding != parquet::Encoding::PLAIN_DICTIONARY) {
      return false;
    }
  }
  return true;
}

std::vector<int> FullyDictionaryEncodedStringColumns(const parquet::FileMetaData& metadata) {
  std::vector<int> out;
  const parquet::SchemaDescriptor* schema = metadata.schema();
  for (int c = 0; c < schema->num_columns(); ++c) {
    const parquet::ColumnDescriptor* column = schema->Column(c);
    if (column->physical_type() != parquet::Type::BYTE_ARRAY || column->path()->ToDotVector().size() != 1) {
      continue;
    }
    const auto& logical = column->logical_type();
    if (!logical || !logical->is_string()) continue;
    bool all = metadata.num_row_groups() > 0;
    for (int g = 0; g < metadata.num_row_groups() && all; ++g) {
      all = AllDataPagesDictionaryEncoded(*metadata.RowGroup(g)->ColumnChunk(c));
    }
    if (all) out.push_back(c);
  }
  return out;
}

namespace {

// Copies the value bytes of every row: a fixed 16-byte copy per row when every dictionary value
// fits in 16 bytes (the output and a padded copy of the dictionary leave room for it).
template <bool kShort>
void CopyValues(const int32_t* index, const uint8_t* valid, int64_t offset, int64_t n,
                const int32_t* dict_offsets, const uint8_t* dict_data, int32_t* offsets,
                uint8_t* data) {
  int32_t position = 0;
  for (int64_t i = 0; i < n; ++i) {
    offsets[i] = position;
    if (valid && !arrow::bit_util::GetBit(valid, offset + i)) continue;
    const int32_t k = index[i];
    const int32_t start = dict_offsets[k];
    const int32_t length = dict_offsets[k + 1] - start;
    if constexpr (kShort) {
      std::memcpy(data + position, dict_data + start, 16);
    } else {
      std::memcpy(data + position, dict_data + start, static_cast<size_t>(length));
    }
    position += length;
  }
  offsets[n] = position;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> ExpandDictionary(const arrow::DictionaryArray& array) {
  const auto& dict_type = static_cast<const arrow::DictionaryType&>(*array.type());
  const auto value_id = dict_type.value_type()->id();
  const bool plain = dict_type.index_type()->id() == arrow::Type::INT32 &&
                     (value_id == arrow::Type::STRING || value_id == arrow::Type::BINARY);
  if (!plain) {
    ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(*array.dictionary(), *array.indices()));
    return taken;
  }
  const auto& dictionary = static_cast<const arrow::BinaryArray&>(*array.dictionary());
  const auto& indices = static_cast<const arrow::Int32Array&>(*array.indices());
  const int64_t n = array.length();
  const int32_t* index = indices.raw_values();
  const uint8_t* valid = indices.null_count() > 0 ? indices.null_bitmap_data() : nullptr;
  const int64_t offset = indices.offset();
  const int32_t* dict_offsets = dictionary.raw_value_offsets();
  int64_t total = 0;
  int32_t longest = 0;
  for (int64_t k = 0; k < dictionary.length(); ++k) {
    longest = std::max(longest, dictionary.value_length(k));
  }
  for (int64_t i = 0; i < n; ++i) {
    if (valid && !arrow::bit_util::GetBit(valid, offset + i)) continue;
    total += dict_offsets[index[i] + 1] - dict_offsets[index[i]];
  }
  if (total > INT32_MAX - 16) {
    ARROW_ASSIGN_OR_RAISE(auto taken, arrow::compute::Take(*array.dictionary(), *array.indices()));
    return taken;
  }
  ARROW_ASSIGN_OR_RAISE(auto offsets, arrow::AllocateBuffer((n + 1) * 4));
  ARROW_ASSIGN_OR_RAISE(auto data, arrow::AllocateBuffer(total + 16));
  auto* out_offsets = reinterpret_cast<int32_t*>(offsets->mutable_data());
  const int32_t dict_bytes = dict_offsets[dictionary.length()] - dict_offsets[0];
  if (longest <= 16) {
    // The dictionary's bytes with 16 bytes of room after the last value.
    std::vector<uint8_t> padded(static_cast<size_t>(dict_bytes) + 16, 0);
    std::memcpy(padded.data(), dictionary.value_data()->data() + dict_offsets[0],
                static_cast<size_t>(dict_bytes));
    std::vector<int32_t> rebased(static_cast<size_t>(dictionary.length()) + 1);
    for (size_t k = 0; k < rebased.size(); ++k) rebased[k] = dict_offsets[k] - dict_offsets[0];
    CopyValues<true>(index, valid, offset, n, rebased.data(), padded.data(), out_offsets,
                     data->mutable_data());
  } else {
    CopyValues<false>(index, valid, offset, n, dict_offsets, dictionary.value_data()->data(),
                      out_offsets, data->mutable_data());
  }
  std::shared_ptr<arrow::Buffer> validity;
  if (valid) {
    ARROW_ASSIGN_OR_RAISE(validity, arrow::internal::CopyBitmap(arrow::default_memory_pool(),
                                                               valid, offset, n));
  }
  return arrow::MakeArray(arrow::ArrayData::Make(dict_type.value_type(), n,
                                                 {validity, std::move(offsets), std::move(data)},
                                                 indices.null_count()));
}

}  // namespace basin::format
