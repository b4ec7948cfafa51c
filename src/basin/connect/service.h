#pragma once

// The Spark Connect service: every RPC of spark.connect.SparkConnectService that the PySpark
// client uses. It keeps one Basin session per (user, session id), runs each ExecutePlan as an
// operation whose responses are buffered until the client releases them (so a client that
// reconnects mid-stream resumes with ReattachExecute), and turns Basin errors into the gRPC
// status details PySpark turns into its exceptions.
//
// Data flow of ExecutePlan: request -> ConnectSession (under its lock: PlanTranslator ->
// sql::Query -> analyzed and optimized plan) -> producer thread (exec reader -> Arrow IPC
// batches) -> Operation buffer -> the ExecutePlan / ReattachExecute stream(s).

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "spark/connect/base.grpc.pb.h"

namespace basin::connect {

struct ServiceOptions {
  std::string warehouse;
  std::string metastore;  ///< PostgreSQL connection string; SQLite in the warehouse when empty
  /// Operations nobody is attached to are abandoned after this long; sessions idle this long
  /// are closed.
  int operation_abandon_seconds = 300;
  int session_idle_seconds = 3600;
};

class ConnectSession;
struct Operation;
struct ProducerCount;

class ConnectService final : public spark::connect::SparkConnectService::Service {
 public:
  explicit ConnectService(ServiceOptions options);
  ~ConnectService() override;

  grpc::Status ExecutePlan(grpc::ServerContext* context,
                           const spark::connect::ExecutePlanRequest* request,
                           grpc::ServerWriter<spark::connect::ExecutePlanResponse>* writer) override;
  grpc::Status ReattachExecute(
      grpc::ServerContext* context, const spark::connect::ReattachExecuteRequest* request,
      grpc::ServerWriter<spark::connect::ExecutePlanResponse>* writer) override;
  grpc::Status ReleaseExecute(grpc::ServerContext* context,
                              const spark::connect::ReleaseExecuteRequest* request,
                              spark::connect::ReleaseExecuteResponse* response) override;
  grpc::Status AnalyzePlan(grpc::ServerContext* context,
                           const spark::connect::AnalyzePlanRequest* request,
                           spark::connect::AnalyzePlanResponse* response) override;
  grpc::Status Config(grpc::ServerContext* context, const spark::connect::ConfigRequest* request,
                      spark::connect::ConfigResponse* response) override;
  grpc::Status AddArtifacts(grpc::ServerContext* context,
                            grpc::ServerReader<spark::connect::AddArtifactsRequest>* reader,
                            spark::connect::AddArtifactsResponse* response) override;
  grpc::Status ArtifactStatus(grpc::ServerContext* context,
                              const spark::connect::ArtifactStatusesRequest* request,
                              spark::connect::ArtifactStatusesResponse* response) override;
  grpc::Status Interrupt(grpc::ServerContext* context,
                         const spark::connect::InterruptRequest* request,
                         spark::connect::InterruptResponse* response) override;
  grpc::Status ReleaseSession(grpc::ServerContext* context,
                              const spark::connect::ReleaseSessionRequest* request,
                              spark::connect::ReleaseSessionResponse* response) override;
  grpc::Status FetchErrorDetails(grpc::ServerContext* context,
                                 const spark::connect::FetchErrorDetailsRequest* request,
                                 spark::connect::FetchErrorDetailsResponse* response) override;

  /// Cancels every running operation (server shutdown).
  void Shutdown();
  /// Sessions currently open (tests and diagnostics).
  size_t SessionCount();

 private:
  /// Finds or creates the session of a request; fails on a malformed id or when the client saw
  /// another server-side session (the server restarted).
  grpc::Status GetSession(const std::string& user_id, const std::string& session_id,
                          const std::string* observed_server_session, bool create,
                          std::shared_ptr<ConnectSession>* out);
  grpc::Status Stream(grpc::ServerContext* context, ConnectSession& session,
                      const std::shared_ptr<Operation>& operation, int64_t start,
                      grpc::ServerWriter<spark::connect::ExecutePlanResponse>* writer);
  void Reap();

  ServiceOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ConnectSession>> sessions_;  ///< "user/session" -> session
  std::atomic<bool> stopping_{false};
  std::shared_ptr<ProducerCount> producers_;
  std::condition_variable reaper_cv_;
  std::thread reaper_;
};

}  // namespace basin::connect
