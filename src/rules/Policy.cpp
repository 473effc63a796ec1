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
#include "common/Error.h"
#include "common/Text.h"
#include "security/FieldCipher.h"

namespace edupay::rules {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

/// Collects every problem with its path; throws them together.
class Problems {
 public:
  explicit Problems(std::string source) : source_(std::move(source)) {}
  void add(const std::string& path, const std::string& what) {
    items_.push_back(path + ": " + what);
  }
  void throwIfAny() const {
    if (items_.empty()) return;
    std::string msg = source_ + ": the policy is refused (" + std::to_string(items_.size()) +
                      " problem" + (items_.size() == 1 ? "" : "s") + "):";
    for (const auto& i : items_) msg += "\n  " + i;
    throw Error(ErrorCode::kInvalidInput, msg);
  }

 private:
  std::string source_;
  std::vector<std::string> items_;
};

Object::Ptr parseJson(const std::string& text, const std::string& source) {
  try {
    Poco::JSON::Parser parser;
    Var v = parser.parse(text);
    auto obj = v.extract<Object::Ptr>();
    if (!obj)
      throw Error(ErrorCode::kInvalidInput, source + ": the top level must be a JSON object");
    return obj;
  } catch (const Poco::Exception& e) {
    throw Error(ErrorCode::kInvalidInput, source + ": not valid JSON: " + e.displayText());
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
    if (!deeper_exists && seen.insert(path + what).second) problems.add(path, what);
  }
}

template <typename T>
std::optional<T> parseTermOpt(const Object::Ptr& o, const std::string& key, const std::string& path,
                              Problems& pr) {
  if (!o->has(key)) return std::nullopt;
  try {
    return Term::parse(o->getValue<std::string>(key));
  } catch (const std::exception& e) {
    pr.add(path + "/" + key, e.what());
    return std::nullopt;
  }
}

/// The JSON parser hands decimals over as binary floating point; they are turned back into text
/// (6 decimals, trailing zeros dropped) and parsed exactly, so no arithmetic touches money in
/// floating point and "6000.005" is refused rather than rounded.
std::optional<Money> yuanOf(const Var& v, const std::string& path, Problems& pr) {
  try {
    if (v.isInteger()) return Money::fromYuan(v.convert<int64_t>());
    char text_form[64];
    std::snprintf(text_form, sizeof text_form, "%.6f", v.convert<double>());
    std::string t = text_form;
    while (!t.empty() && t.back() == '0') t.pop_back();
    if (!t.empty() && t.back() == '.') t.pop_back();
    return Money::parseYuan(t);
  } catch (const Poco::Exception&) {
    pr.add(path, "amount must be a number of yuan");
  } catch (const Error& e) {
    pr.add(path, e.what());
  }
  return std::nullopt;
}

std::optional<CategoryRef> parseCategoryRef(const std::string& s) {
  const auto at = s.find('@');
  auto c = domain::parseCategory(s.substr(0, at));
  if (!c) return std::nullopt;
  CategoryRef ref{*c, std::nullopt};
  if (at != std::string::npos) {
    const std::string q = s.substr(at + 1);
    if (q == "rural") {
      ref.rural = true;
    } else if (q == "urban") {
      ref.rural = false;
    } else {
      return std::nullopt;
    }
  }
  return ref;
}

CategorySpec parseCategories(const Object::Ptr& o, const std::string& path, Problems& pr) {
  CategorySpec spec;
  for (const char* key : {"any_of", "all_of"}) {
    auto arr = o->getArray(key);
    if (!arr) continue;
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string s = arr->getElement<std::string>(static_cast<unsigned>(i));
      auto ref = parseCategoryRef(s);
      if (!ref) {
        pr.add(path + "/" + key + "/" + std::to_string(i),
               "unknown category `" + s + "`; use one of " + domain::categoryCodes());
        continue;
      }
      (std::string(key) == "any_of" ? spec.any_of : spec.all_of).push_back(*ref);
    }
  }
  return spec;
}

GradeRange parseGrades(const Object::Ptr& o, const std::string& path, Problems& pr) {
  GradeRange g;
  if (o->has("min")) g.min = o->getValue<int>("min");
  if (o->has("max")) g.max = o->getValue<int>("max");
  if (g.min > g.max)
    pr.add(path, "min grade " + std::to_string(g.min) + " is above max " + std::to_string(g.max));
  return g;
}

Conditions parseConditions(const Object::Ptr& o, const std::string& path, Problems& pr) {
  Conditions c;
  if (o->has("boarding")) c.boarding = o->getValue<bool>("boarding");
  if (o->has("agri_major")) c.agri_major = o->getValue<bool>("agri_major");
  if (o->has("rural_hukou")) c.rural_hukou = o->getValue<bool>("rural_hukou");
  if (o->has("needs_difficulty")) c.needs_difficulty = o->getValue<bool>("needs_difficulty");
  if (o->has("min_grade")) c.min_grade = o->getValue<int>("min_grade");
  if (o->has("final_grade_of_stage"))
    c.final_grade_of_stage = o->getValue<bool>("final_grade_of_stage");
  if (o->has("nomination")) c.nomination = o->getValue<bool>("nomination");
  if (auto arr = o->getArray("exclude_majors")) {
    for (size_t i = 0; i < arr->size(); ++i)
      c.exclude_majors.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
  }
  if (auto arr = o->getArray("statuses")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      auto s =
          domain::parseEnrollmentStatus(arr->getElement<std::string>(static_cast<unsigned>(i)));
      if (s) {
        c.statuses.push_back(*s);
      } else {
        pr.add(path + "/statuses/" + std::to_string(i), "unknown enrollment status");
      }
    }
  }
  return c;
}

std::vector<std::string> dimensionValues(Dimension d, const Programme& p) {
  switch (d) {
    case Dimension::kStage: {
      std::vector<std::string> v;
      for (auto s : p.stages) v.emplace_back(domain::code(s));
      return v;
    }
    case Dimension::kTier:
      return {"generally", "difficult", "especially"};
    case Dimension::kBoarding:
      return {"boarding", "day"};
    case Dimension::kHukou:
      return {"rural", "urban"};
    case Dimension::kProvinceScope:
      return {"in", "out"};
  }
  return {};
}

/// Every key an amount table keyed by `dims` must have.
std::vector<std::string> requiredKeys(const Programme& p) {
  std::vector<std::string> keys{""};
  for (auto d : p.amount_by) {
    std::vector<std::string> next;
    for (const auto& k : keys) {
      for (const auto& v : dimensionValues(d, p)) next.push_back(k.empty() ? v : k + "/" + v);
    }
    keys.swap(next);
  }
  return keys;
}

template <typename T>
void checkNoOverlap(const std::vector<T>& items, const std::string& path, const std::string& what,
                    Problems& pr) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].to && *items[i].to < items[i].from) {
      pr.add(path + "/" + std::to_string(i), what + " ends (" + items[i].to->str() +
                                                 ") before it starts (" + items[i].from.str() +
                                                 ")");
    }
    for (size_t j = i + 1; j < items.size(); ++j) {
      const auto& a = items[i];
      const auto& b = items[j];
      const bool disjoint = (a.to && *a.to < b.from) || (b.to && *b.to < a.from);
      if (!disjoint) {
        pr.add(path + "/" + std::to_string(j),
               what + " from " + b.from.str() + " overlaps " + what + " " + std::to_string(i) +
                   " (" + a.from.str() + ".." + (a.to ? a.to->str() : "open") + ")");
      }
    }
  }
}

Programme parseProgramme(const Object::Ptr& o, const std::string& path, Problems& pr) {
  Programme p;
  p.code = o->optValue<std::string>("code", "");
  p.name_zh = o->optValue<std::string>("name_zh", "");
  p.name_en = o->optValue<std::string>("name_en", "");
  p.source = o->optValue<std::string>("source", "");
  p.confidence = o->optValue<std::string>("confidence", "");
  if (auto arr = o->getArray("stages")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      if (auto s = domain::parseStage(arr->getElement<std::string>(static_cast<unsigned>(i))))
        p.stages.push_back(*s);
    }
  }
  if (auto g = o->getObject("grades")) p.grades = parseGrades(g, path + "/grades", pr);
  if (auto c = o->getObject("categories"))
    p.categories = parseCategories(c, path + "/categories", pr);
  if (auto c = o->getObject("conditions"))
    p.conditions = parseConditions(c, path + "/conditions", pr);
  if (auto arr = o->getArray("any_of")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      p.any_of.push_back(parseConditions(arr->getObject(static_cast<unsigned>(i)),
                                         path + "/any_of/" + std::to_string(i), pr));
    }
  }
  if (auto arr = o->getArray("amount_by")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string d = arr->getElement<std::string>(static_cast<unsigned>(i));
      if (d == "stage") p.amount_by.push_back(Dimension::kStage);
      if (d == "tier") p.amount_by.push_back(Dimension::kTier);
      if (d == "boarding") p.amount_by.push_back(Dimension::kBoarding);
      if (d == "hukou") p.amount_by.push_back(Dimension::kHukou);
      if (d == "province_scope") p.amount_by.push_back(Dimension::kProvinceScope);
    }
  }
  const std::string schedule = o->optValue<std::string>("schedule", "per_term");
  p.schedule = schedule == "autumn"         ? Schedule::kAutumn
               : schedule == "spring"       ? Schedule::kSpring
               : schedule == "first_autumn" ? Schedule::kFirstAutumn
                                            : Schedule::kPerTerm;
  const std::string payee = o->optValue<std::string>("payee", "student_account");
  p.payee = payee == "school"               ? Payee::kSchool
            : payee == "household_one_card" ? Payee::kHouseholdOneCard
                                            : Payee::kStudentAccount;
  p.paying_region = o->optValue<std::string>("paying_region", "school_county") == "hukou_county"
                        ? PayingRegion::kHukouCounty
                        : PayingRegion::kSchoolCounty;
  p.exclusive_group = o->optValue<std::string>("exclusive_group", "");
  p.exclusive_rank = o->optValue<int>("exclusive_rank", 0);
  p.requires_local_rate = o->optValue<bool>("requires_local_rate", false);

  const auto keys = requiredKeys(p);
  if (auto arr = o->getArray("periods")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string pp = path + "/periods/" + std::to_string(i);
      auto po = arr->getObject(static_cast<unsigned>(i));
      Period per;
      auto from = parseTermOpt<Term>(po, "from", pp, pr);
      if (!from) continue;
      per.from = *from;
      per.to = parseTermOpt<Term>(po, "to", pp, pr);
      per.confidence = po->optValue<std::string>("confidence", "");
      per.note = po->optValue<std::string>("note", "");
      if (auto g = po->getObject("grades")) per.grades = parseGrades(g, pp + "/grades", pr);
      if (auto c = po->getObject("categories"))
        per.categories = parseCategories(c, pp + "/categories", pr);
      const Var amount = po->get("amount");
      if (amount.type() == typeid(Object::Ptr)) {
        auto ao = amount.extract<Object::Ptr>();
        if (p.amount_by.empty())
          pr.add(pp + "/amount", "a table of amounts needs amount_by on the programme");
        for (const auto& k : ao->getNames()) {
          if (p.amount_by.empty()) break;  // reported above
          if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
            std::string expected;
            for (size_t n = 0; n < keys.size() && n < 8; ++n) expected += (n ? ", " : "") + keys[n];
            if (keys.size() > 8) expected += ", ...";
            pr.add(pp + "/amount/" + k, "unexpected key; expected: " + expected);
            continue;
          }
          if (auto m = yuanOf(ao->get(k), pp + "/amount/" + k, pr)) per.yearly[k] = *m;
        }
        for (const auto& k : keys) {
          if (!per.yearly.count(k) && !k.empty())
            pr.add(pp + "/amount", "no amount for `" + k + "`");
        }
      } else {
        if (!p.amount_by.empty())
          pr.add(pp + "/amount", "amount_by is set, so the amount must be a table keyed by it");
        if (auto m = yuanOf(amount, pp + "/amount", pr)) per.yearly[""] = *m;
      }
      p.periods.push_back(std::move(per));
    }
  }
  checkNoOverlap(p.periods, path + "/periods", "period", pr);
  if (p.periods.empty() && !p.requires_local_rate) {
    pr.add(path + "/periods", "no rate periods; give at least one, or mark requires_local_rate");
  }

  if (auto arr = o->getArray("funding")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string fp = path + "/funding/" + std::to_string(i);
      auto fo = arr->getObject(static_cast<unsigned>(i));
      Funding f;
      auto from = parseTermOpt<Term>(fo, "from", fp, pr);
      if (!from) continue;
      f.from = *from;
      f.to = parseTermOpt<Term>(fo, "to", fp, pr);
      f.confidence = fo->optValue<std::string>("confidence", "");
      if (auto so = fo->getObject("shares")) {
        f.central = so->optValue<int>("central", 0);
        f.provincial = so->optValue<int>("provincial", 0);
        f.county = so->optValue<int>("county", 0);
      }
      const int sum = f.central + f.provincial + f.county;
      if (sum != 100)
        pr.add(fp + "/shares", "shares sum to " + std::to_string(sum) + "%, not 100%");
      p.funding.push_back(f);
    }
  }
  checkNoOverlap(p.funding, path + "/funding", "funding period", pr);
  for (size_t i = 0; i < p.periods.size(); ++i) {
    if (!p.fundingFor(p.periods[i].from)) {
      pr.add(path + "/periods/" + std::to_string(i),
             "no funding shares cover " + p.periods[i].from.str());
    }
  }
  if (!p.exclusive_group.empty() && p.exclusive_rank == 0) {
    pr.add(path + "/exclusive_rank", "required with exclusive_group (1 wins over 2)");
  }
  return p;
}

/// A policy file is small; a larger one is not a policy.
constexpr uint64_t kMaxPolicyBytes = 4 << 20;

/// Applies `extends` and `overrides`: the result is one self-contained document. `folder` is the
/// first file's folder: a base it extends is read from there only.
Object::Ptr resolve(const std::string& path, const std::string& folder, Problems& problems,
                    int depth) {
  if (depth > 8)
    throw Error(ErrorCode::kInvalidInput, path + ": `extends` nests too deeply (a cycle?)");
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
        problems.add("/overrides/" + code, "no inherited programme has this code");
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
        problems.add("/programmes/" + std::to_string(i), "redefines inherited programme `" +
                                                             p->getValue<std::string>("code") +
                                                             "`; use overrides");
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
        pr.add(std::string("/term_reference/") + season, "`" + v + "` is not a month-day");
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
        pr.add("/holidays/" + std::to_string(i) + "/date", "not a real date");
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
        pr.add("/category_tier/" + k, "unknown category");
        continue;
      }
      if (l) policy.category_tier[*c] = *l;
    }
  }
  if (auto rs = doc->getObject("roster_sources")) {
    for (const auto& k : rs->getNames()) {
      auto c = domain::parseCategory(k);
      if (!c) {
        pr.add("/roster_sources/" + k, "unknown category");
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
      if (!codes.insert(p.code).second) pr.add(path + "/code", "duplicate programme code");
      if (!p.exclusive_group.empty()) {
        auto [it, fresh] = ranks[p.exclusive_group].emplace(p.exclusive_rank, p.code);
        if (!fresh)
          pr.add(path + "/exclusive_rank",
                 "same rank as `" + it->second + "` in group " + p.exclusive_group);
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
  return build(parseJson(resolved_json, source_name), source_name);
}

std::vector<std::string> diffPolicies(const Policy& before, const Policy& after) {
  std::vector<std::string> out;
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
  for (const auto& [code, _] : a) {
    if (!b.count(code)) out.push_back("- programme " + code + " removed");
  }
  for (const auto& [code, po] : b) {
    auto it = a.find(code);
    if (it == a.end()) {
      out.push_back("+ programme " + code + " added");
      continue;
    }
    std::set<std::string> keys;
    for (const auto& k : po->getNames()) keys.insert(k);
    for (const auto& k : it->second->getNames()) keys.insert(k);
    for (const auto& k : keys) {
      const std::string x = programmeJson(it->second, k), y = programmeJson(po, k);
      if (x != y)
        out.push_back("~ " + code + "." + k + ": " + (x.empty() ? "(none)" : x) + " -> " +
                      (y.empty() ? "(none)" : y));
    }
  }
  const auto da = parseJson(before.resolved_json, before.name),
             db = parseJson(after.resolved_json, after.name);
  for (const char* key :
       {"term_reference", "category_tier", "roster_sources", "holidays", "identification"}) {
    if (programmeJson(da, key) != programmeJson(db, key))
      out.push_back(std::string("~ ") + key + " changed");
  }
  return out;
}

std::string_view code(Schedule s) {
  switch (s) {
    case Schedule::kPerTerm:
      return "per_term";
    case Schedule::kAutumn:
      return "autumn";
    case Schedule::kSpring:
      return "spring";
    case Schedule::kFirstAutumn:
      return "first_autumn";
  }
  return "?";
}
std::string_view code(Payee p) {
  switch (p) {
    case Payee::kStudentAccount:
      return "student_account";
    case Payee::kHouseholdOneCard:
      return "household_one_card";
    case Payee::kSchool:
      return "school";
  }
  return "?";
}
std::string_view code(PayingRegion r) {
  return r == PayingRegion::kSchoolCounty ? "school_county" : "hukou_county";
}

}  // namespace edupay::rules
