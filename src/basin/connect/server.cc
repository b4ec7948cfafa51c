#include "basin/connect/server.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include <unistd.h>
#include <cerrno>

#include <grpcpp/grpcpp.h>

#include "basin/connect/service.h"

namespace basin::connect {

namespace {

// SIGTERM / SIGINT: a pipe the main thread waits on (a signal handler may only write).
int stop_pipe[2] = {-1, -1};

void OnSignal(int) {
  char byte = 1;
  if (stop_pipe[1] >= 0) (void)!write(stop_pipe[1], &byte, 1);
}

}  // namespace

Status Serve(const ServerOptions& options) {
  ServiceOptions service_options;
  service_options.warehouse = options.warehouse;
  service_options.metastore = options.metastore;
  ConnectService service(service_options);

  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(options.host + ":" + std::to_string(options.port),
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  // The client sends plans and local relations of up to 128 MiB in one message.
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    return UserError("CONNECT.SERVER_START" /* not a Spark class: the port is taken */,
                     "Cannot listen on " + options.host + ":" + std::to_string(options.port) +
                         " (is another server using the port?).");
  }
  if (pipe(stop_pipe) != 0) return InternalError("cannot create the stop pipe");
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::cout << "Basin Spark Connect server ready on sc://" << options.host << ":" << bound_port
            << " (warehouse " << options.warehouse << ")" << std::endl;
  char byte;
  while (read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  std::cout << "Basin Spark Connect server stopping" << std::endl;
  service.Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  std::cout << "Basin Spark Connect server stopped" << std::endl;
  return Status::OK();
}

}  // namespace basin::connect
