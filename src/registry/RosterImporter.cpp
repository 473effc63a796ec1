#include "registry/RosterImporter.h"

#include <fstream>
#include <map>
#include <set>

#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "registry/RollValidator.h"

namespace edupay::registry {
namespace {

constexpr size_t kChunkRows = 1000;

struct Columns {
  std::map<std::string, size_t> pos;
  std::string get(const std::vector<std::string>& row, const std::string& name) const {
    return text::cleanCode(raw(row, name));
  }
  /// The field as written; empty when the line is shorter than the header.
  std::string raw(const std::vector<std::string>& row, const std::string& name) const {
    auto it = pos.find(name);
    if (it == pos.end() || it->second >= row.size()) return {};
    return row[it->second];
  }
};

Columns readHeader(const std::vector<std::string>& header, const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& names,
                   const std::vector<std::string>& required) {
  Columns c;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string h = text::toLower(text::cleanCode(header[i]));
    for (const auto& [en, zh] : names) {
      // `zh` lists the Chinese headers department files use, '|'-separated.
      bool match = h == en;
      for (const auto& alias : text::split(zh, '|')) match = match || h == alias;
      if (match) c.pos[en] = i;
    }
  }
  std::string missing_en, missing_zh;
  for (const auto& r : required) {
    std::string zh = r;
    for (const auto& [en, z] : names)
      if (en == r) zh = text::split(z, '|')[0];
    if (!c.pos.count(r)) {
      missing_en += " " + r;
      missing_zh += (missing_zh.empty() ? "" : "、") + zh;
    }
  }
  if (!missing_en.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                msg("roster.header.missing",
                    {arg("file", path), words("columns", missing_zh, missing_en)}));
  }
  return c;
}

}  // namespace

MessageArg rosterSourceWords(const char* name, std::string_view source) {
  static constexpr std::pair<std::string_view, std::string_view> kSources[] = {
      {"poverty", "乡村振兴部门"},
      {"civil_affairs", "民政部门"},
      {"disabled", "残联"},
      {"orphan", "民政部门（孤儿）"}};
  for (const auto& [code, zh] : kSources) {
    if (code == source) return words(name, std::string(zh), std::string(code));
  }
  return arg(name, std::string(source));
}

namespace {

/// The Chinese header of a roster column.
std::string rosterColumnZh(const std::string& column) {
  static const std::map<std::string, std::string> kZh = {
      {"resident_id", "身份证号"}, {"name", "姓名"},           {"household_id", "户编号"},
      {"category", "困难类别"},    {"valid_from", "起始日期"}, {"valid_to", "终止日期"},
      {"region", "行政区划"}};
  const auto it = kZh.find(column);
  return it == kZh.end() ? column : it->second;
}

}  // namespace

bool isRosterSource(const std::string& source) {
  return source == "poverty" || source == "civil_affairs" || source == "disabled" ||
         source == "orphan";
}

RosterImportResult importRoster(
    RegistryStore& store, const security::FieldCipher& cipher, const std::string& path,
    const std::string& source, bool dry_run, const std::string& region_prefix,
    const std::function<void(const RosterImportResult&)>& before_commit) {
  if (!isRosterSource(source)) {
    throw Error(ErrorCode::kInvalidInput, msg("roster.source.invalid"));
  }
  RosterImportResult result;
  result.file_sha256 = security::sha256File(path);
  CsvFile file(path);
  CsvReader& reader = file.reader();
  std::vector<std::string> row = file.header();
  const Columns cols =
      readHeader(row, path,
                 {{"resident_id", "身份证号|身份证件号|证件号码|身份证号码"},
                  {"name", "姓名"},
                  {"household_id", "户编号|家庭户编号|户号"},
                  {"category", "类别|困难类别|人员类别"},
                  {"valid_from", "起始日期|开始日期|认定日期|纳入日期"},
                  {"valid_to", "终止日期|结束日期|退出日期"},
                  {"region", "行政区划|地区|区划代码|所在地区"}},
                 {"resident_id", "name", "household_id", "category", "valid_from", "region"});
  auto tx = store.transaction();
  const int64_t run_id =
      store.beginImportRun("roster:" + source, path, result.file_sha256, Date::today());
  std::vector<RosterRow> chunk;
  std::set<std::tuple<std::string, std::string, std::string, std::string>>
      seen;  // rid, household, category, from
  auto issue = [&](int64_t line, const std::string& col, const std::string& value, Message reason) {
    ++result.issues_total;
    if (result.issues.size() >= 200) return;
    Issue i;
    i.line = line;
    i.column = col;
    i.column_zh = rosterColumnZh(col);
    i.value = value;
    i.message = std::move(reason);
    result.issues.push_back(std::move(i));
  };
  while (reader.next(row)) {
    bool blank = true;
    for (const auto& f : row) blank = blank && text::trim(f).empty();
    if (blank) continue;
    ++result.rows_total;
    const int64_t line = reader.line();
    const int64_t before = result.issues_total;
    RosterRow r;
    r.line = line;
    Message why;
    const std::string rid_text = cols.get(row, "resident_id");
    auto rid = ResidentId::parse(rid_text, why);
    if (!rid) {
      issue(line, "resident_id", maskMiddle(rid_text, 4, 4), why);
    } else {
      r.rid_hash = cipher.blindIndex("resident_id", rid->str());
      r.rid_enc = cipher.encrypt("resident_id", rid->str());
      r.rid_mask = rid->masked();
      if (rid->sex()) r.sex = *rid->sex() == Sex::kMale ? "M" : "F";
      if (rid->birthDate()) r.birth_date = rid->birthDate()->str();
    }
    r.name = text::normaliseName(cols.raw(row, "name"));
    if (r.name.empty()) issue(line, "name", "", msg("roll.field.required"));
    if (text::startsLikeFormula(r.name)) {
      issue(line, "name", text::cutUtf8(r.name, 30),
            msg("roster.name.formula", {arg("first", r.name.substr(0, 1))}));
    }
    r.household_code = cols.get(row, "household_id");
    if (r.household_code.empty()) issue(line, "household_id", "", msg("roll.field.required"));
    const std::string cat = cols.get(row, "category");
    auto category = domain::parseCategory(cat);
    if (!category) {
      std::string zh;
      for (const auto& c : text::split(domain::categoryCodes(), ',')) {
        const auto v = domain::parseCategory(text::trim(c));
        zh += (zh.empty() ? "" : "、") + std::string(v ? domain::chineseLabel(*v) : c);
      }
      issue(line, "category", cat,
            msg("roster.category.unknown", {words("codes", zh, domain::categoryCodes())}));
    } else if (domain::rosterSourceOf(*category) != source) {
      const auto from = domain::rosterSourceOf(*category);
      issue(line, "category", cat,
            from.empty()
                ? msg("roster.category.wrong_source", {rosterSourceWords("source", source)})
                : msg("roster.category.other_source",
                      {rosterSourceWords("source", source), rosterSourceWords("from", from)}));
    } else {
      r.category = std::string(domain::code(*category));
    }
    const std::string from = cols.get(row, "valid_from"), to = cols.get(row, "valid_to");
    auto df = Date::parseLenient(from);
    if (!df) {
      issue(line, "valid_from", from, msg("roster.date.invalid"));
    } else {
      r.valid_from = df->str();
    }
    if (!to.empty()) {
      auto dt = Date::parseLenient(to);
      if (!dt) {
        issue(line, "valid_to", to, msg("roster.date.invalid"));
      } else if (df && *dt < *df) {
        issue(line, "valid_to", to, msg("roster.date.before_from"));
      } else {
        r.valid_to = dt->str();
      }
    }
    r.region = cols.get(row, "region");
    if (r.region.size() != 6 || !text::isAllDigits(r.region)) {
      issue(line, "region", r.region, msg("roster.region.format"));
    } else if (r.region.rfind(region_prefix, 0) != 0) {
      issue(line, "region", r.region,
            msg("roster.region.out_of_scope", {arg("scope", region_prefix)}));
    }
    if (result.issues_total == before &&
        !seen.emplace(r.rid_hash, r.household_code, r.category, r.valid_from).second) {
      issue(line, "resident_id", r.rid_mask, msg("roster.row.twice"));
    }
    if (result.issues_total > before) {
      ++result.rows_bad;
      continue;
    }
    chunk.push_back(std::move(r));
    if (chunk.size() >= kChunkRows) {
      result.counts += store.applyRoster(source, run_id, chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) {
    result.counts += store.applyRoster(source, run_id, chunk);
  }
  if (result.rows_bad == 0 && !dry_run) {
    store.finishImportRun(run_id, result.rows_total, result.rows_total, 0);
    result.committed = true;
    if (before_commit) before_commit(result);
    tx->commit();
  }
  return result;
}

NominationImportResult importNominations(
    RegistryStore& store, const security::FieldCipher& cipher, const std::string& path,
    const std::string& programme, int academic_year,
    const std::function<void(const NominationImportResult&)>& before_commit) {
  CsvFile file(path);
  CsvReader& reader = file.reader();
  std::vector<std::string> row = file.header();
  const Columns cols =
      readHeader(row, path, {{"resident_id", "身份证号"}, {"name", "姓名"}}, {"resident_id"});
  NominationImportResult result;
  std::vector<std::string> hashes;
  std::map<std::string, std::string> masks;
  std::string errors_zh, errors_en;  // one line per bad row, in each language
  while (reader.next(row)) {
    const std::string id_text = cols.get(row, "resident_id");
    if (id_text.empty()) continue;
    ++result.rows;
    Message why;
    auto rid = ResidentId::parse(id_text, why);
    if (!rid) {
      const Message bad =
          msg("nomination.bad_id", {arg("file", path), arg("line", std::to_string(reader.line())),
                                    arg("mask", maskMiddle(id_text, 4, 4)), arg("reason", why)});
      errors_zh += "\n  " + i18n::render(bad, Lang::kZh);
      errors_en += "\n  " + i18n::render(bad, Lang::kEn);
      continue;
    }
    const std::string h = cipher.blindIndex("resident_id", rid->str());
    hashes.push_back(h);
    masks[h] = rid->masked();
  }
  if (!errors_en.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                msg("nomination.refused", {words("lines", errors_zh, errors_en)}));
  }
  auto tx = store.transaction();
  const auto unmatched = store.replaceNominations(programme, academic_year, hashes);
  for (const auto& h : unmatched) result.unmatched.push_back(masks[h]);
  if (!result.unmatched.empty()) {
    std::string ids;
    for (size_t i = 0; i < result.unmatched.size() && i < 20; ++i) ids += " " + result.unmatched[i];
    throw Error(
        ErrorCode::kInvalidInput,
        msg("nomination.unmatched", {arg("count", result.unmatched.size()), arg("ids", ids)}));
  }
  result.matched = static_cast<int64_t>(hashes.size());
  if (before_commit) before_commit(result);
  tx->commit();
  return result;
}

}  // namespace edupay::registry
