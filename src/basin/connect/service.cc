#include "basin/connect/service.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <random>
#include <set>

#include <zlib.h>

#include "basin/base/uuid.h"
#include "basin/connect/arrow_stream.h"
#include "basin/connect/column_metadata.h"
#include "basin/connect/commands.h"
#include "basin/connect/config_defaults.h"
#include "basin/connect/data_type.h"
#include "basin/connect/errors.h"
#include "basin/connect/plan_description.h"
#include "basin/connect/translator.h"
#include "basin/session/session.h"

namespace basin::connect {

namespace pb = spark::connect;
using Clock = std::chrono::steady_clock;

namespace {

// Responses kept for a reattachable operation before the producer waits for releases.
constexpr size_t kMaxBufferedBytes = 64u << 20;
// Arrow batches are cut at about this size: like Spark (spark.connect.grpc.arrow.maxBatchSize),
// every message stays under gRPC's default 4 MiB limit, whatever the client configured.
constexpr int64_t kTargetBatchBytes = 2 << 20;

}  // namespace

// Clears the `common` part (plan id, call-site origin) of every relation inside `message`.
void ClearRelationCommons(google::protobuf::Message& message) {
  if (auto* relation = dynamic_cast<pb::Relation*>(&message)) relation->clear_common();
  const auto* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        ClearRelationCommons(*reflection->MutableRepeatedMessage(&message, field, i));
      }
    } else {
      ClearRelationCommons(*reflection->MutableMessage(&message, field));
    }
  }
}

// What identifies a persisted (cache()) relation: its plan, whatever DataFrame object (plan
// ids, call site) it came from, as Spark's cache matches equal plans.
std::string PersistKey(const pb::Relation& relation) {
  pb::Relation copy = relation;
  ClearRelationCommons(copy);
  return copy.SerializeAsString();
}

// One ExecutePlan: the responses its producer made that the client has not released yet.
struct Operation {
  std::string id;
  std::set<std::string> tags;
  bool reattachable = false;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::shared_ptr<pb::ExecutePlanResponse>> responses;  // not yet released
  int64_t first_index = 0;  // stream position of responses.front()
  int64_t produced = 0;     // responses made so far
  size_t buffered_bytes = 0;
  std::string last_released_id;
  bool done = false;
  grpc::Status final_status;
  int consumers = 0;
  Clock::time_point detached_at = Clock::now();
  std::atomic<bool> interrupted{false};
  std::atomic<bool> abandoned{false};
  /// Stops this operation's running operators (interrupt, release, shutdown).
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  void Stop() {
    cancel->store(true);
    cv.notify_all();
  }
};

// A client session: a Basin session plus what Spark Connect keeps per session.
class ConnectSession {
 public:
  ConnectSession(std::string user_id, std::string session_id, const ServiceOptions& options)
      : user_id(std::move(user_id)), session_id(std::move(session_id)),
        server_session_id(NewUuid()),
        session(session::SessionOptions{options.warehouse, options.metastore, this->user_id}) {}

  const std::string user_id;
  const std::string session_id;
  const std::string server_session_id;
  session::Session session;
  /// Serializes planning and commands: the Basin session is used by one translation at a time.
  std::mutex plan_mutex;

  std::mutex mutex;  // guards everything below
  std::map<std::string, std::shared_ptr<Operation>> operations;
  std::map<std::string, std::string> artifacts;  // name -> bytes
  struct Persisted {
    pb::StorageLevel level;
    std::shared_ptr<arrow::Table> rows;  // null until first use
  };
  std::map<std::string, Persisted> persisted;  // serialized relation -> rows
  /// checkpoint() results, by the id the client refers to them with.
  const std::shared_ptr<RemoteRelations> remote_relations = std::make_shared<RemoteRelations>();
  /// spark.catalog.cacheTable names, for isCached.
  const std::shared_ptr<CachedTableNames> cached_tables = std::make_shared<CachedTableNames>();
  std::map<std::string, SparkError> errors;    // error id -> error
  std::deque<std::string> error_order;
  Clock::time_point last_used = Clock::now();

  TranslationContext Context() {
    TranslationContext context;
    context.session = &session;
    context.remote_relations = remote_relations;
    context.cached_tables = cached_tables;
    context.persisted_relations = [this]() {
      std::vector<pb::Relation> out;
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& [key, value] : persisted) {
        pb::Relation relation;
        if (relation.ParseFromString(key)) out.push_back(std::move(relation));
      }
      return out;
    };
    context.artifact = [this](const std::string& name) -> std::optional<std::string> {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = artifacts.find(name);
      if (it == artifacts.end()) return std::nullopt;
      return it->second;
    };
    context.persisted =
        [this](const pb::Relation& relation) -> Result<std::optional<plan::PlanPtr>> {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (persisted.empty()) return std::optional<plan::PlanPtr>();
      }
      std::string key = PersistKey(relation);
      std::shared_ptr<arrow::Table> rows;
      {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = persisted.find(key);
        if (it == persisted.end()) return std::optional<plan::PlanPtr>();
        rows = it->second.rows;
      }
      if (!rows) {
        // Materialize on first use, as Spark's cache does.
        pb::Relation copy = relation;
        TranslationContext inner = Context();
        inner.persisted = [](const pb::Relation&) -> Result<std::optional<plan::PlanPtr>> {
          return std::optional<plan::PlanPtr>();
        };
        PlanTranslator translator(inner);
        ASSIGN_OR_RAISE(auto plan, translator.Plan(copy));
        ASSIGN_OR_RAISE(auto reader, session.Run(plan));
        ASSIGN_OR_RAISE(rows, reader->ToTable());
        std::lock_guard<std::mutex> lock(mutex);
        auto it = persisted.find(key);
        if (it != persisted.end()) it->second.rows = rows;
      }
      auto node = std::make_shared<plan::PlanNode>();
      node->kind = plan::PlanKind::kValues;
      node->values = rows;
      node->schema = rows->schema();
      return std::optional<plan::PlanPtr>(node);
    };
    return context;
  }

  std::string RecordError(const SparkError& error) {
    std::string id = NewUuid();
    std::lock_guard<std::mutex> lock(mutex);
    errors[id] = error;
    error_order.push_back(id);
    while (error_order.size() > 256) {
      errors.erase(error_order.front());
      error_order.pop_front();
    }
    return id;
  }

  grpc::Status Fail(const Status& status) {
    auto error = DescribeError(status);
    return ToGrpcStatus(error, RecordError(error));
  }
};

namespace {

// Adds a response to an operation's buffer, waiting while a reattachable client has too much
// unreleased data.
Status Push(ConnectSession& session, Operation& op, pb::ExecutePlanResponse response) {
  response.set_session_id(session.session_id);
  response.set_server_side_session_id(session.server_session_id);
  response.set_operation_id(op.id);
  response.set_response_id(NewUuid());
  auto shared = std::make_shared<pb::ExecutePlanResponse>(std::move(response));
  size_t bytes = shared->ByteSizeLong();
  std::unique_lock<std::mutex> lock(op.mutex);
  op.cv.wait(lock, [&] {
    return op.buffered_bytes < kMaxBufferedBytes || op.interrupted || op.abandoned;
  });
  if (op.abandoned) return UserError("INVALID_HANDLE.OPERATION_ABANDONED",
                                     "Operation " + op.id + " was abandoned by its client.");
  if (op.interrupted) return UserError("OPERATION_CANCELED", "Operation was canceled.");
  op.responses.push_back(std::move(shared));
  op.buffered_bytes += bytes;
  ++op.produced;
  op.cv.notify_all();
  return Status::OK();
}

// Sends `table`-like batches of `reader` as Arrow IPC responses; at least one (empty) batch.
// `described`, when given, is the reader's schema with the columns' Spark metadata.
Status PushBatches(ConnectSession& session, Operation& op, arrow::RecordBatchReader& reader,
                   const std::shared_ptr<arrow::Schema>& described = nullptr) {
  auto schema = reader.schema();
  arrow::FieldVector safe_fields;
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& f = described && described->num_fields() == schema->num_fields()
                        ? described->field(i)
                        : schema->field(i);
    safe_fields.push_back(f->WithType(ArrowSafeType(f->type())));
  }
  auto safe_schema = arrow::schema(safe_fields, schema->metadata());
  bool renamed = !safe_schema->Equals(*schema);
  std::vector<std::shared_ptr<arrow::RecordBatch>> pending;
  int64_t pending_bytes = 0;
  int64_t offset = 0;
  bool sent = false;
  auto flush = [&]() -> Status {
    if (pending.empty() && sent) return Status::OK();
    if (pending.empty()) {
      // No rows at all: the client still needs one (empty) batch to learn the schema.
      ASSIGN_OR_RAISE(auto empty, arrow::RecordBatch::MakeEmpty(schema));
      pending.push_back(empty);
    }
    // The client wants exactly one record batch per ArrowBatch message.
    if (pending.size() > 1) {
      ASSIGN_OR_RAISE(auto combined, arrow::ConcatenateRecordBatches(pending));
      pending = {combined};
    }
    if (renamed) {
      arrow::ArrayVector columns;
      for (int i = 0; i < pending[0]->num_columns(); ++i) {
        columns.push_back(arrow::MakeArray(
            Retyped(pending[0]->column_data(i), safe_schema->field(i)->type())));
      }
      pending[0] = arrow::RecordBatch::Make(safe_schema, pending[0]->num_rows(), columns);
    }
    ASSIGN_OR_RAISE(auto data, EncodeArrowStream(renamed ? safe_schema : schema, pending));
    int64_t rows = pending[0]->num_rows();
    pb::ExecutePlanResponse response;
    auto* batch = response.mutable_arrow_batch();
    batch->set_row_count(rows);
    batch->set_data(std::move(data));
    batch->set_start_offset(offset);
    offset += rows;
    pending.clear();
    pending_bytes = 0;
    sent = true;
    return Push(session, op, std::move(response));
  };
  while (true) {
    if (op.interrupted) return UserError("OPERATION_CANCELED", "Operation was canceled.");
    std::shared_ptr<arrow::RecordBatch> batch;
    RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    if (batch->num_rows() == 0) continue;
    int64_t bytes = EstimateBatchBytes(*batch);
    if (bytes > kTargetBatchBytes && batch->num_rows() > 1) {
      // Cut a large batch into slices of about the target size.
      int64_t per_row = std::max<int64_t>(1, bytes / batch->num_rows());
      int64_t rows = std::max<int64_t>(1, kTargetBatchBytes / per_row);
      for (int64_t start = 0; start < batch->num_rows(); start += rows) {
        RETURN_NOT_OK(flush());
        pending.push_back(batch->Slice(start, std::min(rows, batch->num_rows() - start)));
        RETURN_NOT_OK(flush());
      }
      continue;
    }
    pending.push_back(batch);
    pending_bytes += bytes;
    if (pending_bytes >= kTargetBatchBytes) RETURN_NOT_OK(flush());
  }
  return flush();
}

// Runs a relation: its schema, then its rows.
Status RunRelation(ConnectSession& session, Operation& op, const pb::Relation& relation) {
  plan::PlanPtr plan;
  std::optional<int64_t> tail;
  std::shared_ptr<arrow::Schema> described;
  {
    std::lock_guard<std::mutex> lock(session.plan_mutex);
    PlanTranslator translator(session.Context());
    const pb::Relation& rows = relation.has_tail() ? relation.tail().input() : relation;
    if (relation.has_tail()) {
      // DataFrame.tail(n): the last n rows of the input.
      tail = relation.tail().limit();
    }
    ASSIGN_OR_RAISE(plan, translator.Plan(rows));
    ASSIGN_OR_RAISE(described, WithColumnMetadata(rows, plan->schema, translator));
  }
  pb::ExecutePlanResponse schema_response;
  ASSIGN_OR_RAISE(*schema_response.mutable_schema(), ToProtoSchema(*described));
  RETURN_NOT_OK(Push(session, op, std::move(schema_response)));
  ASSIGN_OR_RAISE(auto reader, session.session.Run(plan, op.cancel));
  if (tail) {
    if (*tail < 0) {
      return UserError("INVALID_PARAMETER_VALUE.LIMIT" /* Spark: tail(n) n >= 0 */,
                       "The limit expression must be equal to or greater than 0, but got " +
                           std::to_string(*tail) + ".");
    }
    ASSIGN_OR_RAISE(auto table, reader->ToTable());
    int64_t n = std::min<int64_t>(*tail, table->num_rows());
    auto last = table->Slice(table->num_rows() - n, n);
    arrow::TableBatchReader batches(*last);
    return PushBatches(session, op, batches, described);
  }
  return PushBatches(session, op, *reader, described);
}

}  // namespace

// Producer threads still running; shutdown waits for them so that none outlives the process's
// static state.
struct ProducerCount {
  std::mutex mutex;
  std::condition_variable cv;
  int running = 0;
};

namespace {

// The producer of an operation: runs the plan and fills the buffer, then marks it done.
void Produce(std::shared_ptr<ConnectSession> session, std::shared_ptr<Operation> op,
             pb::Plan plan, std::shared_ptr<ProducerCount> producers) {
  struct Done {
    ProducerCount& count;
    ~Done() {
      std::lock_guard<std::mutex> lock(count.mutex);
      --count.running;
      count.cv.notify_all();
    }
  } done{*producers};
  Status status;
  if (plan.has_root()) {
    status = RunRelation(*session, *op, plan.root());
  } else if (plan.has_command()) {
    Result<std::vector<pb::ExecutePlanResponse>> responses =
        InternalError("command not run");
    {
      std::lock_guard<std::mutex> lock(session->plan_mutex);
      PlanTranslator translator(session->Context());
      responses = RunCommand(plan.command(), translator);
    }
    status = responses.status();
    if (status.ok()) {
      for (auto& r : *responses) {
        status = Push(*session, *op, std::move(r));
        if (!status.ok()) break;
      }
    }
  } else if (plan.has_compressed_operation()) {
    status = UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                       "Compressed plans are not supported by this server; the client should "
                       "send plans uncompressed.");
  } else {
    status = UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                       "The plan has neither a relation nor a command.");
  }
  if (status.ok()) {
    pb::ExecutePlanResponse complete;
    complete.mutable_result_complete();
    status = Push(*session, *op, std::move(complete));
  }
  std::lock_guard<std::mutex> lock(op->mutex);
  if (!status.ok()) op->final_status = session->Fail(status);
  op->done = true;
  op->cv.notify_all();
}

}  // namespace

ConnectService::ConnectService(ServiceOptions options)
    : options_(std::move(options)), producers_(std::make_shared<ProducerCount>()) {
  reaper_ = std::thread([this] { Reap(); });
}

ConnectService::~ConnectService() {
  Shutdown();
  if (reaper_.joinable()) reaper_.join();
}

void ConnectService::Shutdown() {
  stopping_ = true;
  reaper_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [key, session] : sessions_) {
      std::lock_guard<std::mutex> session_lock(session->mutex);
      for (auto& [id, op] : session->operations) {
        op->abandoned = true;
        op->Stop();
      }
      session->session.Cancel();
    }
  }
  // Running operators stop at their next batch; wait for the producers to finish.
  std::unique_lock<std::mutex> lock(producers_->mutex);
  producers_->cv.wait_for(lock, std::chrono::seconds(30),
                          [&] { return producers_->running == 0; });
}

size_t ConnectService::SessionCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

void ConnectService::Reap() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    reaper_cv_.wait_for(lock, std::chrono::seconds(5));
    auto now = Clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto& session = *it->second;
      bool idle = false;
      {
        std::lock_guard<std::mutex> session_lock(session.mutex);
        for (auto op = session.operations.begin(); op != session.operations.end();) {
          std::lock_guard<std::mutex> op_lock(op->second->mutex);
          bool detached = op->second->consumers == 0;
          auto quiet = now - op->second->detached_at;
          if (detached && quiet > std::chrono::seconds(options_.operation_abandon_seconds)) {
            // Nobody came back for it: stop producing and free its buffer.
            op->second->abandoned = true;
            op->second->Stop();
            if (op->second->done) {
              op = session.operations.erase(op);
              continue;
            }
          }
          ++op;
        }
        idle = session.operations.empty() &&
               now - session.last_used > std::chrono::seconds(options_.session_idle_seconds);
      }
      it = idle ? sessions_.erase(it) : std::next(it);
    }
  }
}

grpc::Status ConnectService::GetSession(const std::string& user_id,
                                        const std::string& session_id,
                                        const std::string* observed_server_session, bool create,
                                        std::shared_ptr<ConnectSession>* out) {
  if (!IsUuid(session_id)) {
    return ProtocolError("INVALID_HANDLE.FORMAT",
                         "The handle " + session_id +
                             " is invalid. Handle must be an UUID string of the format "
                             "'00112233-4455-6677-8899-aabbccddeeff'.");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "The server is stopping.");
  std::string key = user_id + "/" + session_id;
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    if (observed_server_session && !observed_server_session->empty()) {
      // The client talked to a session this server does not have (it restarted).
      return ProtocolError("INVALID_HANDLE.SESSION_CHANGED",
                           "The existing Spark server driver instance has restarted. Please "
                           "reconnect.");
    }
    if (!create) {
      return ProtocolError("INVALID_HANDLE.SESSION_NOT_FOUND",
                           "Session " + session_id + " was not found.");
    }
    auto session = std::make_shared<ConnectSession>(user_id, session_id, options_);
    it = sessions_.emplace(key, std::move(session)).first;
  } else if (observed_server_session && !observed_server_session->empty() &&
             *observed_server_session != it->second->server_session_id) {
    return ProtocolError("INVALID_HANDLE.SESSION_CHANGED",
                         "The existing Spark server driver instance has restarted. Please "
                         "reconnect.");
  }
  {
    std::lock_guard<std::mutex> session_lock(it->second->mutex);
    it->second->last_used = Clock::now();
  }
  *out = it->second;
  return grpc::Status::OK;
}

#define BASIN_GET_SESSION(request, create, session)                                       \
  std::shared_ptr<ConnectSession> session;                                                \
  {                                                                                       \
    const std::string* observed = (request)->has_client_observed_server_side_session_id() \
        ? &(request)->client_observed_server_side_session_id()                            \
        : nullptr;                                                                        \
    auto got = GetSession((request)->user_context().user_id(), (request)->session_id(),   \
                          observed, create, &session);                                    \
    if (!got.ok()) return got;                                                            \
  }

grpc::Status ConnectService::ExecutePlan(
    grpc::ServerContext* context, const pb::ExecutePlanRequest* request,
    grpc::ServerWriter<pb::ExecutePlanResponse>* writer) {
  BASIN_GET_SESSION(request, true, session);
  auto op = std::make_shared<Operation>();
  if (request->has_operation_id()) {
    if (!IsUuid(request->operation_id())) {
      return ProtocolError("INVALID_HANDLE.FORMAT",
                           "The handle " + request->operation_id() +
                               " is invalid. Handle must be an UUID string of the format "
                               "'00112233-4455-6677-8899-aabbccddeeff'.");
    }
    op->id = request->operation_id();
  } else {
    op->id = NewUuid();
  }
  for (const auto& tag : request->tags()) op->tags.insert(tag);
  for (const auto& option : request->request_options()) {
    if (option.has_reattach_options() && option.reattach_options().reattachable()) {
      op->reattachable = true;
    }
  }
  {
    std::lock_guard<std::mutex> lock(session->mutex);
    if (session->operations.count(op->id)) {
      return ProtocolError("INVALID_HANDLE.OPERATION_ALREADY_EXISTS",
                           "Operation " + op->id + " already exists.");
    }
    session->operations[op->id] = op;
  }
  op->consumers = 1;
  {
    std::lock_guard<std::mutex> lock(producers_->mutex);
    ++producers_->running;
  }
  std::thread(Produce, session, op, request->plan(), producers_).detach();
  return Stream(context, *session, op, 0, writer);
}

grpc::Status ConnectService::Stream(grpc::ServerContext* context, ConnectSession& session,
                                    const std::shared_ptr<Operation>& op, int64_t start,
                                    grpc::ServerWriter<pb::ExecutePlanResponse>* writer) {
  int64_t next = start;
  auto detach = [&] {
    std::lock_guard<std::mutex> lock(op->mutex);
    --op->consumers;
    op->detached_at = Clock::now();
  };
  while (true) {
    std::shared_ptr<pb::ExecutePlanResponse> response;
    {
      std::unique_lock<std::mutex> lock(op->mutex);
      while (next >= op->produced && !op->done) {
        if (context->IsCancelled() || stopping_) break;
        op->cv.wait_for(lock, std::chrono::milliseconds(200));
      }
      if (context->IsCancelled()) {
        lock.unlock();
        detach();
        return grpc::Status(grpc::StatusCode::CANCELLED, "The client went away.");
      }
      if (next < op->first_index) {
        lock.unlock();
        detach();
        return ProtocolError("INVALID_CURSOR.POSITION_NOT_AVAILABLE",
                             "The cursor position is not available anymore (released).");
      }
      if (next < op->produced) {
        response = op->responses[static_cast<size_t>(next - op->first_index)];
      } else if (op->done) {
        grpc::Status final_status = op->final_status;
        bool remove = !op->reattachable || !final_status.ok();
        --op->consumers;
        op->detached_at = Clock::now();
        lock.unlock();
        if (remove) {
          std::lock_guard<std::mutex> session_lock(session.mutex);
          session.operations.erase(op->id);
        }
        return final_status;
      } else {
        lock.unlock();
        detach();
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "The server is stopping.");
      }
    }
    if (!writer->Write(*response)) {
      // The client is gone; the operation waits for a ReattachExecute.
      detach();
      return grpc::Status(grpc::StatusCode::CANCELLED, "The client went away.");
    }
    ++next;
    if (!op->reattachable) {
      // Nobody can ask for it again: release what was sent.
      std::lock_guard<std::mutex> lock(op->mutex);
      while (op->first_index < next && !op->responses.empty()) {
        op->buffered_bytes -= op->responses.front()->ByteSizeLong();
        op->responses.pop_front();
        ++op->first_index;
      }
      op->cv.notify_all();
    }
  }
}

grpc::Status ConnectService::ReattachExecute(
    grpc::ServerContext* context, const pb::ReattachExecuteRequest* request,
    grpc::ServerWriter<pb::ExecutePlanResponse>* writer) {
  BASIN_GET_SESSION(request, false, session);
  std::shared_ptr<Operation> op;
  {
    std::lock_guard<std::mutex> lock(session->mutex);
    auto it = session->operations.find(request->operation_id());
    if (it != session->operations.end()) op = it->second;
  }
  if (!op) {
    return ProtocolError("INVALID_HANDLE.OPERATION_NOT_FOUND",
                         "Operation " + request->operation_id() + " was not found.");
  }
  if (!op->reattachable) {
    return ProtocolError("INVALID_CURSOR.NOT_REATTACHABLE",
                         "Operation " + op->id + " is not reattachable.");
  }
  int64_t start;
  {
    std::lock_guard<std::mutex> lock(op->mutex);
    if (op->abandoned) {
      return ProtocolError("INVALID_HANDLE.OPERATION_ABANDONED",
                           "Operation " + op->id + " was abandoned.");
    }
    start = op->first_index;
    if (request->has_last_response_id() && request->last_response_id() != op->last_released_id) {
      bool found = false;
      for (size_t i = 0; i < op->responses.size(); ++i) {
        if (op->responses[i]->response_id() == request->last_response_id()) {
          start = op->first_index + static_cast<int64_t>(i) + 1;
          found = true;
          break;
        }
      }
      if (!found) {
        return ProtocolError("INVALID_CURSOR.POSITION_NOT_FOUND",
                             "Response " + request->last_response_id() +
                                 " is not in the buffer of operation " + op->id + ".");
      }
    }
    ++op->consumers;
  }
  return Stream(context, *session, op, start, writer);
}

grpc::Status ConnectService::ReleaseExecute(grpc::ServerContext* context,
                                            const pb::ReleaseExecuteRequest* request,
                                            pb::ReleaseExecuteResponse* response) {
  BASIN_GET_SESSION(request, false, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  response->set_operation_id(request->operation_id());
  std::shared_ptr<Operation> op;
  {
    std::lock_guard<std::mutex> lock(session->mutex);
    auto it = session->operations.find(request->operation_id());
    if (it == session->operations.end()) return grpc::Status::OK;  // already gone
    op = it->second;
    if (request->has_release_all()) {
      session->operations.erase(it);
    }
  }
  std::lock_guard<std::mutex> lock(op->mutex);
  if (request->has_release_all()) {
    // The client is done with it: stop a producer that is still running.
    if (!op->done) {
      op->abandoned = true;
      op->cancel->store(true);
    }
    op->responses.clear();
    op->buffered_bytes = 0;
    op->first_index = op->produced;
  } else if (request->has_release_until()) {
    const auto& id = request->release_until().response_id();
    for (size_t i = 0; i < op->responses.size(); ++i) {
      if (op->responses[i]->response_id() != id) continue;
      for (size_t k = 0; k <= i; ++k) {
        op->buffered_bytes -= op->responses.front()->ByteSizeLong();
        op->responses.pop_front();
        ++op->first_index;
      }
      op->last_released_id = id;
      break;
    }
  }
  op->cv.notify_all();
  return grpc::Status::OK;
}

grpc::Status ConnectService::AnalyzePlan(grpc::ServerContext* context,
                                         const pb::AnalyzePlanRequest* request,
                                         pb::AnalyzePlanResponse* response) {
  BASIN_GET_SESSION(request, true, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  std::lock_guard<std::mutex> lock(session->plan_mutex);
  auto status = AnalyzeRequest(*request, session->Context(), response,
                               [&](const pb::Relation& relation, const pb::StorageLevel* level,
                                   bool remove) -> std::optional<pb::StorageLevel> {
                                 std::string key = PersistKey(relation);
                                 std::lock_guard<std::mutex> session_lock(session->mutex);
                                 if (remove) {
                                   session->persisted.erase(key);
                                   return std::nullopt;
                                 }
                                 if (level) {
                                   session->persisted[key].level = *level;
                                   return *level;
                                 }
                                 auto it = session->persisted.find(key);
                                 if (it == session->persisted.end()) return std::nullopt;
                                 return it->second.level;
                               });
  if (!status.ok()) return session->Fail(status);
  return grpc::Status::OK;
}

grpc::Status ConnectService::Config(grpc::ServerContext* context,
                                    const pb::ConfigRequest* request,
                                    pb::ConfigResponse* response) {
  BASIN_GET_SESSION(request, true, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  auto& basin = session->session;
  auto lookup = [&](const std::string& key) -> std::optional<std::string> {
    if (auto v = basin.GetConfig(key)) return v;
    auto it = ClientConfigDefaults().find(key);
    if (it != ClientConfigDefaults().end()) return it->second;
    return std::nullopt;
  };
  const auto& operation = request->operation();
  Status status;
  if (operation.has_set()) {
    for (const auto& pair : operation.set().pairs()) {
      if (!IsModifiableConfig(pair.key()) && ClientConfigDefaults().count(pair.key()) &&
          pair.key().rfind("spark.sql.", 0) == 0) {
        status = UserError("CANNOT_MODIFY_STATIC_CONFIG",
                           "Cannot modify the value of the static Spark config: \"" +
                               pair.key() + "\".");
        break;
      }
      if (!pair.has_value()) {
        // spark.conf.set("key", None): Spark's conf refuses a null value.
        status = UserError("INVALID_CONF_VALUE.REQUIREMENT",
                           "The value 'null' in the config \"" + pair.key() +
                               "\" is invalid. The value cannot be null.");
        break;
      }
      status = basin.SetConfig(pair.key(), pair.value());
      if (!status.ok()) break;
    }
  } else if (operation.has_get()) {
    for (const auto& key : operation.get().keys()) {
      auto value = lookup(key);
      if (!value) {
        status = UserError("SQL_CONF_NOT_FOUND",
                           "The SQL config \"" + key +
                               "\" cannot be found. Please verify that the config exists.");
        break;
      }
      auto* pair = response->add_pairs();
      pair->set_key(key);
      pair->set_value(*value);
    }
  } else if (operation.has_get_with_default()) {
    // spark.conf.get(key, default): the value set in the session, else the caller's default
    // (Spark's SQLConf.getConfString(key, default) does not fall back to the key's own default).
    for (const auto& kv : operation.get_with_default().pairs()) {
      auto* pair = response->add_pairs();
      pair->set_key(kv.key());
      if (auto value = basin.GetSetConfig(kv.key())) {
        pair->set_value(*value);
      } else if (kv.has_value()) {
        pair->set_value(kv.value());
      }
    }
  } else if (operation.has_get_option()) {
    for (const auto& key : operation.get_option().keys()) {
      auto* pair = response->add_pairs();
      pair->set_key(key);
      if (auto value = lookup(key)) pair->set_value(*value);
    }
  } else if (operation.has_get_all()) {
    const std::string prefix =
        operation.get_all().has_prefix() ? operation.get_all().prefix() : "";
    for (const auto& [key, value] : basin.AllConfig()) {
      if (key.rfind(prefix, 0) != 0) continue;
      auto* pair = response->add_pairs();
      pair->set_key(key);
      pair->set_value(value);
    }
  } else if (operation.has_unset()) {
    for (const auto& key : operation.unset().keys()) basin.UnsetConfig(key);
  } else if (operation.has_is_modifiable()) {
    for (const auto& key : operation.is_modifiable().keys()) {
      auto* pair = response->add_pairs();
      pair->set_key(key);
      pair->set_value(IsModifiableConfig(key) ? "true" : "false");
    }
  } else {
    status = UserError("CONNECT_INVALID_PLAN.CANNOT_PARSE", "The config request has no operation.");
  }
  if (!status.ok()) return session->Fail(status);
  return grpc::Status::OK;
}

grpc::Status ConnectService::AddArtifacts(grpc::ServerContext* context,
                                          grpc::ServerReader<pb::AddArtifactsRequest>* reader,
                                          pb::AddArtifactsResponse* response) {
  pb::AddArtifactsRequest request;
  std::shared_ptr<ConnectSession> session;
  // A chunked artifact in progress.
  std::string chunked_name, chunked_data;
  bool chunked_ok = true;
  int64_t chunks_left = 0;
  auto crc_ok = [](const pb::AddArtifactsRequest::ArtifactChunk& chunk) {
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(chunk.data().data()),
                      static_cast<uInt>(chunk.data().size()));
    return static_cast<int64_t>(crc) == chunk.crc();
  };
  auto store = [&](const std::string& name, std::string data, bool ok) {
    auto* summary = response->add_artifacts();
    summary->set_name(name);
    summary->set_is_crc_successful(ok);
    if (!ok) return;
    std::lock_guard<std::mutex> lock(session->mutex);
    session->artifacts[name] = std::move(data);
  };
  while (reader->Read(&request)) {
    if (!session) {
      const std::string* observed = request.has_client_observed_server_side_session_id()
                                        ? &request.client_observed_server_side_session_id()
                                        : nullptr;
      auto got = GetSession(request.user_context().user_id(), request.session_id(), observed,
                            true, &session);
      if (!got.ok()) return got;
    }
    if (request.has_batch()) {
      for (const auto& artifact : request.batch().artifacts()) {
        store(artifact.name(), artifact.data().data(), crc_ok(artifact.data()));
      }
    } else if (request.has_begin_chunk()) {
      const auto& begin = request.begin_chunk();
      chunked_name = begin.name();
      chunked_data = begin.initial_chunk().data();
      chunked_ok = crc_ok(begin.initial_chunk());
      chunks_left = begin.num_chunks() - 1;
      if (chunks_left == 0) store(chunked_name, std::move(chunked_data), chunked_ok);
    } else if (request.has_chunk()) {
      if (chunks_left <= 0) {
        return ProtocolError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                             "An artifact chunk arrived without a BeginChunkedArtifact.");
      }
      chunked_data += request.chunk().data();
      chunked_ok = chunked_ok && crc_ok(request.chunk());
      if (--chunks_left == 0) store(chunked_name, std::move(chunked_data), chunked_ok);
    }
  }
  if (chunks_left > 0) {
    return ProtocolError("CONNECT_INVALID_PLAN.CANNOT_PARSE",
                         "The artifact " + chunked_name + " ended before its last chunk.");
  }
  if (session) {
    response->set_session_id(session->session_id);
    response->set_server_side_session_id(session->server_session_id);
  }
  return grpc::Status::OK;
}

grpc::Status ConnectService::ArtifactStatus(grpc::ServerContext* context,
                                            const pb::ArtifactStatusesRequest* request,
                                            pb::ArtifactStatusesResponse* response) {
  BASIN_GET_SESSION(request, true, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  std::lock_guard<std::mutex> lock(session->mutex);
  for (const auto& name : request->names()) {
    (*response->mutable_statuses())[name].set_exists(session->artifacts.count(name) > 0);
  }
  return grpc::Status::OK;
}

grpc::Status ConnectService::Interrupt(grpc::ServerContext* context,
                                       const pb::InterruptRequest* request,
                                       pb::InterruptResponse* response) {
  BASIN_GET_SESSION(request, false, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  {
    std::lock_guard<std::mutex> lock(session->mutex);
    for (auto& [id, op] : session->operations) {
      bool match = false;
      switch (request->interrupt_type()) {
        case pb::InterruptRequest::INTERRUPT_TYPE_ALL: match = true; break;
        case pb::InterruptRequest::INTERRUPT_TYPE_TAG:
          match = op->tags.count(request->operation_tag()) > 0;
          break;
        case pb::InterruptRequest::INTERRUPT_TYPE_OPERATION_ID:
          match = id == request->operation_id();
          break;
        default: break;
      }
      if (!match) continue;
      std::lock_guard<std::mutex> op_lock(op->mutex);
      if (op->done) continue;
      op->interrupted = true;
      op->Stop();  // its running operators stop at their next batch; others go on
      response->add_interrupted_ids(id);
    }
  }
  return grpc::Status::OK;
}

grpc::Status ConnectService::ReleaseSession(grpc::ServerContext* context,
                                            const pb::ReleaseSessionRequest* request,
                                            pb::ReleaseSessionResponse* response) {
  response->set_session_id(request->session_id());
  std::shared_ptr<ConnectSession> session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sessions_.find(request->user_context().user_id() + "/" + request->session_id());
    if (it == sessions_.end()) return grpc::Status::OK;
    session = it->second;
    sessions_.erase(it);
  }
  response->set_server_side_session_id(session->server_session_id);
  std::lock_guard<std::mutex> lock(session->mutex);
  for (auto& [id, op] : session->operations) {
    op->abandoned = true;
    op->Stop();
  }
  session->session.Cancel();
  return grpc::Status::OK;
}

grpc::Status ConnectService::FetchErrorDetails(grpc::ServerContext* context,
                                               const pb::FetchErrorDetailsRequest* request,
                                               pb::FetchErrorDetailsResponse* response) {
  BASIN_GET_SESSION(request, false, session);
  response->set_session_id(session->session_id);
  response->set_server_side_session_id(session->server_session_id);
  std::lock_guard<std::mutex> lock(session->mutex);
  auto it = session->errors.find(request->error_id());
  if (it != session->errors.end()) FillErrorDetails(it->second, response);
  return grpc::Status::OK;
}

}  // namespace basin::connect
