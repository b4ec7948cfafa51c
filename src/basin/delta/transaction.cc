// Placeholder so the layer links while the real implementation is written.
#include "basin/delta/transaction.h"

namespace basin::delta {
Result<Transaction> Transaction::Begin(const io::Location&) {
  return Status::NotImplemented("Transaction::Begin");
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
Result<CommitResult> Transaction::Commit(const std::string&, const nlohmann::json&,
                                         const nlohmann::json&) {
  return Status::NotImplemented("Transaction::Commit");
}
}  // namespace basin::delta
