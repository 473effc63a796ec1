#include "registry/RollImporter.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "common/Xlsx.h"
#include "registry/RollValidator.h"

namespace edupay::registry {
namespace {

bool isBlank(const std::vector<std::string>& row) {
  for (const auto& f : row) {
    if (!text::trim(f).empty()) return false;
  }
  return true;
}

std::ifstream openInput(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, msg("roll.file.cannot_open", {arg("file", path)}));
  return in;
}

/// The formats spreadsheet programs also save in that are not a roll: the old Excel 97-2003
/// workbook (.xls, an OLE compound file) and "Unicode text" (UTF-16). Named as what they are,
/// with what to do, instead of failing later as bytes that are not GBK.
void refuseUnsupportedFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[8] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const auto n = in.gcount();
  const std::string file = path.substr(path.find_last_of('/') + 1);
  if (n >= 8 && head[0] == 0xD0 && head[1] == 0xCF && head[2] == 0x11 && head[3] == 0xE0) {
    throw Error(ErrorCode::kInvalidInput, msg("roll.file.xls", {arg("file", file)}));
  }
  if (n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
    throw Error(ErrorCode::kInvalidInput, msg("roll.file.utf16", {arg("file", file)}));
  }
  // A file sent by mistake (a scan, a photo of the roll, a zipped folder), by its signature.
  const std::string_view bytes(reinterpret_cast<const char*>(head), static_cast<size_t>(n));
  const auto starts = [&](std::string_view magic) {
    return bytes.substr(0, magic.size()) == magic;
  };
  const char* zh = nullptr;
  const char* en = nullptr;
  if (starts("%PDF")) {
    zh = "PDF 文档", en = "a PDF document";
  } else if (starts("\x89PNG") || starts("\xFF\xD8\xFF") || starts("GIF8")) {
    zh = "图片", en = "an image";
  } else if (starts("Rar!") || starts("7z\xBC\xAF") || starts("\x1F\x8B")) {
    zh = "压缩包", en = "a compressed archive";
  }
  if (zh)
    throw Error(ErrorCode::kInvalidInput,
                msg("roll.file.not_a_table", {arg("file", file), words("kind", zh, en)}));
}

/// Streams issues to the report file (if any) and keeps the first few in memory.
class IssueSink {
 public:
  IssueSink(const std::string& report_path, Lang lang, RollImportResult& result)
      : result_(result), lang_(lang) {
    if (report_path.empty()) return;
    removeStaleTemps(report_path);
    file_ = std::make_unique<AtomicFileWriter>(report_path);
    CsvWriter::Options o;
    o.utf8_bom = true;  // spreadsheet programs need it to show Chinese text
    csv_ = std::make_unique<CsvWriter>(file_->stream(), o);
    // Headed and worded for the reader, as the rest of the report: a school opens it in Excel.
    if (lang_ == Lang::kZh) {
      csv_->writeRow({"行号", "列", "内容", "类别", "原因及处理办法"});
    } else {
      csv_->writeRow({"line", "column", "value", "severity", "reason"});
    }
  }
  void add(const Issue& issue) {
    ++result_.issues_total;
    if (issue.warning) ++result_.warnings;
    if (result_.issues.size() < RollImportResult::kMaxIssuesKept) result_.issues.push_back(issue);
    if (csv_) {
      const bool zh = lang_ == Lang::kZh;
      csv_->writeRow(
          {std::to_string(issue.line),
           zh && !issue.column_zh.empty() ? issue.column_zh : issue.column, issue.value,
           zh ? (issue.warning ? "提示" : "错误") : (issue.warning ? "warning" : "error"),
           issue.text(lang_)});
    }
  }
  void finish() {
    if (file_) file_->commit();
  }

 private:
  RollImportResult& result_;
  Lang lang_;
  std::unique_ptr<AtomicFileWriter> file_;
  std::unique_ptr<CsvWriter> csv_;
};

std::vector<domain::Stage> parseStages(const std::string& text_value, std::string& bad) {
  std::vector<domain::Stage> out;
  std::string t = text_value;
  for (char& c : t) {
    if (c == ',' || c == '|') c = ';';
  }
  for (const auto& part : text::split(t, ';')) {
    const std::string p = text::trim(part);
    if (p.empty()) continue;
    if (auto s = domain::parseStage(p)) {
      out.push_back(*s);
    } else {
      bad = p;
    }
  }
  return out;
}

/// The stage codes with their Chinese names, as the argument `codes`.
MessageArg stageList() {
  std::string zh;
  for (const auto& c : text::split(domain::stageCodes(), ',')) {
    const auto v = domain::parseStage(text::trim(c));
    zh += (zh.empty() ? "" : "、") + std::string(v ? domain::chineseLabel(*v) : c);
  }
  return words("codes", zh, domain::stageCodes());
}

/// Reads a small reference CSV with a header into maps keyed by English column names; `on_row`
/// returns what is wrong with a row, or nullopt. Any bad row refuses the whole file.
template <typename Fn>
void readReferenceCsv(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& columns,
                      Fn&& on_row) {
  std::ifstream in = openInput(path);
  CsvReader reader(in, path);
  std::vector<std::string> row;
  if (!reader.next(row))
    throw Error(ErrorCode::kInvalidInput, msg("reference.file.empty", {arg("file", path)}));
  reader.expectHeader(row);
  std::map<std::string, size_t> pos;
  for (size_t i = 0; i < row.size(); ++i) {
    const std::string h = text::toLower(text::trim(row[i]));
    for (const auto& [en, zh] : columns) {
      if (h == en || h == zh) pos[en] = i;
    }
  }
  int64_t bad_rows = 0;
  std::string errors_zh, errors_en;  // the first 50, one per line, in each language
  while (reader.next(row)) {
    if (isBlank(row)) continue;
    auto get = [&](const std::string& name) -> std::string {
      auto it = pos.find(name);
      if (it == pos.end() || it->second >= row.size()) return {};
      return text::trim(row[it->second]);
    };
    const std::optional<Message> problem = on_row(get);
    if (problem && ++bad_rows <= 50) {
      const Message line =
          msg("reference.row", {arg("file", path), arg("line", std::to_string(reader.line())),
                                arg("problem", *problem)});
      errors_zh += "\n  " + i18n::render(line, Lang::kZh);
      errors_en += "\n  " + i18n::render(line, Lang::kEn);
    }
  }
  if (bad_rows > 0) {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("reference.refused", {arg("count", bad_rows), words("lines", errors_zh, errors_en)}));
  }
}

}  // namespace

RollImportResult importRoll(RegistryStore& store, const security::FieldCipher& cipher,
                            const std::string& path, const RollImportOptions& options,
                            const RollCommitHook& before_commit) {
  RollImportResult result;
  result.file_sha256 = security::sha256File(path);
  // An Excel workbook is read as the CSV of its first sheet (line N = row N).
  std::ifstream file_in;
  std::istringstream sheet_in;
  std::istream* in = &sheet_in;
  TextEncoding encoding = options.encoding;
  if (looksLikeXlsx(path)) {
    sheet_in.str(xlsxToCsv(path));
    encoding = TextEncoding::kUtf8;
  } else {
    refuseUnsupportedFormat(path);
    file_in = openInput(path);
    in = &file_in;
  }
  CsvReader reader(*in, path, encoding);
  std::vector<std::string> row;
  // The header is the first row of known column names; a title row ("XX学校2026年秋季学籍名册",
  // often a merged cell) and blank rows above it are skipped.
  constexpr int kMaxRowsAboveHeader = 10;
  std::vector<std::string> first;  // the first non-blank row, reported if no header is found
  int64_t first_line = 0;
  for (int above = 0;; ++above) {
    if (!reader.next(row)) {
      if (first_line == 0)
        throw Error(ErrorCode::kInvalidInput, msg("roll.file.empty", {arg("file", path)}));
      row = first;
      break;
    }
    if (RollHeader::looksLikeHeader(row)) {
      first_line = reader.line();
      break;
    }
    int filled = 0;
    for (const auto& cell : row) filled += text::cleanField(cell).empty() ? 0 : 1;
    if (filled > 0 && first_line == 0) {
      first = row;
      first_line = reader.line();
    }
    // A title is one cell (often merged across the sheet); anything else is a bad header.
    if (filled > 1) {
      first_line = reader.line();
      break;
    }
    if (above >= kMaxRowsAboveHeader) {
      row = first;
      break;
    }
  }
  const int64_t header_line = first_line;
  const RollHeader header = RollHeader::parse(row, path, header_line);
  const size_t width = row.size();
  const bool sheet = in == &sheet_in;
  reader.nameColumns(row);

  std::map<std::string, RollValidator::SchoolInfo> schools;
  for (const auto& s : store.listSchools()) schools[s.code] = {s.stages, s.region_code};
  const RollValidator validator(cipher, std::move(schools), options.as_of, options.only_school,
                                options.only_region);

  IssueSink sink(options.report_path, options.report_lang, result);
  for (const auto& ignored : header.ignored()) {
    Issue issue;
    issue.line = header_line;
    issue.column = issue.column_zh = ignored;
    issue.message = msg("roll.column.ignored");
    issue.warning = true;
    sink.add(issue);
  }
  auto tx = store.transaction();
  ImportContext ctx;
  ctx.as_of = options.as_of;
  ctx.academic_year = options.as_of.month() >= 8 ? options.as_of.year() : options.as_of.year() - 1;
  ctx.run_id = store.beginImportRun("roll", path, result.file_sha256, options.as_of);
  result.run_id = ctx.run_id;

  std::vector<RollRecord> chunk;
  chunk.reserve(options.chunk_rows);
  std::vector<Issue> row_issues;
  auto flush = [&] {
    if (chunk.empty()) return;
    std::vector<Issue> dupes;
    result.counts += store.applyRollChunk(ctx, chunk, dupes);
    for (const auto& d : dupes) sink.add(d);
    result.rows_bad += static_cast<int64_t>(dupes.size());
    result.rows_ok += static_cast<int64_t>(chunk.size() - dupes.size());
    chunk.clear();
  };

  while (reader.next(row)) {
    if (isBlank(row)) continue;
    ++result.rows_total;
    row_issues.clear();
    // An Excel sheet leaves out the empty cells at the end of a row; a CSV row has them all.
    if (sheet && row.size() < width) row.resize(width);
    if (row.size() != width) {
      const bool extra_empty =
          sheet && std::all_of(row.begin() + static_cast<std::ptrdiff_t>(width), row.end(),
                               [](const std::string& f) { return text::trim(f).empty(); });
      if (!extra_empty) {
        Issue issue;
        issue.line = reader.line();
        issue.message = msg("roll.row.width", {arg("fields", std::to_string(row.size())),
                                               arg("header", std::to_string(width))});
        sink.add(issue);
        ++result.rows_bad;
        continue;
      }
      row.resize(width);
    }
    auto record = validator.validate(header, row, reader.line(), row_issues);
    for (const auto& issue : row_issues) sink.add(issue);
    if (record) {
      chunk.push_back(std::move(*record));
      if (chunk.size() >= options.chunk_rows) flush();
    } else {
      ++result.rows_bad;
    }
    if (options.progress && result.rows_total % options.progress_every == 0) {
      options.progress(result.rows_total);
    }
  }
  flush();
  result.encoding = reader.encoding();

  const bool acceptable = result.rows_bad == 0 || options.accept_valid;
  if (!options.dry_run && acceptable) {
    store.finishImportRun(ctx.run_id, result.rows_total, result.rows_ok, result.rows_bad);
    result.committed = true;
    if (before_commit) before_commit(result);
    tx->commit();
  } else {
    result.run_id = 0;  // rolled back with everything else
  }
  sink.finish();  // commit, then publish the report
  return result;
}

SchoolImportResult importSchools(
    RegistryStore& store, const std::string& path, const std::string& region_prefix,
    const std::function<void(const SchoolImportResult&)>& before_commit,
    const security::FieldCipher* cipher, const std::string& recorded_by) {
  std::vector<School> schools;
  std::map<std::string, int64_t> seen;
  int64_t n = 0;
  readReferenceCsv(
      path,
      {{"school_code", "学校标识码"},
       {"name", "学校名称"},
       {"region_code", "所在地区"},
       {"stages", "学段"},
       {"ownership", "办学性质"},
       {"bank_code", "开户行行号"},
       {"bank_account", "银行账号"},
       {"account_holder", "账户名称"}},
      [&](auto get) -> std::optional<Message> {
        ++n;
        School s;
        s.code = get("school_code");
        s.name = get("name");
        s.region_code = get("region_code");
        s.bank_code = get("bank_code");
        std::string bad;
        s.stages = parseStages(get("stages"), bad);
        const std::string own = text::toLower(get("ownership"));
        if (s.code.size() != 10 || !text::isAllDigits(s.code)) {
          return msg("reference.school.code", {arg("code", s.code)});
        }
        if (!seen.emplace(s.code, n).second)
          return msg("reference.school.twice", {arg("code", s.code)});
        if (s.name.empty()) return msg("reference.name.required");
        if (s.region_code.size() != 6 || !text::isAllDigits(s.region_code)) {
          return msg("reference.school.region", {arg("code", s.region_code)});
        }
        if (s.region_code.rfind(region_prefix, 0) != 0) {
          return msg("reference.school.out_of_scope",
                     {arg("code", s.region_code), arg("scope", region_prefix)});
        }
        if (!bad.empty()) {
          return msg("reference.school.stage", {arg("value", bad), stageList()});
        }
        if (s.stages.empty()) return msg("reference.school.no_stage");
        if (const std::string acct = get("bank_account"); !acct.empty()) {
          Message why;
          const auto number = BankAccountNumber::parse(acct, why);
          if (!number) return msg("reference.school.account", {arg("reason", why)});
          if (s.bank_code.size() != 12 || !text::isAllDigits(s.bank_code)) {
            return msg("reference.school.bank_code");
          }
          s.account_holder =
              get("account_holder").empty() ? s.name : std::string(get("account_holder"));
          if (text::startsLikeFormula(s.account_holder) ||
              text::controlCharacter(s.account_holder)) {
            return msg("reference.school.holder");
          }
          if (!cipher) return msg("reference.school.no_key");
          s.account = Protected{cipher->blindIndex("bank_account", number->str()),
                                cipher->encrypt("bank_account", number->str()), number->masked()};
        } else if (!get("account_holder").empty()) {
          return msg("reference.school.holder_without_account");
        }
        if (own == "public" || own == "公办" || own.empty()) {
          s.is_public = true;
        } else if (own == "private" || own == "民办") {
          s.is_public = false;
        } else {
          return msg("reference.school.ownership", {arg("value", own)});
        }
        schools.push_back(std::move(s));
        return std::nullopt;
      });
  auto tx = store.transaction();
  auto [added, updated] = store.upsertSchools(schools);
  SchoolImportResult r{added, updated, 0};
  for (const auto& s : schools) {
    if (!s.account) continue;
    RegistryStore::SchoolAccountUpdate a{s.account->hash, s.account->enc,   s.account->mask,
                                         s.bank_code,     s.account_holder, Date::today().str(),
                                         recorded_by};
    r.accounts += store.replaceSchoolAccount(s.code, a).changed;
  }
  if (before_commit) before_commit(r);
  tx->commit();
  return r;
}

SchoolImportResult importRegions(
    RegistryStore& store, const std::string& path,
    const std::function<void(const SchoolImportResult&)>& before_commit) {
  std::vector<Region> regions;
  readReferenceCsv(
      path,
      {{"code", "区划代码"}, {"name", "名称"}, {"parent_code", "上级代码"}, {"level", "级别"}},
      [&](auto get) -> std::optional<Message> {
        Region r{get("code"), get("name"), get("parent_code"), get("level")};
        if (r.code.size() != 6 || !text::isAllDigits(r.code)) {
          return msg("reference.region.code", {arg("code", r.code)});
        }
        if (!ResidentId::isProvinceCode(std::stoi(r.code.substr(0, 2)))) {
          return msg("reference.region.province", {arg("code", r.code)});
        }
        if (r.name.empty()) return msg("reference.name.required");
        if (r.level != "province" && r.level != "city" && r.level != "county") {
          return msg("reference.region.level", {arg("value", r.level)});
        }
        regions.push_back(std::move(r));
        return std::nullopt;
      });
  auto tx = store.transaction();
  auto [added, updated] = store.upsertRegions(regions);
  const SchoolImportResult r{added, updated};
  if (before_commit) before_commit(r);
  tx->commit();
  return r;
}

}  // namespace edupay::registry
