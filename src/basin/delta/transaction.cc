#include "basin/delta/transaction.h"

#include <arrow/scalar.h>

#include "basin/delta/replace_where.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/conflict_checker.h"

namespace basin::delta {

namespace {

// A losing writer retries at most this many times before giving up.
constexpr int kMaxCommitAttempts = 1000;

bool IsVersionFile(const std::string& name) {
  if (name.size() < 21) return false;
  for (int i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return name[20] == '.';
}

// Returns true if the table's log holds any commit or checkpoint.
Result<bool> LogExists(const io::Location& table_root) {
  ASSIGN_OR_RAISE(auto entries, io::ListDirectory(table_root.Child("_delta_log"), true));
  for (const auto& entry : entries) {
    if (IsVersionFile(entry.base_name())) return true;
  }
  return false;
}

bool ConfigTrue(const Metadata& metadata, const std::string& key) {
  auto it = metadata.configuration.find(key);
  if (it == metadata.configuration.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  return v == "true";
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata,
                           bool columns_computed) {
  auto unsupported = [](const std::string& feature) {
    return UserError("DELTA_UNSUPPORTED_FEATURES_FOR_WRITE",
                     "Unable to write this table because it requires writer table feature(s) "
                     "that are unsupported by Basin: " + feature + ".");
  };
  if (protocol.min_writer_version > 7 || protocol.min_writer_version < 1) {
    return UserError("DELTA_INVALID_PROTOCOL_VERSION",
                     "Unsupported Delta protocol version: table requires writer version " +
                         std::to_string(protocol.min_writer_version) +
                         ", but Basin supports writer versions 1 to 7.");
  }
  // Writers must compute these; the SQL engine does (INSERT, MERGE, ... mark the transaction),
  // the storage-level writers (`basin table write`) cannot evaluate the expressions.
  auto computed_by_sql = [](const std::string& feature) {
    return UserError("DELTA_UNSUPPORTED_FEATURES_FOR_WRITE",
                     "Unable to write this table because it requires writer table feature(s) "
                     "that are unsupported by this write path: " + feature +
                         ". Their values are computed by the SQL engine: write with INSERT INTO "
                         "(basin sql, or Spark Connect) instead.");
  };
  if (!columns_computed &&
      metadata.schema_string.find("delta.generationExpression") != std::string::npos) {
    return computed_by_sql("generatedColumns");
  }
  if (!columns_computed && metadata.schema_string.find("delta.identity.") != std::string::npos) {
    return computed_by_sql("identityColumns");
  }
  if (protocol.min_writer_version == 7 && protocol.writer_features) {
    static const std::set<std::string> kSupported = {
        "appendOnly",        "invariants",           "changeDataFeed",
        "columnMapping",     "deletionVectors",      "domainMetadata",
        "timestampNtz",      "typeWidening",         "typeWidening-preview",
        "v2Checkpoint",      "vacuumProtocolCheck",  "inCommitTimestamp",
        "variantType",       "variantType-preview",  "allowColumnDefaults",
        "clustering",        "checkConstraints",     "generatedColumns",
        "identityColumns"};
    for (const auto& feature : *protocol.writer_features) {
      if (kSupported.count(feature) == 0) return unsupported(feature);
    }
  }
  return Status::OK();
}

Status CheckConstraints(const Metadata& metadata, const std::shared_ptr<arrow::Table>& rows,
                        bool engine_checked) {
  if (engine_checked || !rows || rows->num_rows() == 0) return Status::OK();
  const std::string prefix = "delta.constraints.";
  for (const auto& [key, expr] : metadata.configuration) {
    if (key.rfind(prefix, 0) != 0) continue;
    auto predicate = Predicate::Parse(expr);
    if (!predicate.ok()) {
      return UserError("DELTA_UNSUPPORTED_FEATURES_FOR_WRITE",
                       "Unable to write this table because it requires writer table feature(s) "
                       "that are unsupported by this writer: checkConstraints (the constraint " +
                           key.substr(prefix.size()) + " (" + expr +
                           ") needs the SQL engine; write through SQL).");
    }
    ASSIGN_OR_RAISE(auto ok, predicate->Evaluate(*rows));
    for (int64_t i = 0; i < ok->length(); ++i) {
      if (ok->IsValid(i) && ok->Value(i)) continue;
      std::string values;
      for (int c = 0; c < rows->num_columns(); ++c) {
        auto scalar = rows->column(c)->GetScalar(i);
        values += "\n - " + rows->schema()->field(c)->name() + " : " +
                  (scalar.ok() && (*scalar)->is_valid ? (*scalar)->ToString() : "null");
      }
      return UserError("DELTA_VIOLATE_CONSTRAINT_WITH_VALUES",
                       "CHECK constraint " + key.substr(prefix.size()) + " (" + expr +
                           ") violated by row with values:" + values);
    }
  }
  return Status::OK();
}

Result<Transaction> Transaction::Begin(const io::Location& table_root) {
  ASSIGN_OR_RAISE(bool exists, LogExists(table_root));
  if (!exists) {
    Transaction t;
    t.table_root_ = table_root;
    return t;
  }
  ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(table_root));
  return FromSnapshot(std::move(snapshot));
}

Transaction Transaction::FromSnapshot(std::shared_ptr<const Snapshot> snapshot) {
  Transaction t;
  t.table_root_ = snapshot->table_root();
  t.read_snapshot_ = std::move(snapshot);
  return t;
}

void Transaction::UpdateProtocol(Protocol protocol) { new_protocol_ = std::move(protocol); }
void Transaction::UpdateMetadata(Metadata metadata) { new_metadata_ = std::move(metadata); }
void Transaction::Add(AddFile add) { actions_.emplace_back(std::move(add)); }
void Transaction::Remove(RemoveFile remove) { actions_.emplace_back(std::move(remove)); }
void Transaction::AddAction(Action action) { actions_.push_back(std::move(action)); }
void Transaction::SetAppTransaction(Txn txn) { txn_ = std::move(txn); }
void Transaction::MarkFilesRead(const std::vector<std::string>& paths) {
  read_files_.insert(read_files_.end(), paths.begin(), paths.end());
}
void Transaction::MarkTableRead() { read_whole_table_ = true; }

const Metadata* Transaction::effective_metadata() const {
  if (new_metadata_) return &*new_metadata_;
  return read_snapshot_ ? &read_snapshot_->metadata() : nullptr;
}

const Protocol* Transaction::effective_protocol() const {
  if (new_protocol_) return &*new_protocol_;
  return read_snapshot_ ? &read_snapshot_->protocol() : nullptr;
}

Result<CommitResult> Transaction::Commit(const std::string& operation,
                                         const nlohmann::json& parameters,
                                         const nlohmann::json& metrics) {
  const Metadata* metadata = effective_metadata();
  const Protocol* protocol = effective_protocol();
  if (metadata == nullptr || protocol == nullptr) {
    return UserError("DELTA_TABLE_NOT_FOUND",
                     "Delta table '" + table_root_.path + "' doesn't exist.");
  }
  // Generated and identity columns matter only for commits that add new rows.
  bool adds_data = false;
  for (const auto& action : actions_) {
    if (const auto* add = std::get_if<AddFile>(&action)) adds_data = adds_data || add->data_change;
  }
  RETURN_NOT_OK(
      CheckWriteSupported(*protocol, *metadata, generated_columns_computed_ || !adds_data));

  TransactionFootprint footprint;
  footprint.read_version = read_snapshot_ ? read_snapshot_->version() : -1;
  footprint.read_whole_table = read_whole_table_;
  footprint.read_files.insert(read_files_.begin(), read_files_.end());
  footprint.changes_protocol = new_protocol_.has_value();
  footprint.changes_metadata = new_metadata_.has_value();
  if (txn_) footprint.app_ids.insert(txn_->app_id);
  bool only_adds = true;
  for (const auto& action : actions_) {
    if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      footprint.removed_files.insert(remove->path);
      only_adds = false;
      if (remove->data_change && ConfigTrue(*metadata, "delta.appendOnly")) {
        return UserError("DELTA_CANNOT_MODIFY_APPEND_ONLY",
                         "This table is configured to only allow appends. If you would like to "
                         "permit updates or deletes, use 'ALTER TABLE <table_name> SET "
                         "TBLPROPERTIES (delta.appendOnly=false)'.");
      }
    } else if (const auto* domain = std::get_if<DomainMetadata>(&action)) {
      footprint.domains.insert(domain->domain);
    } else if (std::holds_alternative<AddCdcFile>(action)) {
      only_adds = false;
    }
  }
  bool blind_append = only_adds && read_files_.empty() && !read_whole_table_;
  bool in_commit_timestamps = ConfigTrue(*metadata, "delta.enableInCommitTimestamps");
  int64_t last_timestamp = read_snapshot_ ? read_snapshot_->timestamp_ms() : 0;
  std::string txn_id = NewUuid();

  io::Location log = table_root_.Child("_delta_log");
  RETURN_NOT_OK(log.fs->CreateDir(log.path, /*recursive=*/true));

  CommitResult result;
  int64_t version = next_version();
  for (int attempt = 1;; ++attempt) {
    int64_t now = NowMs();
    CommitInfo info;
    auto& ci = info.value;
    if (in_commit_timestamps) ci["inCommitTimestamp"] = std::max(now, last_timestamp + 1);
    ci["timestamp"] = now;
    ci["operation"] = operation;
    ci["operationParameters"] = parameters.is_object() ? parameters : nlohmann::json::object();
    if (read_snapshot_) ci["readVersion"] = read_snapshot_->version();
    ci["isolationLevel"] = "Serializable";
    ci["isBlindAppend"] = blind_append;
    ci["operationMetrics"] = metrics.is_object() ? metrics : nlohmann::json::object();
    ci["engineInfo"] = kEngineInfo;
    ci["txnId"] = txn_id;

    std::string content = SerializeAction(Action(info)) + "\n";
    if (new_metadata_) content += SerializeAction(Action(*new_metadata_)) + "\n";
    if (new_protocol_) content += SerializeAction(Action(*new_protocol_)) + "\n";
    if (txn_) {
      Txn txn = *txn_;
      if (!txn.last_updated) txn.last_updated = now;
      content += SerializeAction(Action(txn)) + "\n";
    }
    for (const auto& action : actions_) content += SerializeAction(action) + "\n";

    io::Location file = log.Child(VersionStem(version) + ".json");
    Status put = io::PutIfAbsent(file, content);
    if (put.ok()) {
      result.version = version;
      result.attempts = attempt;
      break;
    }
    if (!io::IsAlreadyExists(put)) return put;
    if (attempt >= kMaxCommitAttempts) {
      return UserError("DELTA_CONCURRENT_WRITE",
                       "Gave up committing to '" + table_root_.path + "' after " +
                           std::to_string(attempt) +
                           " attempts lost to concurrent writers. Please try the operation "
                           "again.");
    }
    // Another writer took `version`: check its actions against ours, then try the next one.
    ASSIGN_OR_RAISE(std::string winner_text, io::ReadWholeFile(file));
    ASSIGN_OR_RAISE(auto winner, ParseCommitFile(winner_text, file.path));
    RETURN_NOT_OK(CheckForConflicts(footprint, version, winner));
    for (const auto& action : winner) {
      if (const auto* wi = std::get_if<CommitInfo>(&action)) {
        if (auto ts = wi->InCommitTimestamp()) last_timestamp = std::max(last_timestamp, *ts);
      }
    }
    ++version;
  }

  // PROTOCOL.md, "Checkpoints": a checkpoint is an optimization, so failing to write one does
  // not fail the commit (delta-spark behaves the same).
  if (result.version > 0 && result.version % CheckpointInterval(metadata->configuration) == 0 &&
      !(protocol->HasWriterFeature("v2Checkpoint"))) {
    auto snapshot = Snapshot::Load(table_root_, SnapshotOptions{result.version, std::nullopt});
    if (snapshot.ok()) {
      result.checkpoint_written = WriteCheckpoint(**snapshot, NowMs()).ok();
    }
  }
  return result;
}

}  // namespace basin::delta
