#pragma once

// Spark's Variant binary encoding (Parquet's VariantEncoding.md): a value is two byte strings,
// `metadata` (a header and a dictionary of object field names) and `value` (a self-describing
// tree of primitives, strings, objects and arrays whose object keys are dictionary ids).
// VariantBuilder encodes, VariantToJson decodes as Spark's to_json does, JsonToVariant parses as
// Spark's parse_json does. Every read is bounds-checked: malformed bytes give MALFORMED_VARIANT.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "basin/base/status.h"

namespace basin::types {

/// Primitive type ids of the value header (VariantEncoding.md, "Value Data for Primitive Types").
enum class VariantPrimitive : uint8_t {
  kNull = 0,
  kTrue = 1,
  kFalse = 2,
  kInt8 = 3,
  kInt16 = 4,
  kInt32 = 5,
  kInt64 = 6,
  kDouble = 7,
  kDecimal4 = 8,
  kDecimal8 = 9,
  kDecimal16 = 10,
  kDate = 11,
  kTimestamp = 12,
  kTimestampNtz = 13,
  kFloat = 14,
  kBinary = 15,
  kString = 16,
  kTime = 17,
  kTimestampNanos = 18,
  kTimestampNtzNanos = 19,
  kUuid = 20,
};

/// Basic types: the low two bits of a value header.
enum class VariantBasicType : uint8_t { kPrimitive = 0, kShortString = 1, kObject = 2, kArray = 3 };

/// Largest metadata or value Spark accepts (VARIANT_SIZE_LIMIT).
inline constexpr size_t kVariantSizeLimit = 16 * 1024 * 1024;

/// A parsed metadata dictionary: field names by id.
class VariantMetadata {
 public:
  /// Parses and checks `metadata` (VariantEncoding.md, "Metadata encoding").
  static Result<VariantMetadata> Parse(std::string_view metadata);

  size_t size() const { return names_.size(); }
  /// Returns the name of field `id` (MALFORMED_VARIANT if out of range).
  Result<std::string_view> Name(uint32_t id) const;

 private:
  std::vector<std::string_view> names_;
};

/// A read-only view of one encoded value; every accessor checks its bounds.
class VariantValue {
 public:
  /// Wraps `value`, whose first byte is the header. The bytes must outlive the view.
  static Result<VariantValue> Make(std::string_view value);

  VariantBasicType basic_type() const { return static_cast<VariantBasicType>(data_[0] & 3); }
  /// Returns the primitive type id (for short strings: kString).
  VariantPrimitive primitive() const;
  /// Returns the number of bytes this value occupies (its header included).
  Result<size_t> Size() const;

  /// Returns the number of object fields or array elements.
  Result<uint32_t> NumElements() const;
  /// Returns the dictionary id and value of object field `i` (in the stored, name-sorted order).
  Result<std::pair<uint32_t, VariantValue>> Field(uint32_t i) const;
  /// Returns array element `i`.
  Result<VariantValue> Element(uint32_t i) const;

  /// Returns the bytes of this value (exactly Size() bytes).
  Result<std::string_view> Bytes() const;
  std::string_view data() const { return data_; }

 private:
  explicit VariantValue(std::string_view data) : data_(data) {}
  struct Layout {
    uint32_t count;
    size_t id_size;
    size_t offset_size;
    size_t ids_start;
    size_t offsets_start;
    size_t values_start;
  };
  Result<Layout> ContainerLayout() const;
  std::string_view data_;
};

/// Encodes variant values. Scalars are appended to a value buffer; an object or array is written
/// by remembering Offset() before its children, appending them, and calling FinishObject or
/// FinishArray, which insert the header in front of the children.
class VariantBuilder {
 public:
  VariantBuilder() = default;
  /// Starts with the dictionary of `metadata`, so that values encoded against that metadata can
  /// be copied in with AppendEncoded unchanged.
  static Result<VariantBuilder> WithMetadata(std::string_view metadata);

  /// One field of an object being built: its dictionary id and where its value starts.
  struct ObjectField {
    uint32_t id;
    size_t offset;  ///< Relative to the object's start.
  };

  void AppendNull();
  void AppendBool(bool value);
  /// Appends an integer as the smallest of int8, int16, int32 and int64 that holds it.
  void AppendInt(int64_t value);
  void AppendInt8(int8_t value);
  void AppendInt16(int16_t value);
  void AppendInt32(int32_t value);
  void AppendInt64(int64_t value);
  void AppendFloat(float value);
  void AppendDouble(double value);
  /// Appends a decimal as decimal4, decimal8 or decimal16, the smallest whose precision (9, 18,
  /// 38) holds both `precision` and `scale`.
  void AppendDecimal(__int128 unscaled, int precision, int scale);
  /// Appends a decimal with an explicit width: 4, 8 or 16 bytes.
  void AppendDecimalWidth(__int128 unscaled, int scale, int width);
  void AppendDate(int32_t days);
  /// Appends a UTC-adjusted timestamp in microseconds.
  void AppendTimestamp(int64_t micros);
  void AppendTimestampNtz(int64_t micros);
  void AppendTimestampNanos(int64_t nanos);
  void AppendTimestampNtzNanos(int64_t nanos);
  /// Appends a time of day in microseconds.
  void AppendTime(int64_t micros);
  /// Appends a string (as a short string when under 64 bytes).
  void AppendString(std::string_view value);
  void AppendBinary(std::string_view value);
  /// Appends a UUID given as its 16 bytes in big-endian order.
  void AppendUuid(std::string_view bytes16);
  /// Appends an encoded value whose object keys refer to this builder's dictionary; checks it.
  Status AppendEncoded(std::string_view value);

  /// Returns the dictionary id of `name`, adding it if new.
  uint32_t AddKey(std::string_view name);
  /// Returns where the next value starts.
  size_t Offset() const { return value_.size(); }
  /// Turns the values appended since `start` into an object of `fields`: sorts them by name and
  /// fails with VARIANT_DUPLICATE_KEY on a repeated name.
  Status FinishObject(size_t start, std::vector<ObjectField> fields);
  /// Turns the values appended since `start`, which begin at `offsets` (relative to start), into
  /// an array.
  void FinishArray(size_t start, const std::vector<size_t>& offsets);

  /// Returns (metadata, value) and resets the value buffer. Fails with VARIANT_SIZE_LIMIT when
  /// either part is larger than Spark accepts.
  Result<std::pair<std::string, std::string>> Finish();

 private:
  void AppendPrimitiveHeader(VariantPrimitive type);
  void AppendLittleEndian(uint64_t value, int bytes);

  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::string original_metadata_;  // Returned unchanged when no key was added.
  bool keys_added_ = false;
  std::string value_;
};

/// Checks that `value` is a well-formed variant value for `metadata`, recursively.
Status ValidateVariant(std::string_view metadata, std::string_view value);

/// Renders a variant as Spark's to_json and CAST(v AS STRING) do: objects as {"k":v} without
/// spaces in key order, decimals plain without trailing zeros, dates "yyyy-MM-dd", timestamps
/// "yyyy-MM-dd HH:mm:ss[.f]+HH:MM" in `time_zone`, binary as quoted base64, floats and doubles
/// as Java prints them.
Result<std::string> VariantToJson(std::string_view metadata, std::string_view value,
                                  const std::string& time_zone);

/// Parses JSON text into (metadata, value) with Spark's parse_json rules: integers become the
/// smallest integer type that holds them, else a decimal of up to 38 digits, else a double;
/// numbers with a fraction become a decimal when they fit 38 digits, numbers with an exponent a
/// double. A repeated key gives VARIANT_DUPLICATE_KEY, bad JSON
/// MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION.
Result<std::pair<std::string, std::string>> JsonToVariant(std::string_view json);

}  // namespace basin::types
