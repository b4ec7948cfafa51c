#include "basin/format/json_lines.h"

#include <cmath>
#include <cstdio>

#include <arrow/array.h>
#include <arrow/util/decimal.h>
#include <arrow/util/key_value_metadata.h>
#include <arrow/visit_type_inline.h>

#include "basin/types/civil_time.h"

namespace basin::format {

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void AppendBase64(std::string_view data, std::string* out) {
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out->push_back(kBase64[(n >> 18) & 63]);
    out->push_back(kBase64[(n >> 12) & 63]);
    out->push_back(kBase64[(n >> 6) & 63]);
    out->push_back(kBase64[n & 63]);
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t n = uint8_t(data[i]) << 16;
    if (rest == 2) n |= uint8_t(data[i + 1]) << 8;
    out->push_back(kBase64[(n >> 18) & 63]);
    out->push_back(kBase64[(n >> 12) & 63]);
    out->push_back(rest == 2 ? kBase64[(n >> 6) & 63] : '=');
    out->push_back('=');
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    // Shortest text that reads back as the same double.
    for (int precision = 1; precision <= 17; ++precision) {
      char shorter[32];
      std::snprintf(shorter, sizeof(shorter), "%.*g", precision, v);
      if (std::strtod(shorter, nullptr) == v) {
        std::snprintf(buf, sizeof(buf), "%s", shorter);
        break;
      }
    }
    *out += buf;
  }
}

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND: return value * 1000000;
    case arrow::TimeUnit::MILLI: return value * 1000;
    case arrow::TimeUnit::MICRO: return value;
    case arrow::TimeUnit::NANO: return value / 1000 - ((value % 1000) < 0 ? 1 : 0);
  }
  return value;
}

}  // namespace

Status AppendFieldValue(const arrow::Field& field, const arrow::Array& array, int64_t row,
                        std::string* out) {
  if (field.metadata() && field.metadata()->Contains(kJsonTextField) &&
      array.type_id() == arrow::Type::STRING && array.IsValid(row)) {
    *out += static_cast<const arrow::StringArray&>(array).GetView(row);
    return Status::OK();
  }
  return AppendJsonValue(array, row, out);
}

Status AppendJsonValue(const arrow::Array& array, int64_t row, std::string* out) {
  if (array.IsNull(row)) {
    *out += "null";
    return Status::OK();
  }
  using arrow::Type;
  switch (array.type_id()) {
    case Type::NA: *out += "null"; return Status::OK();
    case Type::BOOL:
      *out += static_cast<const arrow::BooleanArray&>(array).Value(row) ? "true" : "false";
      return Status::OK();
    case Type::INT8: *out += std::to_string(static_cast<const arrow::Int8Array&>(array).Value(row)); return Status::OK();
    case Type::INT16: *out += std::to_string(static_cast<const arrow::Int16Array&>(array).Value(row)); return Status::OK();
    case Type::INT32: *out += std::to_string(static_cast<const arrow::Int32Array&>(array).Value(row)); return Status::OK();
    case Type::INT64: *out += std::to_string(static_cast<const arrow::Int64Array&>(array).Value(row)); return Status::OK();
    case Type::UINT8: *out += std::to_string(static_cast<const arrow::UInt8Array&>(array).Value(row)); return Status::OK();
    case Type::UINT16: *out += std::to_string(static_cast<const arrow::UInt16Array&>(array).Value(row)); return Status::OK();
    case Type::UINT32: *out += std::to_string(static_cast<const arrow::UInt32Array&>(array).Value(row)); return Status::OK();
    case Type::UINT64: *out += std::to_string(static_cast<const arrow::UInt64Array&>(array).Value(row)); return Status::OK();
    case Type::FLOAT: AppendDouble(static_cast<const arrow::FloatArray&>(array).Value(row), out); return Status::OK();
    case Type::DOUBLE: AppendDouble(static_cast<const arrow::DoubleArray&>(array).Value(row), out); return Status::OK();
    case Type::STRING: AppendJsonString(static_cast<const arrow::StringArray&>(array).GetView(row), out); return Status::OK();
    case Type::LARGE_STRING: AppendJsonString(static_cast<const arrow::LargeStringArray&>(array).GetView(row), out); return Status::OK();
    case Type::STRING_VIEW: AppendJsonString(static_cast<const arrow::StringViewArray&>(array).GetView(row), out); return Status::OK();
    case Type::BINARY:
    case Type::LARGE_BINARY:
    case Type::FIXED_SIZE_BINARY:
    case Type::BINARY_VIEW: {
      std::string_view bytes;
      if (array.type_id() == Type::BINARY) bytes = static_cast<const arrow::BinaryArray&>(array).GetView(row);
      else if (array.type_id() == Type::LARGE_BINARY) bytes = static_cast<const arrow::LargeBinaryArray&>(array).GetView(row);
      else if (array.type_id() == Type::BINARY_VIEW) bytes = static_cast<const arrow::BinaryViewArray&>(array).GetView(row);
      else bytes = static_cast<const arrow::FixedSizeBinaryArray&>(array).GetView(row);
      out->push_back('"');
      AppendBase64(bytes, out);
      out->push_back('"');
      return Status::OK();
    }
    case Type::DATE32:
      out->push_back('"');
      *out += types::FormatDate(static_cast<const arrow::Date32Array&>(array).Value(row));
      out->push_back('"');
      return Status::OK();
    case Type::DATE64:
      out->push_back('"');
      *out += types::FormatDate(static_cast<int32_t>(
          static_cast<const arrow::Date64Array&>(array).Value(row) / 86400000));
      out->push_back('"');
      return Status::OK();
    case Type::TIMESTAMP: {
      const auto& type = static_cast<const arrow::TimestampType&>(*array.type());
      int64_t micros = ToMicros(static_cast<const arrow::TimestampArray&>(array).Value(row), type.unit());
      out->push_back('"');
      *out += types::FormatTimestampMicros(micros, /*with_zone=*/!type.timezone().empty());
      out->push_back('"');
      return Status::OK();
    }
    case Type::DECIMAL128: {
      const auto& a = static_cast<const arrow::Decimal128Array&>(array);
      *out += a.FormatValue(row);
      return Status::OK();
    }
    case Type::DECIMAL256: {
      const auto& a = static_cast<const arrow::Decimal256Array&>(array);
      *out += a.FormatValue(row);
      return Status::OK();
    }
    case Type::STRUCT: {
      const auto& a = static_cast<const arrow::StructArray&>(array);
      out->push_back('{');
      for (int i = 0; i < a.num_fields(); ++i) {
        if (i > 0) out->push_back(',');
        const auto& field = *a.type()->field(i);
        AppendJsonString(field.name(), out);
        out->push_back(':');
        RETURN_NOT_OK(AppendFieldValue(field, *a.field(i), row, out));
      }
      out->push_back('}');
      return Status::OK();
    }
    case Type::LIST:
    case Type::LARGE_LIST:
    case Type::FIXED_SIZE_LIST: {
      const auto& a = static_cast<const arrow::BaseListArray<arrow::ListType>&>(array);
      std::shared_ptr<arrow::Array> values;
      int64_t begin = 0, end = 0;
      if (array.type_id() == Type::LIST) {
        const auto& l = static_cast<const arrow::ListArray&>(array);
        values = l.values(); begin = l.value_offset(row); end = begin + l.value_length(row);
      } else if (array.type_id() == Type::LARGE_LIST) {
        const auto& l = static_cast<const arrow::LargeListArray&>(array);
        values = l.values(); begin = l.value_offset(row); end = begin + l.value_length(row);
      } else {
        const auto& l = static_cast<const arrow::FixedSizeListArray&>(array);
        values = l.values(); begin = l.value_offset(row); end = begin + l.value_length(row);
      }
      (void)a;
      out->push_back('[');
      for (int64_t i = begin; i < end; ++i) {
        if (i > begin) out->push_back(',');
        RETURN_NOT_OK(AppendFieldValue(*array.type()->field(0), *values, i, out));
      }
      out->push_back(']');
      return Status::OK();
    }
    case Type::MAP: {
      const auto& m = static_cast<const arrow::MapArray&>(array);
      int64_t begin = m.value_offset(row), end = begin + m.value_length(row);
      out->push_back('{');
      std::string key;
      for (int64_t i = begin; i < end; ++i) {
        if (i > begin) out->push_back(',');
        key.clear();
        RETURN_NOT_OK(AppendJsonValue(*m.keys(), i, &key));
        if (key.empty() || key.front() != '"') key = "\"" + key + "\"";
        *out += key;
        out->push_back(':');
        RETURN_NOT_OK(AppendFieldValue(*m.map_type()->item_field(), *m.items(), i, out));
      }
      out->push_back('}');
      return Status::OK();
    }
    case Type::DICTIONARY: {
      const auto& d = static_cast<const arrow::DictionaryArray&>(array);
      return AppendJsonValue(*d.dictionary(), d.GetValueIndex(row), out);
    }
    default:
      return Status::NotImplemented("JSON output of type ", array.type()->ToString());
  }
}

Status WriteJsonLines(const arrow::RecordBatch& batch, arrow::io::OutputStream* out) {
  std::string buffer;
  const auto& schema = *batch.schema();
  std::vector<std::string> keys;
  for (const auto& field : schema.fields()) {
    std::string key;
    AppendJsonString(field->name(), &key);
    keys.push_back(key + ":");
  }
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    buffer.push_back('{');
    for (int c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) buffer.push_back(',');
      buffer += keys[c];
      RETURN_NOT_OK(AppendFieldValue(*schema.field(c), *batch.column(c), row, &buffer));
    }
    buffer += "}\n";
    if (buffer.size() > (1 << 20)) {
      RETURN_NOT_OK(out->Write(buffer.data(), static_cast<int64_t>(buffer.size())));
      buffer.clear();
    }
  }
  return out->Write(buffer.data(), static_cast<int64_t>(buffer.size()));
}

Status WriteJsonLines(const arrow::Table& table, arrow::io::OutputStream* out) {
  arrow::TableBatchReader reader(table);
  std::shared_ptr<arrow::RecordBatch> batch;
  while (true) {
    RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    RETURN_NOT_OK(WriteJsonLines(*batch, out));
  }
  return Status::OK();
}

}  // namespace basin::format
