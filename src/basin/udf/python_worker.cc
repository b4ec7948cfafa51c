#include "basin/udf/python_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <arrow/io/memory.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>

extern char** environ;

namespace basin::udf {
namespace {

// worker.py, embedded by the build (CMakeLists.txt) so the binary needs no file beside it.
#include "basin/udf/worker_source.inc"

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string ExitText(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

constexpr uint64_t kMaxMessage = uint64_t{1} << 34;  // 16 GiB: anything larger is garbage

}  // namespace

WorkerOptions WorkerOptionsFromEnvironment() {
  WorkerOptions options;
  if (const char* python = std::getenv("PYSPARK_PYTHON"); python && *python) {
    options.interpreter = python;
  }
  if (const char* seconds = std::getenv("BASIN_PYTHON_UDF_TIMEOUT_SECONDS"); seconds && *seconds) {
    const double s = std::atof(seconds);
    if (s > 0) options.timeout = std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
  }
  return options;
}

Result<std::unique_ptr<PythonWorker>> PythonWorker::Start(const WorkerOptions& options) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Status::IOError("socketpair for a Python worker: ", std::strerror(errno));
  }
  // The worker's end becomes its fd 3 (dup2 clears close-on-exec); stdin is empty and stdout
  // goes to our stderr, so print() in a UDF cannot garble the protocol.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 3);
  std::vector<std::string> args = {options.interpreter, "-c", kWorkerSource, "3"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, options.interpreter.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return UserError("PYTHON_EXCEPTION", "Cannot start the Python worker '" + options.interpreter +
                                             "': " + std::strerror(rc) +
                                             ". Set PYSPARK_PYTHON to a Python with pyspark.");
  }
  std::unique_ptr<PythonWorker> worker(new PythonWorker(pid, fds[0], options.timeout));
  ASSIGN_OR_RAISE(auto hello, worker->Receive());
  if (hello.first == 'E') {
    // The interpreter lacks pyarrow or pyspark; the worker said so and exits.
    return UserError("PYTHON_EXCEPTION", hello.second);
  }
  if (hello.first != 'H') return worker->Broken("did not say hello");
  return worker;
}

PythonWorker::~PythonWorker() {
  if (fd_ >= 0) close(fd_);
  if (pid_ <= 0) return;
  if (!healthy_) kill(pid_, SIGKILL);
  // A healthy worker exits when its input ends; give it a moment, then kill it.
  for (int i = 0; i < 50; ++i) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

Status PythonWorker::Broken(const std::string& what) {
  healthy_ = false;
  std::string exit_text;
  if (pid_ > 0) {
    // A worker that closed the socket is usually exiting; wait briefly for its status.
    for (int i = 0; i < 20 && exit_text.empty(); ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_text = " (" + ExitText(status) + ")";
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return UserError("PYTHON_EXCEPTION",
                   "Python worker exited unexpectedly (crashed)" + exit_text + ": " + what + ".");
}

Status PythonWorker::Send(char kind, const std::string& payload) {
  std::string header(1, kind);
  PutU64(&header, payload.size());
  for (const std::string* part : {static_cast<const std::string*>(&header), &payload}) {
    size_t sent = 0;
    while (sent < part->size()) {
      ssize_t n = send(fd_, part->data() + sent, part->size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Broken(std::string("writing to it failed: ") + std::strerror(errno));
      sent += static_cast<size_t>(n);
    }
  }
  return Status::OK();
}

Status PythonWorker::ReadExact(char* out, size_t size,
                               std::chrono::steady_clock::time_point deadline) {
  size_t got = 0;
  while (got < size) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      healthy_ = false;
      return UserError("PYTHON_EXCEPTION",
                       "The Python worker did not answer within " +
                           std::to_string(timeout_.count() / 1000) +
                           " seconds (BASIN_PYTHON_UDF_TIMEOUT_SECONDS); it was stopped.");
    }
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) return Broken(std::string("poll: ") + std::strerror(errno));
    if (r <= 0) continue;
    ssize_t n = recv(fd_, out + got, size - got, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return Broken("its connection closed");
    got += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<std::pair<char, std::string>> PythonWorker::Receive() {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  char header[9];
  RETURN_NOT_OK(ReadExact(header, sizeof(header), deadline));
  const uint64_t size = GetU64(header + 1);
  if (size > kMaxMessage) return Broken("it sent a message of " + std::to_string(size) + " bytes");
  std::string payload(size, '\0');
  RETURN_NOT_OK(ReadExact(payload.data(), size, deadline));
  return std::make_pair(header[0], std::move(payload));
}

Status PythonWorker::Define(uint32_t id, int eval_type, const std::string& command,
                            const std::shared_ptr<arrow::Field>& result) {
  if (defined_.count(id)) return Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto schema_buffer, arrow::ipc::SerializeSchema(*arrow::schema({result})));
  std::string payload;
  PutU32(&payload, id);
  PutU32(&payload, static_cast<uint32_t>(eval_type));
  PutU32(&payload, static_cast<uint32_t>(command.size()));
  payload += command;
  payload.append(reinterpret_cast<const char*>(schema_buffer->data()),
                 static_cast<size_t>(schema_buffer->size()));
  RETURN_NOT_OK(Send('F', payload));
  defined_.insert(id);
  return Status::OK();
}

Result<std::shared_ptr<arrow::Array>> PythonWorker::Run(uint32_t id,
                                                        const arrow::RecordBatch& args) {
  std::string payload;
  PutU32(&payload, id);
  PutU64(&payload, static_cast<uint64_t>(args.num_rows()));
  {
    ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
    ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, args.schema()));
    RETURN_NOT_OK(writer->WriteRecordBatch(args));
    RETURN_NOT_OK(writer->Close());
    ARROW_ASSIGN_OR_RAISE(auto buffer, sink->Finish());
    payload.append(reinterpret_cast<const char*>(buffer->data()),
                   static_cast<size_t>(buffer->size()));
  }
  RETURN_NOT_OK(Send('B', payload));
  ASSIGN_OR_RAISE(auto reply, Receive());
  if (reply.first == 'E') {
    return UserError("PYTHON_EXCEPTION", reply.second);
  }
  if (reply.first != 'R') return Broken(std::string("it sent message type ") + reply.first);
  std::shared_ptr<arrow::Buffer> buffer = arrow::Buffer::FromString(std::move(reply.second));
  auto result = [&]() -> Result<std::shared_ptr<arrow::Array>> {
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchStreamReader::Open(
                                           std::make_shared<arrow::io::BufferReader>(buffer)));
    std::shared_ptr<arrow::RecordBatch> batch;
    RETURN_NOT_OK(reader->ReadNext(&batch));
    if (!batch || batch->num_columns() != 1) return Status::Invalid("no result column");
    return batch->column(0);
  }();
  if (!result.ok()) return Broken("its result was unreadable: " + result.status().message());
  return result;
}

}  // namespace basin::udf
