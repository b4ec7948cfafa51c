// Regular-expression functions with Java regex semantics through PCRE2 (rlike, regexp_replace,
// regexp_extract(_all), split, regexp_count/substr/instr) and SQL LIKE / ILIKE.

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstring>
#include <list>
#include <optional>
#include <unordered_map>

#include "basin/function/kernel_support.h"

namespace basin::function {

namespace {

using S = std::vector<ArgReader>;

struct CodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

// A compiled pattern with its match data.
class Regex {
 public:
  static Result<std::shared_ptr<Regex>> Compile(std::string_view pattern, const std::string& fn) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_NO_UTF_CHECK, &err, &offset, nullptr);
    if (!code) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof(buf));
      return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                       "The value of parameter(s) `regexp` in `" + fn + "` is invalid: '" +
                           std::string(pattern) + "' (" + reinterpret_cast<const char*>(buf) +
                           ").");
    }
    auto r = std::make_shared<Regex>();
    r->code_.reset(code);
    r->match_.reset(pcre2_match_data_create_from_pattern(code, nullptr));
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    r->groups_ = static_cast<int>(groups);
    return r;
  }
  // Finds the next match at or after `start`; returns false when none. `not_empty_at` asks for a
  // non-empty match when the match would start at `start` (after an empty match).
  bool Find(std::string_view s, size_t start, bool not_empty_at) {
    const uint32_t opts = not_empty_at ? (PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED) : 0;
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), start,
                               opts | PCRE2_NO_UTF_CHECK, match_.get(), nullptr);
    return rc > 0;
  }
  // Group `g` of the last match, or nullopt when it did not participate.
  std::optional<std::pair<size_t, size_t>> Group(int g) const {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_.get());
    if (ov[2 * g] == PCRE2_UNSET) return std::nullopt;
    return std::make_pair(static_cast<size_t>(ov[2 * g]), static_cast<size_t>(ov[2 * g + 1]));
  }
  int groups() const { return groups_; }
  int GroupNumber(const std::string& name) const {
    return pcre2_substring_number_from_name(code_.get(), reinterpret_cast<PCRE2_SPTR>(name.c_str()));
  }

  // Calls `fn(start, end)` for every match, with Java's handling of empty matches.
  template <typename Fn>
  void ForEachMatch(std::string_view s, size_t from, Fn fn) {
    size_t pos = from;
    bool after_empty = false;
    while (pos <= s.size()) {
      if (!Find(s, pos, after_empty)) {
        if (!after_empty) break;
        // Step one UTF-8 character past the empty match and search normally.
        if (pos >= s.size()) break;
        ++pos;
        while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xc0) == 0x80) ++pos;
        after_empty = false;
        continue;
      }
      auto m = *Group(0);
      if (!fn(m.first, m.second)) return;
      pos = m.second;
      after_empty = m.first == m.second;
    }
  }

 private:
  std::unique_ptr<pcre2_code, CodeDeleter> code_;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match_;
  int groups_ = 0;
};

// Per-thread cache of compiled patterns (patterns are nearly always constants).
Result<std::shared_ptr<Regex>> GetRegex(std::string_view pattern, const std::string& fn) {
  static thread_local std::unordered_map<std::string, std::shared_ptr<Regex>> cache;
  std::string key(pattern);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  ARROW_ASSIGN_OR_RAISE(auto r, Regex::Compile(pattern, fn));
  if (cache.size() > 256) cache.clear();
  cache.emplace(std::move(key), r);
  return r;
}

Status GroupIndexError(const std::string& fn, int64_t idx, int groups) {
  return UserError("INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX",
                   "The value of parameter(s) `idx` in `" + fn +
                       "` is invalid: Expects group index between 0 and " +
                       std::to_string(groups) + ", but got " + std::to_string(idx) + ".");
}

// Expands a Java replacement string ($1, ${name}, \$) for the current match.
Status AppendReplacement(const Regex& re, std::string_view s, std::string_view rep,
                         std::string* out) {
  for (size_t i = 0; i < rep.size(); ++i) {
    const char c = rep[i];
    if (c == '\\') {
      if (i + 1 < rep.size()) out->push_back(rep[++i]);
      continue;
    }
    if (c != '$') {
      out->push_back(c);
      continue;
    }
    if (i + 1 >= rep.size()) {
      return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                       "The value of parameter(s) `rep` in `regexp_replace` is invalid: "
                       "character to be escaped is missing.");
    }
    int group = -1;
    if (rep[i + 1] == '{') {
      const size_t close = rep.find('}', i + 2);
      if (close == std::string_view::npos) {
        return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                         "The value of parameter(s) `rep` in `regexp_replace` is invalid: "
                         "named capturing group is missing trailing '}'.");
      }
      group = re.GroupNumber(std::string(rep.substr(i + 2, close - i - 2)));
      if (group < 0) {
        return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                         "The value of parameter(s) `rep` in `regexp_replace` is invalid: No "
                         "group with name {" + std::string(rep.substr(i + 2, close - i - 2)) + "}.");
      }
      i = close;
    } else if (std::isdigit(static_cast<unsigned char>(rep[i + 1]))) {
      // Java takes further digits while the number stays a valid group.
      group = rep[i + 1] - '0';
      if (group > re.groups()) {
        return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                         "The value of parameter(s) `rep` in `regexp_replace` is invalid: No "
                         "group " + std::to_string(group) + ".");
      }
      ++i;
      while (i + 1 < rep.size() && std::isdigit(static_cast<unsigned char>(rep[i + 1]))) {
        const int next = group * 10 + (rep[i + 1] - '0');
        if (next > re.groups()) break;
        group = next;
        ++i;
      }
    } else {
      return UserError("INVALID_PARAMETER_VALUE.PATTERN",
                       "The value of parameter(s) `rep` in `regexp_replace` is invalid: Illegal "
                       "group reference.");
    }
    auto g = re.Group(group);
    if (g) out->append(s.substr(g->first, g->second - g->first));
  }
  return Status::OK();
}

// SQL LIKE over UTF-8 with an escape character; `fold` lower-cases both sides (ILIKE).
bool LikeMatch(std::string_view s, std::string_view p, char escape) {
  // Iterative wildcard match with backtracking on the last '%'.
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto char_len = [](std::string_view t, size_t i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return std::min(n, t.size() - i);
  };
  while (si < s.size()) {
    if (pi < p.size()) {
      const char c = p[pi];
      if (c == escape && pi + 1 < p.size()) {
        const size_t n = char_len(p, pi + 1);
        if (s.compare(si, n, p.substr(pi + 1, n)) == 0) {
          si += n;
          pi += 1 + n;
          continue;
        }
      } else if (c == '%') {
        star_p = pi++;
        star_s = si;
        continue;
      } else if (c == '_') {
        si += char_len(s, si);
        ++pi;
        continue;
      } else {
        const size_t n = char_len(p, pi);
        if (s.compare(si, n, p.substr(pi, n)) == 0) {
          si += n;
          pi += n;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    star_s += char_len(s, star_s);
    si = star_s;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// A LIKE pattern made of literal pieces between '%' wildcards only (no '_', no escape), matched
// with memmem instead of the character-by-character backtracking of LikeMatch: the common
// `col LIKE '%word%'`, `'prefix%'` and `'%a%b%'`. UTF-8 needs no care here: a valid literal
// found byte-wise always starts on a character boundary.
class LiteralLikePattern {
 public:
  static std::optional<LiteralLikePattern> Compile(std::string_view p, char escape) {
    if (p.find('_') != std::string_view::npos || p.find(escape) != std::string_view::npos) {
      return std::nullopt;
    }
    LiteralLikePattern out;
    size_t start = 0;
    while (true) {
      const size_t end = p.find('%', start);
      out.pieces_.emplace_back(p.substr(start, end == std::string_view::npos ? p.npos : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return out;
  }

  bool Match(std::string_view s) const {
    if (pieces_.size() == 1) return s == pieces_[0];
    const std::string& prefix = pieces_.front();
    const std::string& suffix = pieces_.back();
    if (s.size() < prefix.size() + suffix.size()) return false;
    if (s.compare(0, prefix.size(), prefix) != 0) return false;
    if (s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    // The middle pieces, leftmost first, between the prefix and the suffix.
    const char* at = s.data() + prefix.size();
    const char* end = s.data() + s.size() - suffix.size();
    for (size_t k = 1; k + 1 < pieces_.size(); ++k) {
      const std::string& piece = pieces_[k];
      if (piece.empty()) continue;
      const void* found = memmem(at, static_cast<size_t>(end - at), piece.data(), piece.size());
      if (!found) return false;
      at = static_cast<const char*>(found) + piece.size();
    }
    return true;
  }

 private:
  std::vector<std::string> pieces_;  // the text between wildcards; at least one
};

// `strings LIKE pattern` for a constant pattern of literal pieces: the result bitmap written
// directly, nulls where the string is null. Nullopt when the arguments do not have that shape.
std::optional<Result<arrow::Datum>> LikeLiteralBatch(const std::vector<arrow::Datum>& args,
                                                     int64_t length) {
  if (args.size() != 2 || !args[0].is_array() || !args[1].is_scalar()) return std::nullopt;
  if (args[0].type()->id() != arrow::Type::STRING || !args[1].scalar()->is_valid ||
      args[1].type()->id() != arrow::Type::STRING) {
    return std::nullopt;
  }
  const auto pattern = LiteralLikePattern::Compile(
      static_cast<const arrow::StringScalar&>(*args[1].scalar()).view(), '\\');
  if (!pattern) return std::nullopt;
  const arrow::StringArray strings(args[0].array());
  auto bits = arrow::AllocateBitmap(length);
  if (!bits.ok()) return Result<arrow::Datum>(bits.status());
  uint8_t* out = (*bits)->mutable_data();
  for (int64_t i = 0; i < length; ++i) {
    arrow::bit_util::SetBitTo(out, i, !strings.IsNull(i) && pattern->Match(strings.GetView(i)));
  }
  std::shared_ptr<arrow::Buffer> validity;
  if (strings.null_count() > 0) {
    auto copied = arrow::internal::CopyBitmap(arrow::default_memory_pool(),
                                              strings.null_bitmap_data(), strings.offset(), length);
    if (!copied.ok()) return Result<arrow::Datum>(copied.status());
    validity = std::move(copied).ValueUnsafe();
  }
  return Result<arrow::Datum>(arrow::Datum(arrow::ArrayData::Make(
      arrow::boolean(), length, {validity, std::move(bits).ValueUnsafe()}, strings.null_count())));
}

std::string FoldCase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<BoundScalar> BindLike(const std::string& name, const std::vector<TypePtr>& args, bool fold) {
  if (args.size() < 2 || args.size() > 3) return WrongNumArgs(name, "[2, 3]", args.size());
  BoundScalar b;
  b.name = name;
  RETURN_NOT_OK(RequireStringArgs(name, args, args.size(), &b.arg_types));
  b.return_type = arrow::boolean();
  b.kernel = RowKernel(arrow::boolean(), [fold](const S& a, int64_t i, OutBuilder& out,
                                                const EvalContext&) -> Status {
    char escape = '\\';
    if (a.size() > 2) {
      const auto e = a[2].Str(i);
      if (e.size() != 1) {
        return UserError("INVALID_ESCAPE_CHAR",
                         "The escape character must be a single character, but got '" +
                             std::string(e) + "'.");
      }
      escape = e[0];
    }
    if (fold) return out.Bool(LikeMatch(FoldCase(a[0].Str(i)), FoldCase(a[1].Str(i)), escape));
    return out.Bool(LikeMatch(a[0].Str(i), a[1].Str(i), escape));
  });
  if (!fold) {
    b.kernel = MakeKernel([rows = b.kernel](const std::vector<arrow::Datum>& args, int64_t length,
                                            const EvalContext& context) -> Result<arrow::Datum> {
      if (auto batch = LikeLiteralBatch(args, length)) return std::move(*batch);
      return rows->Execute(args, length, context);
    });
  }
  return b;
}

Result<BoundScalar> BindStringArgs(const std::string& name, const std::vector<TypePtr>& args,
                                   size_t strings, size_t ints_min, size_t ints_max,
                                   TypePtr return_type, RowFn row) {
  if (args.size() < strings + ints_min || args.size() > strings + ints_max) {
    return WrongNumArgs(name,
                        ints_min == ints_max ? std::to_string(strings + ints_min)
                                             : "[" + std::to_string(strings + ints_min) + ", " +
                                                   std::to_string(strings + ints_max) + "]",
                        args.size());
  }
  BoundScalar b;
  b.name = name;
  for (size_t k = 0; k < args.size(); ++k) {
    const TypePtr want = k < strings ? arrow::utf8() : arrow::int32();
    if (!ImplicitCastTarget(args[k], want)) {
      return UnexpectedInputType(name, k, SqlTypeName(*want), *args[k], name);
    }
    b.arg_types.push_back(want);
  }
  b.return_type = return_type;
  b.kernel = RowKernel(return_type, std::move(row));
  return b;
}

Status AppendStringList(OutBuilder& out, const std::vector<std::string_view>& items) {
  auto* lb = static_cast<arrow::ListBuilder*>(out.builder());
  auto* vb = static_cast<arrow::StringBuilder*>(lb->value_builder());
  RETURN_NOT_OK(lb->Append());
  for (auto v : items) RETURN_NOT_OK(vb->Append(v));
  return Status::OK();
}

}  // namespace

void RegisterRegexFunctions(FunctionTable* table) {
  const TypePtr str_list = arrow::list(arrow::utf8());
  auto rlike = [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(name, args, 2, 0, 0, arrow::boolean(),
                          [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
                            return out.Bool(re->Find(a[0].Str(i), 0, false));
                          });
  };
  for (const char* n : {"rlike", "regexp", "regexp_like"}) table->AddScalar(n, rlike);
  table->AddScalar("like", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindLike(n, a, false);
  });
  table->AddScalar("ilike", [](const std::string& n, const std::vector<TypePtr>& a) {
    return BindLike(n, a, true);
  });
  table->AddScalar("regexp_replace", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(
        name, args, 3, 0, 1, arrow::utf8(),
        [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
          const std::string_view s = a[0].Str(i), rep = a[2].Str(i);
          int64_t pos = a.size() > 3 ? a[3].Int(i) : 1;
          if (pos < 1) {
            return UserError("INVALID_PARAMETER_VALUE.REGEX_POSITION",
                             "The value of parameter(s) `position` in `regexp_replace` is "
                             "invalid: Expects a positive value, but got " + std::to_string(pos) + ".");
          }
          // Convert the 1-based character position to a byte offset.
          size_t from = 0;
          for (int64_t k = 1; k < pos && from < s.size(); ++k) {
            ++from;
            while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xc0) == 0x80) ++from;
          }
          if (static_cast<int64_t>(from) < pos - 1 && pos - 1 > static_cast<int64_t>(s.size())) {
            return out.Str(s);
          }
          std::string result(s.substr(0, from));
          size_t last = from;
          Status st;
          re->ForEachMatch(s, from, [&](size_t b, size_t e) {
            result.append(s.substr(last, b - last));
            st = AppendReplacement(*re, s, rep, &result);
            last = e;
            return st.ok();
          });
          RETURN_NOT_OK(st);
          result.append(s.substr(last));
          return out.Str(result);
        });
  });
  table->AddScalar("regexp_extract", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(
        name, args, 2, 0, 1, arrow::utf8(),
        [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
          const int64_t idx = a.size() > 2 ? a[2].Int(i) : 1;
          if (idx < 0 || idx > re->groups()) return GroupIndexError(name, idx, re->groups());
          const std::string_view s = a[0].Str(i);
          if (!re->Find(s, 0, false)) return out.Str("");
          auto g = re->Group(static_cast<int>(idx));
          if (!g) return out.Str("");
          return out.Str(s.substr(g->first, g->second - g->first));
        });
  });
  table->AddScalar("regexp_extract_all", [str_list](const std::string& name,
                                                    const std::vector<TypePtr>& args) {
    return BindStringArgs(
        name, args, 2, 0, 1, str_list,
        [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
          const int64_t idx = a.size() > 2 ? a[2].Int(i) : 1;
          if (idx < 0 || idx > re->groups()) return GroupIndexError(name, idx, re->groups());
          const std::string_view s = a[0].Str(i);
          std::vector<std::string_view> items;
          re->ForEachMatch(s, 0, [&](size_t, size_t) {
            auto g = re->Group(static_cast<int>(idx));
            items.push_back(g ? s.substr(g->first, g->second - g->first) : std::string_view());
            return true;
          });
          return AppendStringList(out, items);
        });
  });
  table->AddScalar("regexp_count", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(name, args, 2, 0, 0, arrow::int32(),
                          [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
                            int64_t n = 0;
                            re->ForEachMatch(a[0].Str(i), 0, [&](size_t, size_t) {
                              ++n;
                              return true;
                            });
                            return out.Int(n);
                          });
  });
  table->AddScalar("regexp_substr", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(name, args, 2, 0, 0, arrow::utf8(),
                          [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
                            const std::string_view s = a[0].Str(i);
                            if (!re->Find(s, 0, false)) return out.Null();
                            auto g = *re->Group(0);
                            return out.Str(s.substr(g.first, g.second - g.first));
                          });
  });
  table->AddScalar("regexp_instr", [](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(name, args, 2, 0, 1, arrow::int32(),
                          [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
                            ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(a[1].Str(i), name));
                            const std::string_view s = a[0].Str(i);
                            if (!re->Find(s, 0, false)) return out.Int(0);
                            const size_t b = re->Group(0)->first;
                            int64_t chars = 0;
                            for (size_t k = 0; k < b; ++k) chars += (static_cast<unsigned char>(s[k]) & 0xc0) != 0x80;
                            return out.Int(chars + 1);
                          });
  });
  table->AddScalar("split", [str_list](const std::string& name, const std::vector<TypePtr>& args) {
    return BindStringArgs(
        name, args, 2, 0, 1, str_list,
        [name](const S& a, int64_t i, OutBuilder& out, const EvalContext&) -> Status {
          const std::string_view s = a[0].Str(i), pattern = a[1].Str(i);
          int64_t limit = a.size() > 2 ? a[2].Int(i) : -1;
          if (limit == 0) limit = -1;
          std::vector<std::string_view> items;
          if (pattern.empty()) {
            // Spark splits into characters for an empty pattern.
            size_t k = 0;
            while (k < s.size()) {
              if (limit > 0 && static_cast<int64_t>(items.size()) == limit - 1) {
                items.push_back(s.substr(k));
                return AppendStringList(out, items);
              }
              size_t n = 1;
              while (k + n < s.size() && (static_cast<unsigned char>(s[k + n]) & 0xc0) == 0x80) ++n;
              items.push_back(s.substr(k, n));
              k += n;
            }
            if (s.empty()) items.push_back(s);
            return AppendStringList(out, items);
          }
          ARROW_ASSIGN_OR_RAISE(auto re, GetRegex(pattern, name));
          size_t last = 0;
          re->ForEachMatch(s, 0, [&](size_t b, size_t e) {
            if (limit > 0 && static_cast<int64_t>(items.size()) >= limit - 1) return false;
            if (b == 0 && e == 0) return true;  // no leading empty piece for a zero-width match
            if (b == e && b == s.size()) return true;
            items.push_back(s.substr(last, b - last));
            last = e;
            return true;
          });
          items.push_back(s.substr(last));
          return AppendStringList(out, items);
        });
  });
}

}  // namespace basin::function
