#include "basin/format/parquet_dictionary.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <arrow/array.h>

namespace basin::format {
namespace {

constexpr int64_t kMinRows = 4096;
constexpr int64_t kRuns = 16;
constexpr int64_t kRunLength = 1024;

// The byte width of a column type whose values are sampled, or 0 for the others.
int SampledWidth(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT32:
    case arrow::Type::UINT32:
    case arrow::Type::FLOAT:
    case arrow::Type::DATE32:
      return 4;
    case arrow::Type::INT64:
    case arrow::Type::UINT64:
    case arrow::Type::DOUBLE:
    case arrow::Type::DATE64:
    case arrow::Type::TIMESTAMP:
      return 8;
    default:
      return 0;
  }
}

// Appends the bit patterns of the valid values at [begin, end) of `column`.
void AppendValues(const arrow::ChunkedArray& column, int width, int64_t begin, int64_t end,
                  std::vector<uint64_t>* out) {
  int64_t chunk_start = 0;
  for (const auto& chunk : column.chunks()) {
    int64_t chunk_end = chunk_start + chunk->length();
    int64_t from = std::max(begin, chunk_start), to = std::min(end, chunk_end);
    if (from < to && chunk->data()->buffers.size() > 1 && chunk->data()->buffers[1]) {
      const auto& data = *chunk->data();
      const uint8_t* values = data.buffers[1]->data() + data.offset * width;
      for (int64_t i = from - chunk_start; i < to - chunk_start; ++i) {
        if (!chunk->IsValid(i)) continue;
        uint64_t bits = 0;
        std::memcpy(&bits, values + i * width, static_cast<size_t>(width));
        out->push_back(bits);
      }
    }
    chunk_start = chunk_end;
    if (chunk_start >= end) break;
  }
}

// The number of distinct values in `values`, counted in an open-addressing hash set (cheaper
// than sorting the sample).
size_t CountDistinct(const std::vector<uint64_t>& values) {
  size_t capacity = 1;
  while (capacity < values.size() * 2) capacity *= 2;
  int shift = 64;
  for (size_t c = capacity; c > 1; c /= 2) --shift;
  std::vector<uint64_t> slots(capacity);
  std::vector<bool> used(capacity, false);
  size_t distinct = 0;
  for (uint64_t v : values) {
    size_t at = static_cast<size_t>((v * 0x9E3779B97F4A7C15ULL) >> shift) & (capacity - 1);
    while (used[at] && slots[at] != v) at = (at + 1) & (capacity - 1);
    if (used[at]) continue;
    used[at] = true;
    slots[at] = v;
    ++distinct;
  }
  return distinct;
}

}  // namespace

std::vector<std::string> NearlyDistinctColumns(const arrow::Table& table) {
  std::vector<std::string> out;
  const int64_t rows = table.num_rows();
  if (rows < kMinRows) return out;
  std::vector<uint64_t> sample;
  for (int c = 0; c < table.num_columns(); ++c) {
    const auto& column = *table.column(c);
    int width = SampledWidth(*column.type());
    if (width == 0) continue;
    sample.clear();
    if (rows <= kRuns * kRunLength) {
      AppendValues(column, width, 0, rows, &sample);
    } else {
      const int64_t stride = (rows - kRunLength) / (kRuns - 1);
      for (int64_t r = 0; r < kRuns; ++r) {
        AppendValues(column, width, r * stride, r * stride + kRunLength, &sample);
      }
    }
    if (sample.size() < static_cast<size_t>(kMinRows)) continue;  // mostly nulls
    if (CountDistinct(sample) * 100 >= sample.size() * 98) {
      out.push_back(table.schema()->field(c)->name());
    }
  }
  return out;
}

}  // namespace basin::format
