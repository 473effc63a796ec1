// Reading one programme of a policy document: its terms, amounts, conditions and funding.
#include <Poco/JSON/Array.h>

#include <algorithm>
#include <set>

#include "common/Text.h"
#include "rules/PolicyParts.h"

namespace edupay::rules::detail {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

/// `2026-autumn` / 2026年秋季学期.
MessageArg termWords(std::string name, const Term& t) {
  return words(std::move(name),
               std::to_string(t.year()) +
                   (t.season() == Term::Season::kAutumn ? "年秋季学期" : "年春季学期"),
               t.str());
}

template <typename T>
std::optional<T> parseTermOpt(const Object::Ptr& o, const std::string& key, const std::string& path,
                              Problems& pr) {
  if (!o->has(key)) return std::nullopt;
  try {
    return Term::parse(o->getValue<std::string>(key));
  } catch (const std::exception& e) {
    pr.add(path + "/" + key, e);
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
    pr.add(path, msg("rules.policy.amount_not_number"));
  } catch (const Error& e) {
    pr.add(path, e.message());
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
               msg("rules.policy.unknown_category_ref",
                   {arg("value", s), arg("known", domain::categoryCodes())}));
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
    pr.add(path, msg("rules.policy.grades",
                     {arg("min", std::to_string(g.min)), arg("max", std::to_string(g.max))}));
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
        pr.add(path + "/statuses/" + std::to_string(i), msg("rules.policy.unknown_status"));
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
void checkNoOverlap(const std::vector<T>& items, const std::string& path, const MessageArg& what,
                    Problems& pr) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].to && *items[i].to < items[i].from) {
      pr.add(path + "/" + std::to_string(i),
             msg("rules.policy.ends_before",
                 {what, termWords("to", *items[i].to), termWords("from", items[i].from)}));
    }
    for (size_t j = i + 1; j < items.size(); ++j) {
      const auto& a = items[i];
      const auto& b = items[j];
      const bool disjoint = (a.to && *a.to < b.from) || (b.to && *b.to < a.from);
      if (!disjoint) {
        pr.add(path + "/" + std::to_string(j),
               msg("rules.policy.overlaps",
                   {what, termWords("from", b.from), arg("index", std::to_string(i)),
                    termWords("other_from", a.from),
                    a.to ? termWords("other_to", *a.to) : words("other_to", "不限", "open")}));
      }
    }
  }
}

/// A period's yearly amount: one figure, or with `amount_by` a table with one figure per key of
/// `keys` (and no other key).
void readAmounts(const Var& amount, const std::vector<Dimension>& amount_by,
                 const std::vector<std::string>& keys, const std::string& at, Problems& pr,
                 std::map<std::string, Money>& yearly) {
  if (amount.type() != typeid(Object::Ptr)) {
    if (!amount_by.empty()) pr.add(at, msg("rules.policy.amount_needs_table"));
    if (auto m = yuanOf(amount, at, pr)) yearly[""] = *m;
    return;
  }
  if (amount_by.empty()) {
    pr.add(at, msg("rules.policy.table_needs_amount_by"));
    return;
  }
  auto ao = amount.extract<Object::Ptr>();
  for (const auto& k : ao->getNames()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string expected;
      for (size_t n = 0; n < keys.size() && n < 8; ++n) expected += (n ? ", " : "") + keys[n];
      if (keys.size() > 8) expected += ", ...";
      pr.add(at + "/" + k, msg("rules.policy.unexpected_key", {arg("expected", expected)}));
      continue;
    }
    if (auto m = yuanOf(ao->get(k), at + "/" + k, pr)) yearly[k] = *m;
  }
  for (const auto& k : keys) {
    if (!yearly.count(k) && !k.empty()) pr.add(at, msg("rules.policy.no_amount", {arg("key", k)}));
  }
}

/// Reads the array `key` of `o` (rate periods, funding periods): each element's from, to and
/// confidence, then `fill(element, object, path)` for the rest. An element without a valid
/// `from` is reported and skipped.
template <typename Span, typename Fill>
void parseSpans(const Object::Ptr& o, const char* key, const std::string& path, Problems& pr,
                std::vector<Span>& out, Fill&& fill) {
  auto arr = o->getArray(key);
  if (!arr) return;
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string ep = path + "/" + key + "/" + std::to_string(i);
    auto eo = arr->getObject(static_cast<unsigned>(i));
    Span span;
    auto from = parseTermOpt<Term>(eo, "from", ep, pr);
    if (!from) continue;
    span.from = *from;
    span.to = parseTermOpt<Term>(eo, "to", ep, pr);
    span.confidence = eo->optValue<std::string>("confidence", "");
    fill(span, eo, ep);
    out.push_back(std::move(span));
  }
}

}  // namespace

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
  parseSpans(o, "periods", path, pr, p.periods,
             [&](Period& per, const Object::Ptr& po, const std::string& pp) {
               per.note = po->optValue<std::string>("note", "");
               if (auto g = po->getObject("grades"))
                 per.grades = parseGrades(g, pp + "/grades", pr);
               if (auto c = po->getObject("categories"))
                 per.categories = parseCategories(c, pp + "/categories", pr);
               readAmounts(po->get("amount"), p.amount_by, keys, pp + "/amount", pr, per.yearly);
             });
  checkNoOverlap(p.periods, path + "/periods", words("what", "资助标准期间", "period"), pr);
  if (p.periods.empty() && !p.requires_local_rate) {
    pr.add(path + "/periods", msg("rules.policy.no_periods"));
  }

  parseSpans(o, "funding", path, pr, p.funding,
             [&](Funding& f, const Object::Ptr& fo, const std::string& fp) {
               if (auto so = fo->getObject("shares")) {
                 f.central = so->optValue<int>("central", 0);
                 f.provincial = so->optValue<int>("provincial", 0);
                 f.county = so->optValue<int>("county", 0);
               }
               const int sum = f.central + f.provincial + f.county;
               if (sum != 100)
                 pr.add(fp + "/shares",
                        msg("rules.policy.shares", {arg("sum", std::to_string(sum))}));
             });
  checkNoOverlap(p.funding, path + "/funding", words("what", "经费分担期间", "funding period"), pr);
  for (size_t i = 0; i < p.periods.size(); ++i) {
    if (!p.fundingFor(p.periods[i].from)) {
      pr.add(path + "/periods/" + std::to_string(i),
             msg("rules.policy.no_funding_cover", {termWords("from", p.periods[i].from)}));
    }
  }
  if (!p.exclusive_group.empty() && p.exclusive_rank == 0) {
    pr.add(path + "/exclusive_rank", msg("rules.policy.rank_required"));
  }
  return p;
}

}  // namespace edupay::rules::detail
