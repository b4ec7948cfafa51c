#include "basin/delta/log_listing.h"

#include "basin/base/uuid.h"

#include <algorithm>
#include <cctype>

namespace basin::delta {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string_view BaseName(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<LogListing> ListLog(const io::Location& table_root) {
  LogListing listing;
  io::Location log = table_root.Child("_delta_log");
  ASSIGN_OR_RAISE(auto info, log.fs->GetFileInfo(log.path));
  if (info.type() != arrow::fs::FileType::Directory) return listing;
  listing.log_exists = true;
  ASSIGN_OR_RAISE(auto entries, io::ListDirectory(log, /*allow_missing=*/true));
  std::map<std::pair<int64_t, int>, CheckpointFiles> multipart;  // (version, parts) -> files
  for (const auto& entry : entries) {
    if (entry.type() != arrow::fs::FileType::File) continue;
    std::string_view name = BaseName(entry.path());
    if (name.empty() || name[0] == '.' || name[0] == '_') continue;
    if (name.size() < 21 || !AllDigits(name.substr(0, 20)) || name[20] != '.') continue;
    int64_t version = std::stoll(std::string(name.substr(0, 20)));
    std::string_view rest = name.substr(21);
    if (rest == "json") {
      listing.commits[version] =
          CommitFile{version, entry.path(), entry.size(),
                     entry.mtime().time_since_epoch().count() / 1000000};
    } else if (rest == "checkpoint.parquet") {
      listing.checkpoints.push_back({version, CheckpointFiles::Kind::kClassic, {entry.path()}, 1});
    } else if (rest.rfind("checkpoint.", 0) == 0) {
      std::string_view tail = rest.substr(11);
      // Multi-part: checkpoint.PPPPPPPPPP.TTTTTTTTTT.parquet
      if (tail.size() == 10 + 1 + 10 + 8 && AllDigits(tail.substr(0, 10)) && tail[10] == '.' &&
          AllDigits(tail.substr(11, 10)) && tail.substr(21) == ".parquet") {
        int part = std::stoi(std::string(tail.substr(0, 10)));
        int parts = std::stoi(std::string(tail.substr(11, 10)));
        if (part < 1 || part > parts) continue;
        auto& files = multipart[{version, parts}];
        files.version = version;
        files.kind = CheckpointFiles::Kind::kMultiPart;
        files.parts_expected = parts;
        files.paths.push_back(entry.path());
      } else if (tail.size() > 37 && IsUuid(tail.substr(0, 36)) && tail[36] == '.' &&
                 (tail.substr(37) == "json" || tail.substr(37) == "parquet")) {
        listing.checkpoints.push_back({version, CheckpointFiles::Kind::kV2, {entry.path()}, 1});
      }
    }
    // Other names (N.crc, X.Y.compacted.json, unknown suffixes) are not needed for replay.
  }
  for (auto& [key, files] : multipart) {
    std::sort(files.paths.begin(), files.paths.end());
    listing.checkpoints.push_back(std::move(files));
  }
  std::stable_sort(listing.checkpoints.begin(), listing.checkpoints.end(),
                   [](const CheckpointFiles& a, const CheckpointFiles& b) {
                     if (a.version != b.version) return a.version > b.version;
                     // Prefer V2, then classic, then multi-part at the same version.
                     auto rank = [](CheckpointFiles::Kind k) {
                       return k == CheckpointFiles::Kind::kV2 ? 0
                              : k == CheckpointFiles::Kind::kClassic ? 1 : 2;
                     };
                     return rank(a.kind) < rank(b.kind);
                   });
  return listing;
}

}  // namespace basin::delta
