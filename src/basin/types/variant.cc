#include "basin/types/variant.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "basin/types/civil_time.h"
#include "basin/types/json_text.h"
#include "basin/types/time_zone.h"

namespace basin::types {

namespace {

// Spark's JSON reader refuses deeper nesting (Jackson's default limit); decoding uses the same
// bound so that a crafted value cannot exhaust the stack.
constexpr int kMaxDepth = 1000;

Status Malformed(std::string_view why) {
  return UserError("MALFORMED_VARIANT", std::string("Variant binary is malformed: ") +
                                            std::string(why) +
                                            ". Please check the data source is valid.");
}

// Reads `bytes` (1 to 8) little-endian bytes at `pos` of `data`.
Result<uint64_t> ReadLittleEndian(std::string_view data, size_t pos, size_t bytes) {
  if (pos > data.size() || data.size() - pos < bytes) return Malformed("read past the end");
  uint64_t out = 0;
  for (size_t i = 0; i < bytes; ++i) {
    out |= static_cast<uint64_t>(static_cast<uint8_t>(data[pos + i])) << (8 * i);
  }
  return out;
}

// Returns the payload size of a primitive type, or -1 for a length-prefixed one, or -2 if unknown.
int PrimitivePayload(uint8_t type) {
  switch (static_cast<VariantPrimitive>(type)) {
    case VariantPrimitive::kNull:
    case VariantPrimitive::kTrue:
    case VariantPrimitive::kFalse:
      return 0;
    case VariantPrimitive::kInt8:
      return 1;
    case VariantPrimitive::kInt16:
      return 2;
    case VariantPrimitive::kInt32:
    case VariantPrimitive::kDate:
    case VariantPrimitive::kFloat:
      return 4;
    case VariantPrimitive::kInt64:
    case VariantPrimitive::kDouble:
    case VariantPrimitive::kTimestamp:
    case VariantPrimitive::kTimestampNtz:
    case VariantPrimitive::kTime:
    case VariantPrimitive::kTimestampNanos:
    case VariantPrimitive::kTimestampNtzNanos:
      return 8;
    case VariantPrimitive::kDecimal4:
      return 5;
    case VariantPrimitive::kDecimal8:
      return 9;
    case VariantPrimitive::kUuid:
      return 16;
    case VariantPrimitive::kDecimal16:
      return 17;
    case VariantPrimitive::kBinary:
    case VariantPrimitive::kString:
      return -1;
  }
  return -2;
}

int BytesFor(uint64_t max_value) {
  if (max_value <= 0xFF) return 1;
  if (max_value <= 0xFFFF) return 2;
  if (max_value <= 0xFFFFFF) return 3;
  return 4;
}

void PutLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

// ---- VariantMetadata ---------------------------------------------------------------------------

Result<VariantMetadata> VariantMetadata::Parse(std::string_view metadata) {
  if (metadata.empty()) return Malformed("the metadata is empty");
  const auto header = static_cast<uint8_t>(metadata[0]);
  if ((header & 0x0F) != 1) {
    return Malformed("metadata version " + std::to_string(header & 0x0F) + " is not 1");
  }
  const size_t offset_size = ((header >> 6) & 3) + 1;
  ASSIGN_OR_RAISE(uint64_t count, ReadLittleEndian(metadata, 1, offset_size));
  const uint64_t strings_start = 1 + offset_size * (count + 2);
  if (count > metadata.size() || strings_start > metadata.size()) {
    return Malformed("the metadata dictionary is larger than the metadata");
  }
  VariantMetadata out;
  out.names_.reserve(count);
  const size_t string_bytes = metadata.size() - strings_start;
  ASSIGN_OR_RAISE(uint64_t previous, ReadLittleEndian(metadata, 1 + offset_size, offset_size));
  if (previous != 0) return Malformed("the first dictionary offset is not 0");
  for (uint64_t i = 0; i < count; ++i) {
    ASSIGN_OR_RAISE(uint64_t next,
                    ReadLittleEndian(metadata, 1 + offset_size * (i + 2), offset_size));
    if (next < previous || next > string_bytes) {
      return Malformed("a metadata dictionary offset is out of order or out of range");
    }
    out.names_.push_back(metadata.substr(strings_start + previous, next - previous));
    previous = next;
  }
  return out;
}

Result<std::string_view> VariantMetadata::Name(uint32_t id) const {
  if (id >= names_.size()) {
    return Malformed("field id " + std::to_string(id) + " is not in the metadata dictionary of " +
                     std::to_string(names_.size()) + " names");
  }
  return names_[id];
}

// ---- VariantValue ------------------------------------------------------------------------------

Result<VariantValue> VariantValue::Make(std::string_view value) {
  if (value.empty()) return Malformed("the value is empty");
  return VariantValue(value);
}

VariantPrimitive VariantValue::primitive() const {
  if (basic_type() == VariantBasicType::kShortString) return VariantPrimitive::kString;
  return static_cast<VariantPrimitive>(static_cast<uint8_t>(data_[0]) >> 2);
}

Result<VariantValue::Layout> VariantValue::ContainerLayout() const {
  const auto header = static_cast<uint8_t>(data_[0]);
  const uint8_t small = header >> 2;
  Layout layout{};
  size_t count_size;
  if (basic_type() == VariantBasicType::kObject) {
    layout.offset_size = (small & 3) + 1;
    layout.id_size = ((small >> 2) & 3) + 1;
    count_size = ((small >> 4) & 1) ? 4 : 1;
  } else if (basic_type() == VariantBasicType::kArray) {
    layout.offset_size = (small & 3) + 1;
    layout.id_size = 0;
    count_size = ((small >> 2) & 1) ? 4 : 1;
  } else {
    return Malformed("not an object or array");
  }
  ASSIGN_OR_RAISE(uint64_t count, ReadLittleEndian(data_, 1, count_size));
  layout.count = static_cast<uint32_t>(count);
  layout.ids_start = 1 + count_size;
  layout.offsets_start = layout.ids_start + layout.id_size * count;
  const uint64_t values_start = layout.offsets_start + layout.offset_size * (count + 1);
  if (count > data_.size() || values_start > data_.size()) {
    return Malformed("an object or array header is larger than the value");
  }
  layout.values_start = values_start;
  return layout;
}

Result<size_t> VariantValue::Size() const {
  const auto header = static_cast<uint8_t>(data_[0]);
  size_t size = 0;
  switch (basic_type()) {
    case VariantBasicType::kShortString:
      size = 1 + (header >> 2);
      break;
    case VariantBasicType::kPrimitive: {
      const int payload = PrimitivePayload(header >> 2);
      if (payload == -2) {
        return Malformed("unknown primitive type id " + std::to_string(header >> 2));
      }
      if (payload == -1) {
        ASSIGN_OR_RAISE(uint64_t length, ReadLittleEndian(data_, 1, 4));
        size = 5 + length;
      } else {
        size = 1 + payload;
      }
      break;
    }
    case VariantBasicType::kObject:
    case VariantBasicType::kArray: {
      ASSIGN_OR_RAISE(auto layout, ContainerLayout());
      ASSIGN_OR_RAISE(
          uint64_t last,
          ReadLittleEndian(data_, layout.offsets_start + layout.offset_size * layout.count,
                           layout.offset_size));
      size = layout.values_start + last;
      break;
    }
  }
  if (size > data_.size()) return Malformed("a value is larger than its bytes");
  return size;
}

Result<std::string_view> VariantValue::Bytes() const {
  ASSIGN_OR_RAISE(size_t size, Size());
  return data_.substr(0, size);
}

Result<uint32_t> VariantValue::NumElements() const {
  ASSIGN_OR_RAISE(auto layout, ContainerLayout());
  return layout.count;
}

Result<std::pair<uint32_t, VariantValue>> VariantValue::Field(uint32_t i) const {
  if (basic_type() != VariantBasicType::kObject) return Malformed("not an object");
  ASSIGN_OR_RAISE(auto layout, ContainerLayout());
  if (i >= layout.count) return Malformed("field index out of range");
  ASSIGN_OR_RAISE(uint64_t id,
                  ReadLittleEndian(data_, layout.ids_start + layout.id_size * i, layout.id_size));
  ASSIGN_OR_RAISE(
      uint64_t offset,
      ReadLittleEndian(data_, layout.offsets_start + layout.offset_size * i, layout.offset_size));
  if (offset >= data_.size() - layout.values_start) {
    return Malformed("an object field offset is out of range");
  }
  ASSIGN_OR_RAISE(auto value, Make(data_.substr(layout.values_start + offset)));
  return std::make_pair(static_cast<uint32_t>(id), value);
}

Result<VariantValue> VariantValue::Element(uint32_t i) const {
  if (basic_type() != VariantBasicType::kArray) return Malformed("not an array");
  ASSIGN_OR_RAISE(auto layout, ContainerLayout());
  if (i >= layout.count) return Malformed("array index out of range");
  ASSIGN_OR_RAISE(
      uint64_t offset,
      ReadLittleEndian(data_, layout.offsets_start + layout.offset_size * i, layout.offset_size));
  if (offset >= data_.size() - layout.values_start) {
    return Malformed("an array element offset is out of range");
  }
  return Make(data_.substr(layout.values_start + offset));
}

namespace {

// Every value takes at least one byte of its own, so a well-formed value has at most as many
// nested values as bytes. Children that share bytes could make a small value expand without
// bound when walked; counting visits against this budget refuses them.
Status SpendVisit(size_t* budget) {
  if (*budget == 0) return Malformed("values overlap (more nested values than bytes)");
  --*budget;
  return Status::OK();
}

// Checks a value and everything in it; returns its size.
Result<size_t> ValidateValue(const VariantValue& value, size_t dictionary_size, int depth,
                             size_t* budget) {
  if (depth > kMaxDepth) return Malformed("values are nested too deeply");
  RETURN_NOT_OK(SpendVisit(budget));
  ASSIGN_OR_RAISE(size_t size, value.Size());
  const auto type = value.basic_type();
  if (type == VariantBasicType::kPrimitive) {
    const auto primitive = value.primitive();
    if (primitive == VariantPrimitive::kDecimal4 || primitive == VariantPrimitive::kDecimal8 ||
        primitive == VariantPrimitive::kDecimal16) {
      if (static_cast<uint8_t>(value.data()[1]) > 38) return Malformed("a decimal scale above 38");
    }
    return size;
  }
  if (type == VariantBasicType::kShortString) return size;
  // The children must lie within this value's bytes.
  ASSIGN_OR_RAISE(auto bounded, VariantValue::Make(value.data().substr(0, size)));
  ASSIGN_OR_RAISE(uint32_t count, bounded.NumElements());
  for (uint32_t i = 0; i < count; ++i) {
    VariantValue child = bounded;
    if (type == VariantBasicType::kObject) {
      ASSIGN_OR_RAISE(auto field, bounded.Field(i));
      if (field.first >= dictionary_size) {
        return Malformed("field id " + std::to_string(field.first) +
                         " is not in the metadata dictionary");
      }
      child = field.second;
    } else {
      ASSIGN_OR_RAISE(child, bounded.Element(i));
    }
    RETURN_NOT_OK(ValidateValue(child, dictionary_size, depth + 1, budget).status());
  }
  return size;
}

}  // namespace

Status ValidateVariant(std::string_view metadata, std::string_view value) {
  ASSIGN_OR_RAISE(auto dictionary, VariantMetadata::Parse(metadata));
  ASSIGN_OR_RAISE(auto root, VariantValue::Make(value));
  size_t budget = value.size();
  return ValidateValue(root, dictionary.size(), 0, &budget).status();
}

// ---- VariantBuilder ----------------------------------------------------------------------------

Result<VariantBuilder> VariantBuilder::WithMetadata(std::string_view metadata) {
  ASSIGN_OR_RAISE(auto dictionary, VariantMetadata::Parse(metadata));
  VariantBuilder builder;
  for (uint32_t i = 0; i < dictionary.size(); ++i) {
    ASSIGN_OR_RAISE(auto name, dictionary.Name(i));
    builder.names_.emplace_back(name);
    builder.ids_.emplace(std::string(name), i);  // A repeated name keeps its first id.
  }
  builder.original_metadata_ = std::string(metadata);
  return builder;
}

void VariantBuilder::AppendPrimitiveHeader(VariantPrimitive type) {
  value_.push_back(static_cast<char>(static_cast<uint8_t>(type) << 2));
}

void VariantBuilder::AppendLittleEndian(uint64_t value, int bytes) {
  PutLittleEndian(&value_, value, bytes);
}

void VariantBuilder::AppendNull() { AppendPrimitiveHeader(VariantPrimitive::kNull); }

void VariantBuilder::AppendBool(bool value) {
  AppendPrimitiveHeader(value ? VariantPrimitive::kTrue : VariantPrimitive::kFalse);
}

void VariantBuilder::AppendInt(int64_t value) {
  if (value >= INT8_MIN && value <= INT8_MAX) {
    AppendInt8(static_cast<int8_t>(value));
  } else if (value >= INT16_MIN && value <= INT16_MAX) {
    AppendInt16(static_cast<int16_t>(value));
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    AppendInt32(static_cast<int32_t>(value));
  } else {
    AppendInt64(value);
  }
}

void VariantBuilder::AppendInt8(int8_t value) {
  AppendPrimitiveHeader(VariantPrimitive::kInt8);
  AppendLittleEndian(static_cast<uint8_t>(value), 1);
}

void VariantBuilder::AppendInt16(int16_t value) {
  AppendPrimitiveHeader(VariantPrimitive::kInt16);
  AppendLittleEndian(static_cast<uint16_t>(value), 2);
}

void VariantBuilder::AppendInt32(int32_t value) {
  AppendPrimitiveHeader(VariantPrimitive::kInt32);
  AppendLittleEndian(static_cast<uint32_t>(value), 4);
}

void VariantBuilder::AppendInt64(int64_t value) {
  AppendPrimitiveHeader(VariantPrimitive::kInt64);
  AppendLittleEndian(static_cast<uint64_t>(value), 8);
}

void VariantBuilder::AppendFloat(float value) {
  AppendPrimitiveHeader(VariantPrimitive::kFloat);
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  AppendLittleEndian(bits, 4);
}

void VariantBuilder::AppendDouble(double value) {
  AppendPrimitiveHeader(VariantPrimitive::kDouble);
  uint64_t bits;
  std::memcpy(&bits, &value, 8);
  AppendLittleEndian(bits, 8);
}

void VariantBuilder::AppendDecimal(__int128 unscaled, int precision, int scale) {
  const int digits = std::max(precision, scale);
  AppendDecimalWidth(unscaled, scale, digits <= 9 ? 4 : digits <= 18 ? 8 : 16);
}

void VariantBuilder::AppendDecimalWidth(__int128 unscaled, int scale, int width) {
  AppendPrimitiveHeader(width == 4   ? VariantPrimitive::kDecimal4
                        : width == 8 ? VariantPrimitive::kDecimal8
                                     : VariantPrimitive::kDecimal16);
  value_.push_back(static_cast<char>(scale));
  const auto bits = static_cast<unsigned __int128>(unscaled);
  for (int i = 0; i < width; ++i) value_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void VariantBuilder::AppendDate(int32_t days) {
  AppendPrimitiveHeader(VariantPrimitive::kDate);
  AppendLittleEndian(static_cast<uint32_t>(days), 4);
}

void VariantBuilder::AppendTimestamp(int64_t micros) {
  AppendPrimitiveHeader(VariantPrimitive::kTimestamp);
  AppendLittleEndian(static_cast<uint64_t>(micros), 8);
}

void VariantBuilder::AppendTimestampNtz(int64_t micros) {
  AppendPrimitiveHeader(VariantPrimitive::kTimestampNtz);
  AppendLittleEndian(static_cast<uint64_t>(micros), 8);
}

void VariantBuilder::AppendTimestampNanos(int64_t nanos) {
  AppendPrimitiveHeader(VariantPrimitive::kTimestampNanos);
  AppendLittleEndian(static_cast<uint64_t>(nanos), 8);
}

void VariantBuilder::AppendTimestampNtzNanos(int64_t nanos) {
  AppendPrimitiveHeader(VariantPrimitive::kTimestampNtzNanos);
  AppendLittleEndian(static_cast<uint64_t>(nanos), 8);
}

void VariantBuilder::AppendTime(int64_t micros) {
  AppendPrimitiveHeader(VariantPrimitive::kTime);
  AppendLittleEndian(static_cast<uint64_t>(micros), 8);
}

void VariantBuilder::AppendString(std::string_view value) {
  if (value.size() < 64) {
    value_.push_back(static_cast<char>((value.size() << 2) | 1));
  } else {
    AppendPrimitiveHeader(VariantPrimitive::kString);
    AppendLittleEndian(value.size(), 4);
  }
  value_.append(value);
}

void VariantBuilder::AppendBinary(std::string_view value) {
  AppendPrimitiveHeader(VariantPrimitive::kBinary);
  AppendLittleEndian(value.size(), 4);
  value_.append(value);
}

void VariantBuilder::AppendUuid(std::string_view bytes16) {
  AppendPrimitiveHeader(VariantPrimitive::kUuid);
  std::string padded(bytes16.substr(0, 16));
  padded.resize(16, '\0');
  value_.append(padded);
}

Status VariantBuilder::AppendEncoded(std::string_view value) {
  ASSIGN_OR_RAISE(auto view, VariantValue::Make(value));
  size_t budget = value.size();
  ASSIGN_OR_RAISE(size_t size, ValidateValue(view, names_.size(), 0, &budget));
  value_.append(value.substr(0, size));
  return Status::OK();
}

uint32_t VariantBuilder::AddKey(std::string_view name) {
  auto it = ids_.find(std::string(name));
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  keys_added_ = true;
  return id;
}

Status VariantBuilder::FinishObject(size_t start, std::vector<ObjectField> fields) {
  std::stable_sort(fields.begin(), fields.end(), [&](const ObjectField& a, const ObjectField& b) {
    return names_[a.id] < names_[b.id];
  });
  uint32_t max_id = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0 && fields[i].id == fields[i - 1].id) {
      return UserError("VARIANT_DUPLICATE_KEY",
                       "Failed to build variant because of a duplicate object key `" +
                           names_[fields[i].id] + "`.");
    }
    max_id = std::max(max_id, fields[i].id);
  }
  const size_t data_size = value_.size() - start;
  const bool is_large = fields.size() > 0xFF;
  const int id_size = BytesFor(max_id);
  const int offset_size = BytesFor(data_size);
  std::string header;
  header.push_back(static_cast<char>(((is_large ? 1 : 0) << 6) | ((id_size - 1) << 4) |
                                     ((offset_size - 1) << 2) |
                                     static_cast<int>(VariantBasicType::kObject)));
  PutLittleEndian(&header, fields.size(), is_large ? 4 : 1);
  for (const auto& field : fields) PutLittleEndian(&header, field.id, id_size);
  for (const auto& field : fields) PutLittleEndian(&header, field.offset, offset_size);
  PutLittleEndian(&header, data_size, offset_size);
  value_.insert(start, header);
  return Status::OK();
}

void VariantBuilder::FinishArray(size_t start, const std::vector<size_t>& offsets) {
  const size_t data_size = value_.size() - start;
  const bool is_large = offsets.size() > 0xFF;
  const int offset_size = BytesFor(data_size);
  std::string header;
  header.push_back(static_cast<char>(((is_large ? 1 : 0) << 4) | ((offset_size - 1) << 2) |
                                     static_cast<int>(VariantBasicType::kArray)));
  PutLittleEndian(&header, offsets.size(), is_large ? 4 : 1);
  for (size_t offset : offsets) PutLittleEndian(&header, offset, offset_size);
  PutLittleEndian(&header, data_size, offset_size);
  value_.insert(start, header);
}

Result<std::pair<std::string, std::string>> VariantBuilder::Finish() {
  std::string metadata;
  if (!keys_added_ && !original_metadata_.empty()) {
    metadata = original_metadata_;
  } else {
    size_t string_bytes = 0;
    bool sorted = true;
    for (size_t i = 0; i < names_.size(); ++i) {
      string_bytes += names_[i].size();
      if (i > 0 && !(names_[i - 1] < names_[i])) sorted = false;
    }
    if (names_.empty()) sorted = false;  // Spark writes an empty dictionary as 01 00 00.
    const int offset_size = BytesFor(std::max(string_bytes, names_.size()));
    metadata.push_back(static_cast<char>(((offset_size - 1) << 6) | (sorted ? 0x10 : 0) | 1));
    PutLittleEndian(&metadata, names_.size(), offset_size);
    size_t offset = 0;
    PutLittleEndian(&metadata, 0, offset_size);
    for (const auto& name : names_) {
      offset += name.size();
      PutLittleEndian(&metadata, offset, offset_size);
    }
    for (const auto& name : names_) metadata.append(name);
  }
  if (metadata.size() > kVariantSizeLimit || value_.size() > kVariantSizeLimit) {
    return UserError("VARIANT_SIZE_LIMIT",
                     "Cannot build variant bigger than 16.0 MiB in parse_json.");
  }
  std::string value = std::move(value_);
  value_.clear();
  return std::make_pair(std::move(metadata), std::move(value));
}

// ---- Rendering as JSON -------------------------------------------------------------------------

namespace {

// Escapes a string as Jackson does: quotes, backslashes and control characters only.
std::string Base64(std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string Int128Text(__int128 value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  auto magnitude =
      negative ? -static_cast<unsigned __int128>(value) : static_cast<unsigned __int128>(value);
  std::string digits;
  while (magnitude > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// BigDecimal.stripTrailingZeros().toPlainString().
std::string DecimalText(__int128 unscaled, int scale) {
  std::string digits = Int128Text(unscaled);
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  if (negative && digits != "0") digits.insert(0, "-");
  return digits;
}

// Formats shortest round-trip digits the way Java's Double.toString and Float.toString lay
// them out: plain for 1e-3 <= |x| < 1e7, else "d.dddE±n".
template <typename T>
std::string JavaFloatingText(T x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x == 0) return std::signbit(x) ? "-0.0" : "0.0";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), x, std::chars_format::scientific);
  std::string text(buffer, result.ptr);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const size_t e = text.find('e');
  const int exponent = std::stoi(text.substr(e + 1));
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exponent >= -3 && exponent < 7) {
    std::string out;
    if (exponent >= 0) {
      if (digits.size() < static_cast<size_t>(exponent) + 1) digits.resize(exponent + 1, '0');
      out = digits.substr(0, exponent + 1) + ".";
      std::string fraction = digits.substr(exponent + 1);
      out += fraction.empty() ? "0" : fraction;
    } else {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    }
    return sign + out;
  }
  std::string fraction = digits.substr(1);
  return sign + digits.substr(0, 1) + "." + (fraction.empty() ? "0" : fraction) + "E" +
         std::to_string(exponent);
}

// "yyyy-MM-dd HH:mm:ss[.f]" of local wall-clock units since the epoch; `per_second` is 1e6 for
// micros, 1e9 for nanos.
std::string LocalDateTimeText(int64_t units, int64_t per_second, int fraction_digits) {
  const int64_t per_day = 86400 * per_second;
  int64_t days = units / per_day;
  int64_t rest = units % per_day;
  if (rest < 0) {
    rest += per_day;
    days -= 1;
  }
  const int64_t seconds = rest / per_second;
  const int64_t fraction = rest % per_second;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s %02lld:%02lld:%02lld",
                FormatDate(static_cast<int32_t>(days)).c_str(),
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60));
  std::string out = buffer;
  if (fraction != 0) {
    std::snprintf(buffer, sizeof(buffer), ".%0*lld", fraction_digits,
                  static_cast<long long>(fraction));
    std::string text = buffer;
    while (text.back() == '0') text.pop_back();
    out += text;
  }
  return out;
}

Result<std::string> ZonedText(int64_t units, int64_t per_second, int fraction_digits,
                              const std::string& time_zone) {
  // Floor to micros for the zone lookup.
  const int64_t per_micro = per_second / 1000000;
  int64_t micros = units / per_micro;
  if (units % per_micro < 0) micros -= 1;
  ASSIGN_OR_RAISE(int64_t offset, ZoneOffsetSeconds(micros, time_zone));
  std::string out = LocalDateTimeText(units + offset * per_second, per_second, fraction_digits);
  if (offset == 0) return out + "+00:00";
  const int64_t magnitude = offset < 0 ? -offset : offset;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%c%02lld:%02lld", offset < 0 ? '-' : '+',
                static_cast<long long>(magnitude / 3600),
                static_cast<long long>(magnitude / 60 % 60));
  return out + buffer;
}

class JsonWriter {
 public:
  JsonWriter(const VariantMetadata& metadata, const std::string& time_zone, size_t budget)
      : metadata_(metadata), time_zone_(time_zone), budget_(budget) {}

  Status Write(const VariantValue& value, int depth, std::string* out) {
    if (depth > kMaxDepth) return Malformed("values are nested too deeply");
    RETURN_NOT_OK(SpendVisit(&budget_));
    const std::string_view data = value.data();
    switch (value.basic_type()) {
      case VariantBasicType::kShortString: {
        ASSIGN_OR_RAISE(auto bytes, value.Bytes());
        AppendJsonString(bytes.substr(1), out);
        return Status::OK();
      }
      case VariantBasicType::kObject: {
        ASSIGN_OR_RAISE(auto bytes, value.Bytes());
        ASSIGN_OR_RAISE(auto bounded, VariantValue::Make(bytes));
        ASSIGN_OR_RAISE(uint32_t count, bounded.NumElements());
        out->push_back('{');
        for (uint32_t i = 0; i < count; ++i) {
          ASSIGN_OR_RAISE(auto field, bounded.Field(i));
          ASSIGN_OR_RAISE(auto name, metadata_.Name(field.first));
          if (i > 0) out->push_back(',');
          AppendJsonString(name, out);
          out->push_back(':');
          RETURN_NOT_OK(Write(field.second, depth + 1, out));
        }
        out->push_back('}');
        return Status::OK();
      }
      case VariantBasicType::kArray: {
        ASSIGN_OR_RAISE(auto bytes, value.Bytes());
        ASSIGN_OR_RAISE(auto bounded, VariantValue::Make(bytes));
        ASSIGN_OR_RAISE(uint32_t count, bounded.NumElements());
        out->push_back('[');
        for (uint32_t i = 0; i < count; ++i) {
          ASSIGN_OR_RAISE(auto element, bounded.Element(i));
          if (i > 0) out->push_back(',');
          RETURN_NOT_OK(Write(element, depth + 1, out));
        }
        out->push_back(']');
        return Status::OK();
      }
      case VariantBasicType::kPrimitive:
        break;
    }
    ASSIGN_OR_RAISE(size_t size, value.Size());
    auto payload = [&](size_t pos, size_t bytes) { return ReadLittleEndian(data, pos, bytes); };
    auto signed_payload = [&](size_t bytes) -> Result<int64_t> {
      ASSIGN_OR_RAISE(uint64_t raw, payload(1, bytes));
      if (bytes < 8 && (raw >> (8 * bytes - 1)) & 1) raw |= ~uint64_t{0} << (8 * bytes);
      return static_cast<int64_t>(raw);
    };
    switch (value.primitive()) {
      case VariantPrimitive::kNull:
        out->append("null");
        break;
      case VariantPrimitive::kTrue:
        out->append("true");
        break;
      case VariantPrimitive::kFalse:
        out->append("false");
        break;
      case VariantPrimitive::kInt8:
      case VariantPrimitive::kInt16:
      case VariantPrimitive::kInt32:
      case VariantPrimitive::kInt64: {
        ASSIGN_OR_RAISE(int64_t v, signed_payload(size - 1));
        out->append(std::to_string(v));
        break;
      }
      case VariantPrimitive::kDouble: {
        ASSIGN_OR_RAISE(uint64_t bits, payload(1, 8));
        double d;
        std::memcpy(&d, &bits, 8);
        if (std::isfinite(d)) {
          out->append(JavaFloatingText(d));
        } else {
          AppendJsonString(JavaFloatingText(d), out);
        }
        break;
      }
      case VariantPrimitive::kFloat: {
        ASSIGN_OR_RAISE(uint64_t bits, payload(1, 4));
        float f;
        const auto bits32 = static_cast<uint32_t>(bits);
        std::memcpy(&f, &bits32, 4);
        if (std::isfinite(f)) {
          out->append(JavaFloatingText(f));
        } else {
          AppendJsonString(JavaFloatingText(f), out);
        }
        break;
      }
      case VariantPrimitive::kDecimal4:
      case VariantPrimitive::kDecimal8:
      case VariantPrimitive::kDecimal16: {
        const size_t width = size - 2;
        const int scale = static_cast<uint8_t>(data[1]);
        if (scale > 38) return Malformed("a decimal scale above 38");
        ASSIGN_OR_RAISE(uint64_t low, payload(2, std::min<size_t>(width, 8)));
        unsigned __int128 bits = low;
        if (width == 16) {
          ASSIGN_OR_RAISE(uint64_t high, payload(10, 8));
          bits |= static_cast<unsigned __int128>(high) << 64;
        } else if ((low >> (8 * width - 1)) & 1) {
          bits |= ~static_cast<unsigned __int128>(0) << (8 * width);
        }
        out->append(DecimalText(static_cast<__int128>(bits), scale));
        break;
      }
      case VariantPrimitive::kDate: {
        ASSIGN_OR_RAISE(int64_t days, signed_payload(4));
        AppendJsonString(FormatDate(static_cast<int32_t>(days)), out);
        break;
      }
      case VariantPrimitive::kTimestamp:
      case VariantPrimitive::kTimestampNanos: {
        ASSIGN_OR_RAISE(int64_t units, signed_payload(8));
        const bool nanos = value.primitive() == VariantPrimitive::kTimestampNanos;
        ASSIGN_OR_RAISE(auto text,
                        ZonedText(units, nanos ? 1000000000 : 1000000, nanos ? 9 : 6, time_zone_));
        AppendJsonString(text, out);
        break;
      }
      case VariantPrimitive::kTimestampNtz:
      case VariantPrimitive::kTimestampNtzNanos: {
        ASSIGN_OR_RAISE(int64_t units, signed_payload(8));
        const bool nanos = value.primitive() == VariantPrimitive::kTimestampNtzNanos;
        AppendJsonString(LocalDateTimeText(units, nanos ? 1000000000 : 1000000, nanos ? 9 : 6),
                         out);
        break;
      }
      case VariantPrimitive::kTime: {
        ASSIGN_OR_RAISE(int64_t micros, signed_payload(8));
        std::string text = LocalDateTimeText(micros, 1000000, 6);
        AppendJsonString(text.substr(text.find(' ') + 1), out);
        break;
      }
      case VariantPrimitive::kBinary:
        AppendJsonString(Base64(data.substr(5, size - 5)), out);
        break;
      case VariantPrimitive::kString:
        AppendJsonString(data.substr(5, size - 5), out);
        break;
      case VariantPrimitive::kUuid: {
        static const char kHex[] = "0123456789abcdef";
        std::string text;
        for (int i = 0; i < 16; ++i) {
          if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
          const auto b = static_cast<uint8_t>(data[1 + i]);
          text.push_back(kHex[b >> 4]);
          text.push_back(kHex[b & 15]);
        }
        AppendJsonString(text, out);
        break;
      }
    }
    return Status::OK();
  }

 private:
  const VariantMetadata& metadata_;
  const std::string& time_zone_;
  size_t budget_;
};

}  // namespace

Result<std::string> VariantToJson(std::string_view metadata, std::string_view value,
                                  const std::string& time_zone) {
  ASSIGN_OR_RAISE(auto dictionary, VariantMetadata::Parse(metadata));
  ASSIGN_OR_RAISE(auto root, VariantValue::Make(value));
  std::string out;
  JsonWriter writer(dictionary, time_zone, value.size());
  RETURN_NOT_OK(writer.Write(root, 0, &out));
  return out;
}

// ---- Parsing JSON ------------------------------------------------------------------------------

namespace {

// Spark's parse_json error; `why` says what the JSON parser found.
Status MalformedJson(std::string_view json, std::string_view why) {
  std::string record(json.substr(0, 1000));
  if (json.size() > 1000) record += "...";
  return UserError("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
                   "Malformed records are detected in record parsing: " + record + " (" +
                       std::string(why) +
                       ").\nParse Mode: FAILFAST. To process malformed records as null result, "
                       "try setting the option 'mode' as 'PERMISSIVE'.");
}

// Appends a number given as text the way Spark's parse_json does when it is not a 64-bit
// integer: a decimal when the text is plain digits with an optional point and the value fits
// 38 digits of precision and scale, else a double.
bool TryAppendDecimal(std::string_view text, VariantBuilder* builder) {
  bool negative = false;
  size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  std::string digits;
  int scale = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
      if (seen_point) ++scale;
    } else {
      return false;
    }
  }
  const size_t first = digits.find_first_not_of('0');
  const std::string significant = first == std::string::npos ? "0" : digits.substr(first);
  const int precision = static_cast<int>(significant.size());
  if (precision > 38 || scale > 38) return false;
  __int128 unscaled = 0;
  for (char c : significant) unscaled = unscaled * 10 + (c - '0');
  if (negative) unscaled = -unscaled;
  builder->AppendDecimal(unscaled, precision, scale);
  return true;
}

class VariantSax {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  VariantSax(VariantBuilder* builder, std::string_view json) : builder_(builder), json_(json) {}

  bool null() {
    BeforeValue();
    builder_->AppendNull();
    return true;
  }
  bool boolean(bool value) {
    BeforeValue();
    builder_->AppendBool(value);
    return true;
  }
  bool number_integer(number_integer_t value) {
    BeforeValue();
    builder_->AppendInt(value);
    return true;
  }
  bool number_unsigned(number_unsigned_t value) {
    BeforeValue();
    if (value <= static_cast<uint64_t>(INT64_MAX)) {
      builder_->AppendInt(static_cast<int64_t>(value));
    } else {
      builder_->AppendDecimal(static_cast<__int128>(value), 20, 0);
    }
    return true;
  }
  bool number_float(number_float_t value, const string_t& text) {
    BeforeValue();
    if (!TryAppendDecimal(text, builder_)) builder_->AppendDouble(value);
    return true;
  }
  bool string(string_t& value) {
    BeforeValue();
    builder_->AppendString(value);
    return true;
  }
  bool binary(binary_t&) {
    status_ = MalformedJson(json_, "binary values are not JSON");
    return false;
  }
  bool start_object(std::size_t) {
    BeforeValue();
    if (!Push(true)) return false;
    return true;
  }
  bool key(string_t& name) {
    frames_.back().pending_key = builder_->AddKey(name);
    return true;
  }
  bool end_object() {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    status_ = builder_->FinishObject(frame.start, std::move(frame.fields));
    return status_.ok();
  }
  bool start_array(std::size_t) {
    BeforeValue();
    if (!Push(false)) return false;
    return true;
  }
  bool end_array() {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    builder_->FinishArray(frame.start, frame.offsets);
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::json::exception& error) {
    status_ = MalformedJson(json_, error.what());
    return false;
  }

  const Status& status() const { return status_; }

 private:
  struct Frame {
    bool is_object;
    size_t start;
    uint32_t pending_key = 0;
    std::vector<VariantBuilder::ObjectField> fields;
    std::vector<size_t> offsets;
  };

  void BeforeValue() {
    if (frames_.empty()) return;
    Frame& top = frames_.back();
    const size_t offset = builder_->Offset() - top.start;
    if (top.is_object) {
      top.fields.push_back({top.pending_key, offset});
    } else {
      top.offsets.push_back(offset);
    }
  }

  bool Push(bool is_object) {
    if (frames_.size() >= static_cast<size_t>(kMaxDepth)) {
      status_ = MalformedJson(json_, "the JSON nesting depth exceeds " + std::to_string(kMaxDepth));
      return false;
    }
    frames_.push_back(Frame{is_object, builder_->Offset(), 0, {}, {}});
    return true;
  }

  VariantBuilder* builder_;
  std::string_view json_;
  std::vector<Frame> frames_;
  Status status_;
};

}  // namespace

Result<std::pair<std::string, std::string>> JsonToVariant(std::string_view json) {
  VariantBuilder builder;
  VariantSax sax(&builder, json);
  bool ok;
  try {
    ok = nlohmann::json::sax_parse(json.begin(), json.end(), &sax);
  } catch (const std::exception& e) {
    return MalformedJson(json, e.what());
  }
  if (!ok) {
    if (!sax.status().ok()) return sax.status();
    return MalformedJson(json, "the input is not valid JSON");
  }
  return builder.Finish();
}

}  // namespace basin::types
