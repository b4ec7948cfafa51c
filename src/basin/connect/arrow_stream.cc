#include "basin/connect/arrow_stream.h"

#include <map>

#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>

namespace basin::connect {

Result<std::string> EncodeArrowStream(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) {
  ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, schema));
  for (const auto& batch : batches) RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
  RETURN_NOT_OK(writer->Close());
  ASSIGN_OR_RAISE(auto buffer, sink->Finish());
  return buffer->ToString();
}

Result<std::string> EncodeArrowStream(const arrow::Table& table) {
  arrow::TableBatchReader reader(table);
  ASSIGN_OR_RAISE(auto batches, reader.ToRecordBatches());
  return EncodeArrowStream(table.schema(), batches);
}

Result<std::shared_ptr<arrow::Table>> DecodeArrowStream(const std::string& data) {
  // The batches slice this buffer (and keep it alive), so it owns a copy of the bytes.
  auto buffer = arrow::Buffer::FromString(std::string(data));
  auto input = std::make_shared<arrow::io::BufferReader>(buffer);
  auto reader = arrow::ipc::RecordBatchStreamReader::Open(input);
  if (!reader.ok()) {
    return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                     "The Arrow data of a local relation cannot be read: " +
                         reader.status().message());
  }
  auto table = (*reader)->ToTable();
  if (!table.ok()) {
    return UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                     "The Arrow data of a local relation cannot be read: " +
                         table.status().message());
  }
  return *table;
}

int64_t EstimateBatchBytes(const arrow::RecordBatch& batch) {
  int64_t bytes = 0;
  for (const auto& column : batch.columns()) {
    for (const auto& buffer : column->data()->buffers) {
      if (buffer) bytes += buffer->size();
    }
    for (const auto& child : column->data()->child_data) {
      for (const auto& buffer : child->buffers) {
        if (buffer) bytes += buffer->size();
      }
    }
  }
  return bytes;
}

std::shared_ptr<arrow::DataType> ArrowSafeType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      std::map<std::string, int> counts, seen;
      for (const auto& f : type->fields()) ++counts[f->name()];
      arrow::FieldVector fields;
      for (const auto& f : type->fields()) {
        std::string name = f->name();
        if (counts[name] > 1) name += "_" + std::to_string(seen[f->name()]++);
        fields.push_back(f->WithName(name)->WithType(ArrowSafeType(f->type())));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::LIST: {
      const auto& f = type->field(0);
      return arrow::list(f->WithType(ArrowSafeType(f->type())));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return std::make_shared<arrow::MapType>(
          map.key_field()->WithType(ArrowSafeType(map.key_type())),
          map.item_field()->WithType(ArrowSafeType(map.item_type())), map.keys_sorted());
    }
    default: return type;
  }
}

std::shared_ptr<arrow::ArrayData> Retyped(const std::shared_ptr<arrow::ArrayData>& data,
                                          const std::shared_ptr<arrow::DataType>& type) {
  auto out = data->Copy();
  out->type = type;
  switch (type->id()) {
    case arrow::Type::STRUCT:
      for (int i = 0; i < type->num_fields() && i < static_cast<int>(data->child_data.size());
           ++i) {
        out->child_data[i] = Retyped(data->child_data[i], type->field(i)->type());
      }
      break;
    case arrow::Type::LIST:
    case arrow::Type::MAP:
      if (!data->child_data.empty()) {
        out->child_data[0] = Retyped(data->child_data[0], type->field(0)->type());
      }
      break;
    default: break;
  }
  return out;
}

std::shared_ptr<arrow::DataType> WithFieldNamesOf(const std::shared_ptr<arrow::DataType>& type,
                                                  const arrow::DataType& names) {
  if (type->id() != names.id() || type->num_fields() != names.num_fields()) return type;
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (int i = 0; i < type->num_fields(); ++i) {
        const auto& f = type->field(i);
        fields.push_back(f->WithName(names.field(i)->name())
                             ->WithType(WithFieldNamesOf(f->type(), *names.field(i)->type())));
      }
      return arrow::struct_(fields);
    }
    case arrow::Type::LIST: {
      const auto& f = type->field(0);
      return arrow::list(f->WithType(WithFieldNamesOf(f->type(), *names.field(0)->type())));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      const auto& other = static_cast<const arrow::MapType&>(names);
      return std::make_shared<arrow::MapType>(
          map.key_field()->WithType(WithFieldNamesOf(map.key_type(), *other.key_type())),
          map.item_field()->WithType(WithFieldNamesOf(map.item_type(), *other.item_type())),
          map.keys_sorted());
    }
    default: return type;
  }
}

}  // namespace basin::connect
