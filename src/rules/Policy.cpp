#include "rules/Policy.h"

#define VALIJSON_USE_EXCEPTIONS 1
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <valijson/adapters/poco_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/CodeTable.h"
#include "common/Error.h"
#include "common/Text.h"
#include "rules/PolicyParts.h"
#include "security/FieldCipher.h"

namespace edupay::rules {
namespace {

using detail::parseProgramme;
using detail::Problems;
using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr parseJson(const std::string& text, const std::string& source) {
  try {
    Poco::JSON::Parser parser;
    Var v = parser.parse(text);
    auto obj = v.extract<Object::Ptr>();
    if (!obj)
      throw Error(ErrorCode::kInvalidInput,
                  msg("rules.policy.not_object", {arg("source", source)}));
    return obj;
  } catch (const Poco::Exception& e) {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("rules.policy.not_json", {arg("source", source), arg("detail", e.displayText())}));
  }
}

std::string stringify(const Object::Ptr& o) {
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(o, s, 2);
  return s.str();
}

/// Validates a document against the embedded schema; problems carry JSON paths.
void validateSchema(const Object::Ptr& doc, Problems& problems) {
  static const auto schema = [] {
    auto s = std::make_shared<valijson::Schema>();
    Poco::JSON::Parser p;
    Var schema_doc = p.parse(policySchema());
    valijson::SchemaParser parser;
    valijson::adapters::PocoJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  valijson::Validator validator;
  valijson::ValidationResults results;
  Var v(doc);
  valijson::adapters::PocoJsonAdapter target(v);
  if (validator.validate(*schema, target, &results)) return;
  // valijson reports a failure at every level up to the root; only the deepest ones say what
  // is actually wrong, so a path that prefixes another reported path is dropped.
  std::vector<std::pair<std::string, std::string>> errors;
  valijson::ValidationResults::Error err;
  while (results.popError(err)) {
    std::string path;
    for (const auto& c : err.context) {
      if (c == "<root>") continue;
      std::string part = c;
      if (part.size() > 2 && part.front() == '[' && part.back() == ']')
        part = part.substr(1, part.size() - 2);
      path += "/" + part;
    }
    errors.emplace_back(path.empty() ? "/" : path, err.description);
  }
  std::set<std::string> seen;
  for (const auto& [path, what] : errors) {
    bool deeper_exists = false;
    for (const auto& other : errors) {
      if (other.first.size() > path.size() && other.first.compare(0, path.size(), path) == 0 &&
          (path == "/" || other.first[path.size()] == '/')) {
        deeper_exists = true;
        break;
      }
    }
    // The schema validator's own words (English), the same in both languages.
    if (!deeper_exists && seen.insert(path + what).second)
      problems.add(path, Message::literal(what));
  }
}

/// A policy file is small; a larger one is not a policy.
constexpr uint64_t kMaxPolicyBytes = 4 << 20;

/// Applies `extends` and `overrides`: the result is one self-contained document. `folder` is the
/// first file's folder: a base it extends is read from there only.
Object::Ptr resolve(const std::string& path, const std::string& folder, Problems& problems,
                    int depth) {
  if (depth > 8)
    throw Error(ErrorCode::kInvalidInput, msg("rules.policy.extends_deep", {arg("source", path)}));
  Object::Ptr doc = parseJson(
      depth == 0 ? readFile(path, kMaxPolicyBytes) : readFileWithin(folder, path, kMaxPolicyBytes),
      path);
  {
    Problems own(path);
    validateSchema(doc, own);
    own.throwIfAny();
  }
  if (!doc->has("extends")) return doc;
  const auto base_path =
      (std::filesystem::path(path).parent_path() / doc->getValue<std::string>("extends")).string();
  Object::Ptr base = resolve(base_path, folder, problems, depth + 1);

  // Programmes: inherited, patched by code, plus this file's own.
  auto programmes = base->getArray("programmes");
  if (!programmes) programmes = new Array;
  std::map<std::string, Object::Ptr> by_code;
  for (size_t i = 0; i < programmes->size(); ++i) {
    auto p = programmes->getObject(static_cast<unsigned>(i));
    by_code[p->getValue<std::string>("code")] = p;
  }
  if (auto overrides = doc->getObject("overrides")) {
    for (const auto& code : overrides->getNames()) {
      auto it = by_code.find(code);
      if (it == by_code.end()) {
        problems.add("/overrides/" + code, msg("rules.policy.no_inherited"));
        continue;
      }
      auto patch = overrides->getObject(code);
      for (const auto& key : patch->getNames()) it->second->set(key, patch->get(key));
    }
  }
  if (auto own = doc->getArray("programmes")) {
    for (size_t i = 0; i < own->size(); ++i) {
      auto p = own->getObject(static_cast<unsigned>(i));
      if (by_code.count(p->getValue<std::string>("code"))) {
        problems.add(
            "/programmes/" + std::to_string(i),
            msg("rules.policy.redefines", {arg("code", p->getValue<std::string>("code"))}));
        continue;
      }
      programmes->add(p);
    }
  }
  Object::Ptr out = new Object;
  out->set("policy_version", 1);
  out->set("name", doc->getValue<std::string>("name"));
  out->set("description", doc->optValue<std::string>(
                              "description", base->optValue<std::string>("description", "")));
  for (const char* key : {"term_reference", "category_tier", "roster_sources", "identification"}) {
    if (doc->has(key)) {
      out->set(key, doc->get(key));
    } else if (base->has(key)) {
      out->set(key, base->get(key));
    }
  }
  Array::Ptr holidays = new Array;
  for (const auto& src : {base, doc}) {
    if (auto h = src->getArray("holidays")) {
      for (size_t i = 0; i < h->size(); ++i) holidays->add(h->get(static_cast<unsigned>(i)));
    }
  }
  out->set("holidays", holidays);
  out->set("programmes", programmes);
  return out;
}

Policy build(const Object::Ptr& doc, const std::string& source) {
  Problems pr(source);
  validateSchema(doc, pr);
  pr.throwIfAny();
  Policy policy;
  policy.name = doc->getValue<std::string>("name");
  policy.resolved_json = stringify(doc);
  policy.sha256 = security::sha256Hex(policy.resolved_json);
  if (auto tr = doc->getObject("term_reference")) {
    for (const char* season : {"autumn", "spring"}) {
      if (!tr->has(season)) continue;
      const std::string v = tr->getValue<std::string>(season);
      const int m = std::stoi(v.substr(0, 2)), d = std::stoi(v.substr(3, 2));
      if (!Date::fromYmd(2024, m, d)) {
        pr.add(std::string("/term_reference/") + season,
               msg("rules.policy.month_day", {arg("value", v)}));
        continue;
      }
      if (std::string(season) == "autumn") {
        policy.term_config.autumn_month = m;
        policy.term_config.autumn_day = d;
      } else {
        policy.term_config.spring_month = m;
        policy.term_config.spring_day = d;
      }
    }
  }
  if (auto h = doc->getArray("holidays")) {
    for (size_t i = 0; i < h->size(); ++i) {
      auto ho = h->getObject(static_cast<unsigned>(i));
      auto d = Date::parse(ho->getValue<std::string>("date"));
      if (!d) {
        pr.add("/holidays/" + std::to_string(i) + "/date", msg("rules.policy.not_a_date"));
        continue;
      }
      ho->getValue<std::string>("kind") == "workday" ? policy.holidays.addWorkday(*d)
                                                     : policy.holidays.addHoliday(*d);
    }
  }
  if (auto ct = doc->getObject("category_tier")) {
    for (const auto& k : ct->getNames()) {
      auto c = domain::parseCategory(k);
      auto l = domain::parseDifficultyLevel(ct->getValue<std::string>(k));
      if (!c) {
        pr.add("/category_tier/" + k, msg("rules.policy.unknown_category"));
        continue;
      }
      if (l) policy.category_tier[*c] = *l;
    }
  }
  if (auto rs = doc->getObject("roster_sources")) {
    for (const auto& k : rs->getNames()) {
      auto c = domain::parseCategory(k);
      if (!c) {
        pr.add("/roster_sources/" + k, msg("rules.policy.unknown_category"));
        continue;
      }
      policy.roster_sources[*c] = rs->getValue<std::string>(k);
    }
  }
  std::map<std::string, std::map<int, std::string>> ranks;
  if (auto arr = doc->getArray("programmes")) {
    std::set<std::string> codes;
    for (size_t i = 0; i < arr->size(); ++i) {
      auto po = arr->getObject(static_cast<unsigned>(i));
      const std::string path =
          "/programmes/" + std::to_string(i) + "(" + po->optValue<std::string>("code", "?") + ")";
      Programme p = parseProgramme(po, path, pr);
      if (!codes.insert(p.code).second) pr.add(path + "/code", msg("rules.policy.duplicate_code"));
      if (!p.exclusive_group.empty()) {
        auto [it, fresh] = ranks[p.exclusive_group].emplace(p.exclusive_rank, p.code);
        if (!fresh)
          pr.add(path + "/exclusive_rank",
                 msg("rules.policy.same_rank",
                     {arg("other", it->second), arg("group", p.exclusive_group)}));
      }
      policy.programmes.push_back(std::move(p));
    }
  }
  pr.throwIfAny();
  return policy;
}

std::string programmeJson(const Object::Ptr& p, const std::string& key) {
  if (!p->has(key)) return "";
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(p->get(key), s, 0);
  return s.str();
}

}  // namespace

std::string CategoryRef::str() const {
  std::string s(domain::code(category));
  if (rural) s += *rural ? "@rural" : "@urban";
  return s;
}

const Period* Programme::periodFor(const Term& t) const {
  for (const auto& p : periods) {
    if (p.covers(t)) return &p;
  }
  return nullptr;
}

const Funding* Programme::fundingFor(const Term& t) const {
  for (const auto& f : funding) {
    if (f.covers(t)) return &f;
  }
  return nullptr;
}

bool Programme::offersStage(domain::Stage s) const {
  return std::find(stages.begin(), stages.end(), s) != stages.end();
}

const Programme* Policy::find(const std::string& code) const {
  for (const auto& p : programmes) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

Policy loadPolicyFile(const std::string& path) {
  Problems problems(path);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  Object::Ptr resolved = resolve(path, folder.empty() ? "." : folder, problems, 0);
  problems.throwIfAny();
  return build(resolved, path);
}

Policy parsePolicy(const std::string& resolved_json, const std::string& source_name) {
  Policy policy = build(parseJson(resolved_json, source_name), source_name);
  std::map<std::string, std::string> names;
  for (const auto& p : policy.programmes) names[p.code] = p.name_zh;
  i18n::setCodeNames("programme", std::move(names));
  return policy;
}

void nameProgrammes(const std::string& resolved_json) {
  std::map<std::string, std::string> names;
  try {
    const auto doc = Poco::JSON::Parser().parse(resolved_json).extract<Object::Ptr>();
    const auto list = doc->getArray("programmes");
    for (size_t i = 0; list && i < list->size(); ++i) {
      const auto p = list->getObject(static_cast<unsigned>(i));
      if (p) names[p->optValue<std::string>("code", "")] = p->optValue<std::string>("name_zh", "");
    }
  } catch (const Poco::Exception&) {
    return;  // not a policy: messages keep the codes
  }
  i18n::setCodeNames("programme", std::move(names));
}

std::vector<Message> diffPolicies(const Policy& before, const Policy& after) {
  std::vector<Message> out;
  if (before.sha256 == after.sha256) return out;
  auto docs = [](const Policy& p) {
    std::map<std::string, Object::Ptr> m;
    auto arr = parseJson(p.resolved_json, p.name)->getArray("programmes");
    for (size_t i = 0; arr && i < arr->size(); ++i) {
      auto o = arr->getObject(static_cast<unsigned>(i));
      m[o->getValue<std::string>("code")] = o;
    }
    return m;
  };
  const auto a = docs(before), b = docs(after);
  // A programme by its Chinese name (from whichever policy has it), by its code in English.
  const auto programme = [&](const std::string& code) {
    const Programme* p = after.find(code) ? after.find(code) : before.find(code);
    return words("programme", p && !p->name_zh.empty() ? p->name_zh : code, code);
  };
  for (const auto& [code, _] : a) {
    if (!b.count(code)) out.push_back(msg("rules.diff.removed", {programme(code)}));
  }
  for (const auto& [code, po] : b) {
    auto it = a.find(code);
    if (it == a.end()) {
      out.push_back(msg("rules.diff.added", {programme(code)}));
      continue;
    }
    std::set<std::string> keys;
    for (const auto& k : po->getNames()) keys.insert(k);
    for (const auto& k : it->second->getNames()) keys.insert(k);
    for (const auto& k : keys) {
      const std::string x = programmeJson(it->second, k), y = programmeJson(po, k);
      // The values as the policy file writes them (JSON), the same in both languages.
      const auto value = [](const std::string& v, const char* name) {
        return v.empty() ? words(name, "（无）", "(none)") : arg(name, v);
      };
      if (x != y)
        out.push_back(msg("rules.diff.field", {programme(code), arg("field", k), value(x, "before"),
                                               value(y, "after")}));
    }
  }
  const auto da = parseJson(before.resolved_json, before.name),
             db = parseJson(after.resolved_json, after.name);
  for (const char* key :
       {"term_reference", "category_tier", "roster_sources", "holidays", "identification"}) {
    if (programmeJson(da, key) != programmeJson(db, key))
      out.push_back(msg("rules.diff.section", {arg("section", key)}));
  }
  return out;
}

namespace {
constexpr std::array<CodeName<Schedule>, 4> kSchedules{{
    {Schedule::kPerTerm, "per_term"},
    {Schedule::kAutumn, "autumn"},
    {Schedule::kSpring, "spring"},
    {Schedule::kFirstAutumn, "first_autumn"},
}};
constexpr std::array<CodeName<Payee>, 3> kPayees{{
    {Payee::kStudentAccount, "student_account"},
    {Payee::kHouseholdOneCard, "household_one_card"},
    {Payee::kSchool, "school"},
}};
}  // namespace

std::string_view code(Schedule s) { return codeIn(kSchedules, s); }
std::string_view code(Payee p) { return codeIn(kPayees, p); }
std::string_view code(PayingRegion r) {
  return r == PayingRegion::kSchoolCounty ? "school_county" : "hukou_county";
}

}  // namespace edupay::rules
