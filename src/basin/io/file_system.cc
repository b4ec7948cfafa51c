#include "basin/io/file_system.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/path_util.h>
#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>

namespace basin::io {

namespace {

constexpr char kAlreadyExistsType[] = "basin::io::AlreadyExists";

class AlreadyExistsDetail : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return kAlreadyExistsType; }
  std::string ToString() const override { return "file already exists"; }
};

bool IsLocal(const FileSystemPtr& fs) { return fs->type_name() == "local"; }

std::string TempName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rd());
}

// Writes all of `data` to a new local file at `path`, syncing it to disk.
Status WriteNewLocalFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create ", path, ": ", std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IOError("cannot write ", path, ": ", std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(path.c_str());
    return Status::IOError("cannot sync ", path, ": ", std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace

Location Location::Child(std::string_view relative) const {
  return Location{fs, arrow::fs::internal::ConcatAbstractPath(path, std::string(relative))};
}

Result<Location> ResolveLocation(std::string_view uri_or_path) {
  std::string text(uri_or_path);
  if (text.empty()) return Status::Invalid("empty path");
  if (text.find("://") == std::string::npos && text.rfind("file:", 0) != 0) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(text, ec);
    if (ec) return Status::IOError("cannot resolve path ", text, ": ", ec.message());
    text = abs.lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    // Memory-mapped reads: Parquet pages are decoded straight from the page cache, without a
    // copy into a read buffer.
    auto options = arrow::fs::LocalFileSystemOptions::Defaults();
    options.use_mmap = true;
    return Location{std::make_shared<arrow::fs::LocalFileSystem>(options), text};
  }
  std::string path;
  ASSIGN_OR_RAISE(auto fs, arrow::fs::FileSystemFromUriOrPath(text, &path));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return Location{std::move(fs), std::move(path)};
}

Result<std::string> ReadWholeFile(const Location& file) {
  ASSIGN_OR_RAISE(auto in, file.fs->OpenInputFile(file.path));
  ASSIGN_OR_RAISE(int64_t size, in->GetSize());
  ASSIGN_OR_RAISE(auto buffer, in->ReadAt(0, size));
  if (buffer->size() != size) {
    return Status::IOError("short read of ", file.path, ": ", buffer->size(), " of ", size);
  }
  return buffer->ToString();
}

Status WriteWholeFile(const Location& file, std::string_view data) {
  if (IsLocal(file.fs)) {
    std::string tmp = TempName(file.path);
    RETURN_NOT_OK(WriteNewLocalFile(tmp, data));
    if (::rename(tmp.c_str(), file.path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return Status::IOError("cannot rename to ", file.path, ": ", std::strerror(err));
    }
    return Status::OK();
  }
  ASSIGN_OR_RAISE(auto out, file.fs->OpenOutputStream(file.path));
  RETURN_NOT_OK(out->Write(data.data(), static_cast<int64_t>(data.size())));
  return out->Close();
}

Status PutIfAbsent(const Location& file, std::string_view data) {
  if (!IsLocal(file.fs)) {
    return Status::NotImplemented("atomic put-if-absent on file system '", file.fs->type_name(),
                                  "'");
  }
  // Write the whole content to a private temp file, then link(2) it into place: link fails with
  // EEXIST if the target exists, so exactly one of several racing writers wins, and a reader never
  // sees a partly written commit.
  std::string tmp = TempName(file.path);
  RETURN_NOT_OK(WriteNewLocalFile(tmp, data));
  int rc = ::link(tmp.c_str(), file.path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return Status::OK();
  if (err == EEXIST) {
    return Status::IOError("file already exists: ", file.path)
        .WithDetail(std::make_shared<AlreadyExistsDetail>());
  }
  return Status::IOError("cannot link ", file.path, ": ", std::strerror(err));
}

bool IsAlreadyExists(const Status& status) {
  return status.detail() != nullptr &&
         std::string_view(status.detail()->type_id()) == kAlreadyExistsType;
}

Result<std::vector<arrow::fs::FileInfo>> ListDirectory(const Location& dir, bool allow_missing) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir.path;
  selector.recursive = false;
  selector.allow_not_found = allow_missing;
  ASSIGN_OR_RAISE(auto infos, dir.fs->GetFileInfo(selector));
  std::sort(infos.begin(), infos.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return infos;
}

Result<bool> Exists(const Location& location) {
  ASSIGN_OR_RAISE(auto info, location.fs->GetFileInfo(location.path));
  return info.type() != arrow::fs::FileType::NotFound;
}

bool HasGlob(std::string_view path) {
  return path.find_first_of("*?[") != std::string_view::npos;
}

namespace {

bool Hidden(std::string_view name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

// Whether a file below `base` is visible: no component of its relative path is hidden.
bool VisibleBelow(const std::string& base, const std::string& path) {
  std::string_view rel(path);
  rel.remove_prefix(std::min(rel.size(), base.size()));
  while (!rel.empty()) {
    while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
    auto slash = rel.find('/');
    if (Hidden(rel.substr(0, slash))) return false;
    if (slash == std::string_view::npos) break;
    rel.remove_prefix(slash);
  }
  return true;
}

std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<arrow::fs::FileInfo>> ListInputFiles(const Location& path) {
  std::vector<arrow::fs::FileInfo> out;
  auto add_tree = [&](const arrow::fs::FileInfo& info) -> Status {
    if (info.IsFile()) {
      out.push_back(info);
      return Status::OK();
    }
    arrow::fs::FileSelector selector;
    selector.base_dir = info.path();
    selector.recursive = true;
    ASSIGN_OR_RAISE(auto listed, path.fs->GetFileInfo(selector));
    for (auto& entry : listed) {
      if (entry.IsFile() && VisibleBelow(info.path(), entry.path())) out.push_back(entry);
    }
    return Status::OK();
  };
  if (!HasGlob(path.path)) {
    ASSIGN_OR_RAISE(auto info, path.fs->GetFileInfo(path.path));
    if (info.type() == arrow::fs::FileType::NotFound) {
      return UserError("PATH_NOT_FOUND", "Path does not exist: " + path.path + ".");
    }
    RETURN_NOT_OK(add_tree(info));
  } else {
    // Walk the pattern one component at a time from the deepest folder without a glob.
    auto parts = Components(path.path);
    size_t first_glob = 0;
    while (first_glob < parts.size() && !HasGlob(parts[first_glob])) ++first_glob;
    std::string base = path.path.front() == '/' ? "/" : "";
    for (size_t i = 0; i < first_glob; ++i) base += (i ? "/" : "") + parts[i];
    std::vector<arrow::fs::FileInfo> level;
    ASSIGN_OR_RAISE(auto base_info, path.fs->GetFileInfo(base.empty() ? "." : base));
    if (base_info.IsDirectory()) level.push_back(base_info);
    for (size_t i = first_glob; i < parts.size() && !level.empty(); ++i) {
      std::vector<arrow::fs::FileInfo> next;
      for (const auto& dir : level) {
        if (!dir.IsDirectory()) continue;
        arrow::fs::FileSelector selector;
        selector.base_dir = dir.path();
        ASSIGN_OR_RAISE(auto children, path.fs->GetFileInfo(selector));
        for (auto& child : children) {
          if (fnmatch(parts[i].c_str(), child.base_name().c_str(), FNM_PERIOD) == 0) {
            next.push_back(std::move(child));
          }
        }
      }
      level = std::move(next);
    }
    for (const auto& match : level) RETURN_NOT_OK(add_tree(match));
    if (out.empty()) {
      return UserError("PATH_NOT_FOUND", "Path does not exist: " + path.path + ".");
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

}  // namespace basin::io
