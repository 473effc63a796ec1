#include "rules/Engine.h"

#include <concepts>

#include <algorithm>
#include <cstdio>
#include <map>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "common/Catalogue.h"
#include "common/CodeTable.h"
#include "security/FieldCipher.h"

namespace edupay::rules {
namespace {

using domain::Category;
using domain::DifficultyLevel;

/// A fact of the reason trace: its English text (stored in the reason) and its sentence.
struct Fact {
  std::string text;
  Message message;
};
/// Whether this thread's evaluation keeps each fact's sentence: `explain` does; the bulk run
/// stores the English reason only and skips building millions of sentences nobody reads.
thread_local bool t_sentences = true;

/// `args` builds the sentence's arguments, called only when the sentence is kept.
template <std::invocable Args>
Fact fact(std::string text, const char* code, Args args) {
  if (!t_sentences) return {std::move(text), Message()};
  return {std::move(text), msg(code, args())};
}
Fact fact(std::string text, const char* code) {
  if (!t_sentences) return {std::move(text), Message()};
  return {std::move(text), msg(code)};
}
Check check(std::string code, bool ok, Fact f) {
  return {std::move(code), ok, std::move(f.text), std::move(f.message)};
}

/// The Chinese word of a code a fact names, from the domain's code tables.
template <typename E>
std::string zhOf(E v) {
  return std::string(domain::chineseLabel(v));
}
MessageArg levelWords(std::string name, DifficultyLevel l) {
  return words(std::move(name), zhOf(l), std::string(domain::code(l)));
}
MessageArg stageWords(domain::Stage s) {
  return words("stage", std::string(domain::chineseLabel(s)), std::string(domain::code(s)));
}
/// A category reference (`dibao@rural`): 低保（农村户籍） / dibao@rural.
MessageArg categoryWords(const CategoryRef& ref) {
  std::string zh(domain::chineseLabel(ref.category));
  if (ref.rural) zh += *ref.rural ? "（农村户籍）" : "（城镇户籍）";
  return words("category", zh, ref.str());
}
/// The department whose roster reports a category.
MessageArg sourceWords(const std::string& source) {
  static const std::map<std::string, std::string> kZh = {
      {"poverty", "乡村振兴部门"},
      {"civil_affairs", "民政部门"},
      {"disabled", "残联"},
      {"orphan", "民政部门孤儿"},
  };
  auto it = kZh.find(source);
  return words("source", it == kZh.end() ? source : it->second, source);
}
/// `2026-autumn` / 2026年秋季学期.
MessageArg termWords(std::string name, const Term& t) {
  return words(std::move(name),
               std::to_string(t.year()) +
                   (t.season() == Term::Season::kAutumn ? "年秋季学期" : "年春季学期"),
               t.str());
}
MessageArg programmeWords(const Programme& p) {
  return words("programme", p.name_zh.empty() ? p.code : p.name_zh, p.code);
}
/// An amount table's key (`primary/difficult`) in words: 小学/困难.
MessageArg keyWords(const std::string& key) {
  static const std::map<std::string, std::string> kZh = {
      {"generally", "一般困难"}, {"difficult", "困难"}, {"especially", "特别困难"},
      {"boarding", "寄宿"},      {"day", "走读"},       {"rural", "农村户籍"},
      {"urban", "城镇户籍"},     {"in", "省内"},        {"out", "省外"},
  };
  std::string zh;
  size_t pos = 0;
  while (pos <= key.size()) {
    size_t end = key.find('/', pos);
    if (end == std::string::npos) end = key.size();
    const std::string part = key.substr(pos, end - pos);
    std::string w = part;
    if (auto it = kZh.find(part); it != kZh.end()) {
      w = it->second;
    } else if (auto st = domain::parseStage(part)) {
      w = std::string(domain::chineseLabel(*st));
    }
    zh += (zh.empty() ? "" : "/") + w;
    pos = end + 1;
  }
  return words("key", zh, key);
}
/// Facts joined in each language (`, ` and `，`).
MessageArg joinedWords(std::string name, const std::vector<Check>& checks) {
  MessageArg a{std::move(name), "", "", std::nullopt};
  for (const auto& c : checks) {
    const MessageArg one = arg("x", c.message);
    a.zh += (a.zh.empty() ? "" : "，") + one.zh;
    a.en += (a.en.empty() ? "" : ", ") + one.en;
  }
  return a;
}

/// How the student's household categories stand on the reference date.
struct CategoryMatch {
  bool confirmed = false;  ///< on an official roster, or a category no roster covers
  bool claimed = false;    ///< claimed by the school only
  Fact fact;
};

CategoryMatch matchCategory(const Policy& policy, const StudentFacts& f, const CategoryRef& ref) {
  CategoryMatch m;
  if (ref.rural) {
    if (!f.rural_hukou) {
      m.fact = fact(ref.str() + ": hukou type unknown", "rules.fact.category.hukou_unknown",
                    [&] { return std::vector<MessageArg>{categoryWords(ref)}; });
      return m;
    }
    if (*f.rural_hukou != *ref.rural) {
      m.fact = fact(ref.str() + ": hukou is " + (*f.rural_hukou ? "rural" : "urban"),
                    "rules.fact.category.hukou_mismatch", [&] {
                      return std::vector<MessageArg>{
                          categoryWords(ref), *f.rural_hukou ? words("hukou", "农村", "rural")
                                                             : words("hukou", "城镇", "urban")};
                    });
      return m;
    }
  }
  const bool needs_roster = policy.roster_sources.count(ref.category) > 0;
  for (const auto& s : f.statuses) {
    if (s.category != ref.category) continue;
    if (s.source != "claimed") {
      m.confirmed = true;
      m.fact = fact(ref.str() + " (" + s.source + " roster since " + s.valid_from + ")",
                    "rules.fact.category.roster", [&] {
                      return std::vector<MessageArg>{categoryWords(ref), sourceWords(s.source),
                                                     arg("since", s.valid_from)};
                    });
      return m;
    }
    if (!needs_roster) {
      m.confirmed = true;
      m.fact = fact(ref.str() + " (claimed; no roster covers it)",
                    "rules.fact.category.claimed_no_roster",
                    [&] { return std::vector<MessageArg>{categoryWords(ref)}; });
      return m;
    }
    m.claimed = true;
    m.fact = fact(ref.str() + " (claimed by school " + s.source_ref + ", on no roster)",
                  "rules.fact.category.claimed", [&] {
                    return std::vector<MessageArg>{categoryWords(ref), arg("school", s.source_ref)};
                  });
  }
  if (!m.claimed && m.fact.text.empty())
    m.fact = fact(ref.str() + ": not held", "rules.fact.category.not_held",
                  [&] { return std::vector<MessageArg>{categoryWords(ref)}; });
  return m;
}

/// The outcome of one requirement: met, met only on an unconfirmed claim (hold), or not met.
enum class Outcome { kMet, kHold, kFail };

Outcome worst(Outcome a, Outcome b) { return std::max(a, b); }

Outcome checkCategories(const Policy& policy, const StudentFacts& f, const CategorySpec& spec,
                        std::vector<Check>& trace) {
  Outcome result = Outcome::kMet;
  if (!spec.any_of.empty()) {
    Outcome any = Outcome::kFail;
    Fact facts;
    for (const auto& ref : spec.any_of) {
      const auto m = matchCategory(policy, f, ref);
      if (m.confirmed) {
        any = Outcome::kMet;
        facts = m.fact;
        break;
      }
      if (m.claimed) {
        any = Outcome::kHold;
        facts = m.fact;
      }
    }
    if (any == Outcome::kFail) {
      std::string held, held_zh;
      for (const auto& s : f.statuses) {
        held += (held.empty() ? "" : ",") + std::string(domain::code(s.category));
        held_zh += (held_zh.empty() ? "" : "、") + std::string(domain::chineseLabel(s.category));
      }
      facts = fact(
          "none of the required categories (household has: " + (held.empty() ? "none" : held) + ")",
          "rules.fact.category.none", [&] {
            return std::vector<MessageArg>{
                words("held", held_zh.empty() ? "无" : held_zh, held.empty() ? "none" : held)};
          });
    }
    trace.push_back(check(any == Outcome::kHold ? "roster" : "category", any == Outcome::kMet,
                          std::move(facts)));
    result = worst(result, any);
  }
  for (const auto& ref : spec.all_of) {
    const auto m = matchCategory(policy, f, ref);
    const Outcome o = m.confirmed ? Outcome::kMet : m.claimed ? Outcome::kHold : Outcome::kFail;
    trace.push_back(check(o == Outcome::kHold ? "roster" : "category", o == Outcome::kMet, m.fact));
    result = worst(result, o);
  }
  return result;
}

/// Marks a level taken from the roll's column in the reason trace; batch build flags it
/// (`level_not_identified`).
constexpr std::string_view kDeclaredNotIdentified = "declared by the school, not identified";

/// The level the school's identification gives (资助对象认定), when one is in force and not
/// blocked by an objection; otherwise the level declared on the roll, unless the school filed an
/// identification for the year (then a student it did not identify has none).
DifficultyLevel assessedLevel(const StudentFacts& f) {
  if (f.identification)
    return f.identification->blocked ? DifficultyLevel::kNone : f.identification->level;
  if (f.school_identified) return DifficultyLevel::kNone;
  return f.difficulty.value_or(DifficultyLevel::kNone);
}

/// The assessed level and how it was established, for the reason trace: "assessed difficult,
/// identified (identification 12 from 2026-09-01; ...)" or "assessed difficult, declared by the
/// school, not identified".
Fact assessedFact(const StudentFacts& f) {
  const auto l = assessedLevel(f);
  const std::string level(domain::code(l));
  if (f.identification) {
    const auto& i = *f.identification;
    auto args = [&] {
      std::vector<MessageArg> a{levelWords("level", l), arg("id", std::to_string(i.id)),
                                arg("from", i.from)};
      if (!i.detail.empty()) a.push_back(arg("detail", i.detail));
      return a;
    };
    return fact("assessed " + level + ", identified (identification " + std::to_string(i.id) +
                    " from " + i.from + (i.detail.empty() ? "" : "; " + i.detail) + ")",
                i.detail.empty() ? "rules.fact.difficulty.identified"
                                 : "rules.fact.difficulty.identified_detail",
                args);
  }
  return fact("assessed " + level + ", " + std::string(kDeclaredNotIdentified),
              "rules.fact.difficulty.declared",
              [&] { return std::vector<MessageArg>{levelWords("level", l)}; });
}

/// The difficulty tier: the school's assessment, raised by what the household's confirmed
/// categories imply (policy `category_tier`). `with_claims` also counts unconfirmed claims.
DifficultyLevel tierOf(const Policy& policy, const StudentFacts& f, bool with_claims) {
  DifficultyLevel t = assessedLevel(f);
  for (const auto& s : f.statuses) {
    const bool roster_needed = policy.roster_sources.count(s.category) > 0;
    if (s.source == "claimed" && roster_needed && !with_claims) continue;
    auto it = policy.category_tier.find(s.category);
    if (it != policy.category_tier.end()) t = std::max(t, it->second);
  }
  return t;
}

Outcome checkDifficulty(const Policy& policy, const StudentFacts& f, std::vector<Check>& trace) {
  const auto assessed = assessedLevel(f);
  const auto confirmed = tierOf(policy, f, false);
  if (f.identification && f.identification->blocked) {
    const std::string id = std::to_string(f.identification->id);
    trace.push_back(check("identification", false,
                          fact("an objection to identification " + id + " is open",
                               "rules.fact.identification.objection",
                               [&] { return std::vector<MessageArg>{arg("id", id)}; })));
    return Outcome::kHold;
  }
  if (confirmed != DifficultyLevel::kNone) {
    trace.push_back(
        check("difficulty", true,
              assessed != DifficultyLevel::kNone
                  ? assessedFact(f)
                  : fact("household category implies " + std::string(domain::code(confirmed)),
                         "rules.fact.difficulty.implied",
                         [&] { return std::vector<MessageArg>{levelWords("level", confirmed)}; })));
    return Outcome::kMet;
  }
  if (tierOf(policy, f, true) != DifficultyLevel::kNone) {
    trace.push_back(
        check("roster", false,
              fact("family difficulty rests on a claimed category on no official roster",
                   "rules.fact.roster.claim_only")));
    return Outcome::kHold;
  }
  trace.push_back(check(
      "difficulty", false,
      f.identification ? assessedFact(f)
      : f.school_identified
          ? fact("not identified in the school's identification for this academic year",
                 "rules.fact.difficulty.not_identified")
      : f.difficulty
          ? fact("assessed none", "rules.fact.difficulty.none")
          : fact("not assessed for this academic year", "rules.fact.difficulty.not_assessed")));
  return Outcome::kFail;
}

bool majorExcluded(const std::string& major, const std::vector<std::string>& list,
                   std::string& which) {
  for (const auto& m : list) {
    if (major.find(m) != std::string::npos) {
      which = m;
      return true;
    }
  }
  return false;
}

Outcome checkConditions(const Policy& policy, const StudentFacts& f, const Conditions& c,
                        const Programme& p, std::vector<Check>& trace) {
  Outcome out = Outcome::kMet;
  auto add = [&](const char* code, bool ok, Fact fact) {
    trace.push_back(check(code, ok, std::move(fact)));
    if (!ok) out = Outcome::kFail;
  };
  if (c.boarding)
    add("boarding", f.boarding == *c.boarding,
        f.boarding ? fact("boarding", "rules.fact.boarding")
                   : fact("day student", "rules.fact.day_student"));
  if (c.agri_major)
    add("agri_major", f.agri_major == *c.agri_major,
        f.agri_major ? fact("agriculture major", "rules.fact.agri_major")
                     : fact("not an agriculture major", "rules.fact.not_agri_major"));
  if (c.rural_hukou) {
    add("rural_hukou", f.rural_hukou && *f.rural_hukou == *c.rural_hukou,
        f.rural_hukou ? (*f.rural_hukou ? fact("rural hukou", "rules.fact.hukou.rural")
                                        : fact("urban hukou", "rules.fact.hukou.urban"))
                      : fact("hukou type unknown", "rules.fact.hukou.unknown"));
  }
  if (c.min_grade) {
    const std::string year = std::to_string(f.grade), min = std::to_string(*c.min_grade);
    add("min_grade", f.grade >= *c.min_grade,
        fact("year " + year + " (needs " + min + "+)", "rules.fact.min_grade", [&] {
          return std::vector<MessageArg>{arg("year", year), arg("min", min)};
        }));
  }
  if (c.final_grade_of_stage) {
    const int last = domain::gradeRange(f.stage).max;
    const std::string grade = std::to_string(f.grade), of = std::to_string(last);
    add("final_grade", f.grade == last,
        fact("grade " + grade + " of " + of, "rules.fact.final_grade", [&] {
          return std::vector<MessageArg>{arg("grade", grade), arg("last", of)};
        }));
  }
  if (c.nomination)
    add("nomination", f.nominations.count(p.code) > 0,
        f.nominations.count(p.code) ? fact("on the list", "rules.fact.nominated")
                                    : fact("not nominated", "rules.fact.not_nominated"));
  if (!c.exclude_majors.empty()) {
    std::string which;
    const bool excluded = majorExcluded(f.major, c.exclude_majors, which);
    add("major", !excluded,
        excluded
            ? fact("major " + f.major + " is excluded (" + which + ")", "rules.fact.major.excluded",
                   [&] {
                     return std::vector<MessageArg>{arg("major", f.major), arg("which", which)};
                   })
        : f.major.empty() ? fact("no major", "rules.fact.major.none")
                          : fact(f.major, "rules.fact.major",
                                 [&] { return std::vector<MessageArg>{arg("major", f.major)}; }));
  }
  if (c.needs_difficulty) out = worst(out, checkDifficulty(policy, f, trace));
  return out;
}

std::string dimensionValue(Dimension d, const StudentFacts& f, DifficultyLevel tier, bool& known) {
  known = true;
  switch (d) {
    case Dimension::kStage:
      return std::string(domain::code(f.stage));
    case Dimension::kTier:
      known = tier != DifficultyLevel::kNone;
      return std::string(domain::code(tier));
    case Dimension::kBoarding:
      return f.boarding ? "boarding" : "day";
    case Dimension::kHukou:
      known = f.rural_hukou.has_value();
      return f.rural_hukou.value_or(false) ? "rural" : "urban";
    case Dimension::kProvinceScope:
      known = f.hukou_region.size() >= 2 && f.school_region.size() >= 2;
      return f.hukou_region.substr(0, 2) == f.school_region.substr(0, 2) ? "in" : "out";
  }
  return "";
}

const StudentFacts::Account* pickAccount(const StudentFacts& f, Payee payee) {
  if (payee == Payee::kHouseholdOneCard) {
    for (const auto& a : f.accounts) {
      if (a.kind == domain::AccountKind::kOneCard) return &a;
    }
    return nullptr;
  }
  // A student-aid card first, then a social-security card, a passbook, and a one-card last.
  for (auto kind : {domain::AccountKind::kStudentCard, domain::AccountKind::kSocialSecurity,
                    domain::AccountKind::kPassbook, domain::AccountKind::kOneCard}) {
    for (const auto& a : f.accounts) {
      if (a.kind == kind) return &a;
    }
  }
  return nullptr;
}

Decision evaluateOne(const Policy& policy, const Term& term, const StudentFacts& f,
                     const Programme& p, std::vector<EvaluationProblem>* problems, TraceMode mode) {
  Decision d;
  d.programme = p.code;
  d.payee = p.payee;
  if (mode == TraceMode::kRun && !p.offersStage(f.stage)) {
    d.status = Status::kNotApplicable;
    d.trace.push_back(check("stage", false,
                            fact(std::string(domain::code(f.stage)), "rules.fact.stage",
                                 [&] { return std::vector<MessageArg>{stageWords(f.stage)}; })));
    return d;
  }
  d.trace.reserve(10);
  auto problem = [&](const std::string& code, Fact f) {
    if (problems) problems->push_back({p.code, code, std::move(f.text), std::move(f.message)});
  };
  auto notApplicable = [&](const char* code, Fact f) {
    d.status = Status::kNotApplicable;
    d.trace.push_back(check(code, false, std::move(f)));
    return std::move(d);
  };

  if (!p.offersStage(f.stage))
    return notApplicable(
        "stage", fact(std::string(domain::code(f.stage)) + " is not a stage of this programme",
                      "rules.fact.stage.not_offered",
                      [&] { return std::vector<MessageArg>{stageWords(f.stage)}; }));
  const Period* period = p.periodFor(term);
  if (!period) {
    if (p.requires_local_rate && p.periods.empty()) {
      problem("no_local_rate",
              fact("the policy sets no rate for " + p.code + " in " + term.str() +
                       "; a provincial policy file must give it",
                   "rules.problem.no_local_rate", [&] {
                     return std::vector<MessageArg>{programmeWords(p), termWords("term", term)};
                   }));
    }
    return notApplicable("rate",
                         fact("no rate in force for " + term.str(), "rules.fact.rate.none",
                              [&] { return std::vector<MessageArg>{termWords("term", term)}; }));
  }
  const bool autumn = term.season() == Term::Season::kAutumn;
  if ((p.schedule == Schedule::kAutumn || p.schedule == Schedule::kFirstAutumn) && !autumn) {
    return notApplicable("schedule",
                         fact("paid once a year in the autumn term", "rules.fact.schedule.autumn"));
  }
  if (p.schedule == Schedule::kSpring && autumn)
    return notApplicable("schedule",
                         fact("paid once a year in the spring term", "rules.fact.schedule.spring"));

  d.trace.push_back(check("stage", true,
                          fact(std::string(domain::code(f.stage)), "rules.fact.stage",
                               [&] { return std::vector<MessageArg>{stageWords(f.stage)}; })));
  Outcome out = Outcome::kMet;
  const GradeRange grades = period->grades.value_or(p.grades.value_or(GradeRange{}));
  if (p.grades || period->grades) {
    const bool ok = f.grade >= grades.min && f.grade <= grades.max;
    const std::string g = std::to_string(f.grade), lo = std::to_string(grades.min),
                      hi = std::to_string(grades.max);
    d.trace.push_back(
        check("grade", ok, fact(g + " (programme: " + lo + "-" + hi + ")", "rules.fact.grade", [&] {
                return std::vector<MessageArg>{arg("grade", g), arg("min", lo), arg("max", hi)};
              })));
    if (!ok) out = Outcome::kFail;
  }
  if (p.schedule == Schedule::kFirstAutumn) {
    const bool fresh = f.enroll_date >= term.firstDay().addDays(-62) && f.grade == 1;
    d.trace.push_back(check("freshman", fresh,
                            fact("enrolled " + f.enroll_date.str(), "rules.fact.freshman", [&] {
                              return std::vector<MessageArg>{arg("date", f.enroll_date.str())};
                            })));
    if (!fresh) out = Outcome::kFail;
  }
  const auto& allowed =
      p.conditions.statuses.empty()
          ? std::vector<domain::EnrollmentStatus>{domain::EnrollmentStatus::kActive}
          : p.conditions.statuses;
  const bool status_ok = std::find(allowed.begin(), allowed.end(), f.status) != allowed.end();
  {
    auto args = [&] {
      std::vector<MessageArg> a{
          words("status", zhOf(f.status), std::string(domain::code(f.status))),
          arg("since", f.enroll_date.str())};
      if (f.end_date) a.push_back(arg("ends", f.end_date->str()));
      return a;
    };
    d.trace.push_back(
        check("status", status_ok,
              fact(std::string(domain::code(f.status)) + " since " + f.enroll_date.str() +
                       (f.end_date ? ", ends " + f.end_date->str() : ""),
                   f.end_date ? "rules.fact.status.ends" : "rules.fact.status", args)));
  }
  if (!status_ok) out = Outcome::kFail;

  out = worst(out, checkConditions(policy, f, p.conditions, p, d.trace));
  if (!p.any_of.empty()) {
    Outcome best = Outcome::kFail;
    std::vector<Check> best_trace;
    for (const auto& alt : p.any_of) {
      std::vector<Check> t;
      const Outcome o = checkConditions(policy, f, alt, p, t);
      if (o < best || best_trace.empty()) {
        best = o;
        best_trace = t;
      }
      if (o == Outcome::kMet) break;
    }
    std::string facts;
    for (const auto& c : best_trace) facts += (facts.empty() ? "" : ", ") + c.fact;
    d.trace.push_back(check(
        best == Outcome::kHold ? "roster" : "any_of", best == Outcome::kMet,
        best == Outcome::kFail
            ? fact("none of the alternatives holds (" + facts + ")", "rules.fact.any_of.none",
                   [&] { return std::vector<MessageArg>{joinedWords("facts", best_trace)}; })
            : fact(facts, "rules.fact.any_of",
                   [&] { return std::vector<MessageArg>{joinedWords("facts", best_trace)}; })));
    out = worst(out, best);
  }
  const CategorySpec& cats = period->categories ? *period->categories : p.categories;
  if (!cats.empty()) out = worst(out, checkCategories(policy, f, cats, d.trace));

  if (out == Outcome::kFail) {
    d.status = Status::kExcluded;
    return d;
  }

  // Amount for this term.
  const DifficultyLevel tier = tierOf(policy, f, out == Outcome::kHold);
  std::string key;
  for (auto dim : p.amount_by) {
    bool known = true;
    const std::string v = dimensionValue(dim, f, tier, known);
    if (!known) {
      d.trace.push_back(
          check("rate", false,
                dim == Dimension::kTier
                    ? fact("no difficulty tier to look up the amount", "rules.fact.rate.no_tier")
                    : fact("no value to look up the amount", "rules.fact.rate.no_value")));
      if (dim == Dimension::kHukou)
        problem("hukou_unknown", fact("hukou type unknown; the amount depends on it",
                                      "rules.problem.hukou_unknown"));
      d.status = Status::kExcluded;
      return d;
    }
    key += (key.empty() ? "" : "/") + v;
  }
  const auto rate = period->yearly.find(key);
  if (rate == period->yearly.end()) {
    problem("no_rate_key",
            fact("no amount for `" + key + "` in " + p.code + " from " + period->from.str(),
                 "rules.problem.no_rate_key", [&] {
                   return std::vector<MessageArg>{keyWords(key), programmeWords(p),
                                                  termWords("from", period->from)};
                 }));
    d.trace.push_back(check("rate", false,
                            fact("no amount for " + key, "rules.fact.rate.no_key",
                                 [&] { return std::vector<MessageArg>{keyWords(key)}; })));
    d.status = Status::kExcluded;
    return d;
  }
  const Money yearly = rate->second;
  const int64_t half = yearly.fen() / 2;
  d.amount = p.schedule != Schedule::kPerTerm ? yearly
                                              : Money::fromFen(autumn ? yearly.fen() - half : half);
  {
    const bool sure = period->confidence == "S" || period->confidence.empty();
    auto args = [&] {
      std::vector<MessageArg> a{termWords("from", period->from), arg("yearly", yearly.toYuan()),
                                arg("amount", d.amount.toYuan())};
      if (!key.empty()) a.push_back(keyWords(key));
      if (!sure) a.push_back(arg("confidence", period->confidence));
      return a;
    };
    d.trace.push_back(check(
        "rate", true,
        fact(period->from.str() + (key.empty() ? "" : " " + key) + ": " + yearly.toYuan() +
                 "/yr -> " + d.amount.toYuan() + " this term" +
                 (sure ? "" : " [" + period->confidence + ": confirm]"),
             key.empty() ? (sure ? "rules.fact.rate" : "rules.fact.rate.unconfirmed")
                         : (sure ? "rules.fact.rate.keyed" : "rules.fact.rate.keyed.unconfirmed"),
             args)));
  }

  // Payee, paying region and funding.
  if (p.payee == Payee::kSchool) {
    d.trace.push_back(
        check("payee", true, fact("school " + f.school_code, "rules.fact.payee.school", [&] {
                return std::vector<MessageArg>{arg("school", f.school_code)};
              })));
  } else if (const auto* a = pickAccount(f, p.payee)) {
    d.account_id = a->id;
    d.trace.push_back(
        check("payee", true,
              fact(std::string(domain::code(a->kind)) + " (" + a->owner + ")",
                   "rules.fact.payee.account", [&] {
                     return std::vector<MessageArg>{
                         words("kind", zhOf(a->kind), std::string(domain::code(a->kind))),
                         words("owner",
                               a->owner == "guardian"  ? "监护人"
                               : a->owner == "student" ? "学生本人"
                                                       : a->owner,
                               a->owner)};
                   })));
  } else {
    d.trace.push_back(
        check("payee", false,
              p.payee == Payee::kHouseholdOneCard
                  ? fact("no household one-card account on file", "rules.fact.payee.no_one_card")
                  : fact("no payee account on file", "rules.fact.payee.none")));
    out = Outcome::kHold;
    if (d.hold_reason.empty()) {
      d.hold_reason = "no payee account on file";
      d.hold_message = msg("rules.fact.payee.none");
    }
  }
  d.paying_region =
      p.paying_region == PayingRegion::kSchoolCounty ? f.school_region : f.hukou_region;
  if (d.paying_region.empty()) {
    problem("no_paying_region",
            p.paying_region == PayingRegion::kHukouCounty
                ? fact("the household's hukou county is unknown", "rules.problem.no_hukou_county")
                : fact("the school has no region", "rules.problem.no_school_region"));
    d.trace.push_back(
        check("region", false, fact("unknown paying county", "rules.fact.region.unknown")));
    d.status = Status::kExcluded;
    return d;
  }
  d.trace.push_back(
      check("region", true,
            p.paying_region == PayingRegion::kSchoolCounty
                ? fact("school county " + d.paying_region, "rules.fact.region.school",
                       [&] { return std::vector<MessageArg>{arg("region", d.paying_region)}; })
                : fact("hukou county " + d.paying_region, "rules.fact.region.hukou",
                       [&] { return std::vector<MessageArg>{arg("region", d.paying_region)}; })));
  if (const Funding* fund = p.fundingFor(term)) {
    splitFunding(d.amount, *fund, d.central, d.provincial, d.county);
  } else {
    problem("no_funding",
            fact("no funding shares for " + p.code + " in " + term.str(),
                 "rules.problem.no_funding", [&] {
                   return std::vector<MessageArg>{programmeWords(p), termWords("term", term)};
                 }));
    d.status = Status::kExcluded;
    return d;
  }

  if (out == Outcome::kHold) {
    d.status = Status::kHeld;
    for (const auto& c : d.trace) {
      if (c.code == "roster" && d.hold_reason.empty()) {
        d.hold_reason = "claimed category not on the official roster";
        d.hold_message = msg("rules.hold.claimed");
      }
    }
  } else {
    d.status = Status::kEligible;
  }
  return d;
}

}  // namespace

namespace {
constexpr std::array<CodeName<Status>, 4> kStatuses{{{Status::kEligible, "eligible"},
                                                     {Status::kHeld, "held"},
                                                     {Status::kExcluded, "excluded"},
                                                     {Status::kNotApplicable, "not_applicable"}}};
}  // namespace

std::string_view code(Status s) { return codeIn(kStatuses, s); }

std::string Decision::reason() const {
  size_t n = 0;
  for (const auto& c : trace) n += c.code.size() + c.fact.size() + 4;
  std::string s;
  s.reserve(n);
  for (const auto& c : trace) {
    if (!s.empty()) s += "; ";
    if (!c.ok) s += '!';
    s += c.code;
    s += '=';
    s += c.fact;
  }
  return s;
}

std::string Decision::storedTrace() const { return rules::storedTrace(trace); }

namespace {

/// One check of a stored trace: `{"check":…,"message":…,"ok":…}`.
std::string storedCheck(const Check& c) {
  // Check codes are the engine's own identifiers ([a-z_]): nothing in them needs escaping.
  return "{\"check\":\"" + c.code + "\",\"message\":" + storedForm(c.message) +
         ",\"ok\":" + (c.ok ? "true" : "false") + "}";
}

}  // namespace

const TraceSentences::Kept& TraceSentences::of(const StudentFacts& facts, const Decision& d,
                                               const std::string& reason) {
  (void)reason;  // the trace's checks are the reason line's parts
  direct_ = Kept();
  // A decision made with its sentences (not by the engine's bulk path) carries them already.
  if (std::string kept = d.storedTrace(); !kept.empty()) {
    direct_.sha256 = security::sha256Hex(kept);
    direct_.json = std::move(kept);
    return direct_;
  }
  if (d.trace.empty()) return direct_;
  const auto keyOf = [&](const Check& c) -> const std::string& {
    key_.assign(c.code);
    key_ += c.ok ? "\x1f"
                   "1"
                   "\x1f"
                 : "\x1f"
                   "0"
                   "\x1f";
    key_ += c.fact;
    return key_;
  };
  pieces_.clear();
  bool missing = false;
  for (const auto& c : d.trace) {
    const auto it = checks_.find(keyOf(c));
    if (it == checks_.end()) {
      missing = true;
      break;
    }
    pieces_.push_back(&it->second);
  }
  if (missing) {
    if (explained_person_ != facts.person_id || facts.person_id == 0) {
      explained_ = evaluate(policy_, term_, facts, nullptr, TraceMode::kExplain);
      explained_person_ = facts.person_id;
    }
    const Decision* e = nullptr;
    for (const auto& x : explained_)
      if (x.programme == d.programme) e = &x;
    // The explanation must say what the run said, check for check.
    if (!e || e->trace.size() != d.trace.size()) return direct_;
    for (size_t i = 0; i < d.trace.size(); ++i) {
      const Check& a = d.trace[i];
      const Check& b = e->trace[i];
      if (a.code != b.code || a.ok != b.ok || a.fact != b.fact || b.message.empty()) return direct_;
    }
    if (checks_.size() >= 100000) {  // bounded: a few tens of MB
      checks_.clear();
      joined_.clear();  // it names checks_' entries
    }
    pieces_.clear();
    for (size_t i = 0; i < d.trace.size(); ++i) {
      auto [it, fresh] = checks_.try_emplace(keyOf(d.trace[i]));
      if (fresh) it->second = storedCheck(e->trace[i]);
    }
    for (const auto& c : d.trace) pieces_.push_back(&checks_.find(keyOf(c))->second);
  }
  key_.assign(reinterpret_cast<const char*>(pieces_.data()),
              pieces_.size() * sizeof(const std::string*));
  auto [it, fresh] = joined_.try_emplace(key_);
  if (!fresh) return it->second;
  if (joined_.size() >= 100000) {  // bounded, like checks_
    joined_.clear();
    it = joined_.try_emplace(key_).first;
  }
  Kept& kept = it->second;
  size_t n = 2;
  for (const auto* p : pieces_) n += p->size() + 1;
  kept.json.reserve(n);
  kept.json = "[";
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (i) kept.json += ',';
    kept.json += *pieces_[i];
  }
  kept.json += ']';
  kept.sha256 = security::sha256Hex(kept.json);
  return kept;
}

std::string storedTrace(const std::vector<Check>& trace) {
  if (trace.empty()) return "";
  std::string s = "[";
  for (const auto& c : trace) {
    if (c.message.empty()) return "";
    if (s.size() > 1) s += ',';
    s += storedCheck(c);
  }
  return s + "]";
}

namespace {

/// The checks of a reason line (`code=fact; !code=fact`), each fact a literal of its text.
std::vector<Check> checksOfLine(const std::string& reason) {
  std::vector<Check> out;
  size_t pos = 0;
  while (pos < reason.size()) {
    size_t end = reason.find("; ", pos);
    if (end == std::string::npos) end = reason.size();
    std::string part = reason.substr(pos, end - pos);
    pos = end + 2;
    Check c;
    c.ok = part.empty() || part.front() != '!';
    if (!c.ok) part.erase(0, 1);
    const auto eq = part.find('=');
    if (eq == std::string::npos) continue;
    c.code = part.substr(0, eq);
    c.fact = part.substr(eq + 1);
    c.message = Message::literal(c.fact);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<Check> storedChecks(const std::string& reason, const std::string& stored_trace) {
  std::vector<Check> line = checksOfLine(reason);
  if (stored_trace.empty()) return line;
  std::vector<Check> out;
  try {
    const auto list = Poco::JSON::Parser().parse(stored_trace).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) {
      const auto o = list->getObject(static_cast<unsigned>(i));
      if (!o) continue;
      Check c;
      c.code = o->optValue<std::string>("check", "");
      c.ok = o->optValue<bool>("ok", true);
      if (const auto m = o->getObject("message")) {
        std::ostringstream text;
        m->stringify(text);
        c.message = fromStoredForm(text.str());
      }
      out.push_back(std::move(c));
    }
  } catch (const Poco::Exception&) {
    return line;  // not a stored trace
  }
  for (size_t i = 0; i < out.size(); ++i) {
    auto& c = out[i];
    if (!c.message.empty() && i18n::renders(c.message)) {
      c.fact = i18n::render(c.message, Lang::kEn);
    } else {
      // Kept by a release whose sentence took other arguments: the line's English fact.
      c.fact = i < line.size() && line[i].code == c.code ? line[i].fact : std::string();
      c.message = Message::literal(c.fact);
    }
  }
  return out;
}

void splitFunding(Money amount, const Funding& f, Money& central, Money& provincial,
                  Money& county) {
  central = Money::fromFen(amount.fen() * f.central / 100);
  provincial = Money::fromFen(amount.fen() * f.provincial / 100);
  county = amount - central - provincial;
}

std::vector<Decision> evaluate(const Policy& policy, const Term& term, const StudentFacts& facts,
                               std::vector<EvaluationProblem>* problems, TraceMode mode) {
  struct Sentences {
    explicit Sentences(bool keep) : was(t_sentences) { t_sentences = keep; }
    ~Sentences() { t_sentences = was; }
    bool was;
  } sentences(mode == TraceMode::kExplain);
  std::vector<Decision> out;
  out.reserve(policy.programmes.size());
  for (const auto& p : policy.programmes)
    out.push_back(evaluateOne(policy, term, facts, p, problems, mode));

  // Exclusivity: in each group only the best-ranked eligible or held programme stands.
  std::map<std::string, std::pair<int, size_t>> winner;  // group -> (rank, index)
  for (size_t i = 0; i < out.size(); ++i) {
    const Programme& p = policy.programmes[i];
    if (p.exclusive_group.empty() ||
        (out[i].status != Status::kEligible && out[i].status != Status::kHeld))
      continue;
    auto it = winner.find(p.exclusive_group);
    if (it == winner.end() || p.exclusive_rank < it->second.first)
      winner[p.exclusive_group] = {p.exclusive_rank, i};
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const Programme& p = policy.programmes[i];
    if (p.exclusive_group.empty() ||
        (out[i].status != Status::kEligible && out[i].status != Status::kHeld))
      continue;
    const size_t w = winner.at(p.exclusive_group).second;
    if (w == i) continue;
    out[i].status = Status::kExcluded;
    out[i].trace.push_back(
        check("exclusive", false,
              fact("not with " + policy.programmes[w].code + " in one academic year (" +
                       p.exclusive_group + ")",
                   "rules.fact.exclusive", [&] {
                     return std::vector<MessageArg>{
                         words("other",
                               policy.programmes[w].name_zh.empty() ? policy.programmes[w].code
                                                                    : policy.programmes[w].name_zh,
                               policy.programmes[w].code),
                         // The group's code is for the policy's author.
                         words("group", "同组项目每学年限享一项", p.exclusive_group)};
                   })));
    out[i].amount = out[i].central = out[i].provincial = out[i].county = Money();
    out[i].hold_reason.clear();
    out[i].hold_message = Message();
  }
  for (auto& d : out) {
    if (d.status == Status::kExcluded || d.status == Status::kNotApplicable) {
      d.amount = d.central = d.provincial = d.county = Money();
      d.account_id = 0;
    }
  }
  return out;
}

std::optional<Message> holdMessageOf(const std::string& hold_reason) {
  if (hold_reason == "no payee account on file") return msg("rules.fact.payee.none");
  if (hold_reason == "claimed category not on the official roster")
    return msg("rules.hold.claimed");
  // Written by identify::recordSpotCheck: `identification N revoked: false information found by
  // spot check M (认定信息虚假，已撤销)`.
  unsigned long long id = 0, spot = 0;
  int end = 0;
  if (std::sscanf(hold_reason.c_str(),
                  "identification %llu revoked: false information found by spot check %llu%n", &id,
                  &spot, &end) == 2 &&
      end > 0) {
    return msg("rules.hold.revoked",
               {arg("id", std::to_string(id)), arg("check", std::to_string(spot))});
  }
  return std::nullopt;
}

std::string checkLabel(const std::string& code, bool chinese) {
  static const std::map<std::string, std::pair<const char*, const char*>> kLabels = {
      {"stage", {"学段", "stage"}},
      {"rate", {"资助标准", "rate"}},
      {"schedule", {"发放时间", "schedule"}},
      {"grade", {"年级", "grade"}},
      {"freshman", {"新生", "freshman"}},
      {"status", {"学籍状态", "enrollment status"}},
      {"boarding", {"寄宿", "boarding"}},
      {"agri_major", {"涉农专业", "agriculture major"}},
      {"rural_hukou", {"农村户籍", "rural hukou"}},
      {"min_grade", {"最低年级", "minimum year"}},
      {"final_grade", {"最后一年", "final year"}},
      {"nomination", {"评审名单", "nomination list"}},
      {"major", {"专业", "major"}},
      {"difficulty", {"家庭经济困难", "family difficulty"}},
      {"identification", {"困难认定", "identification"}},
      {"category", {"困难类别", "difficulty category"}},
      {"roster", {"部门名单核对", "official roster"}},
      {"any_of", {"条件之一", "one of the conditions"}},
      {"payee", {"收款账户", "payee"}},
      {"region", {"发放地", "paying county"}},
      {"exclusive", {"不得兼得", "exclusivity"}},
      {"merged", {"记录合并", "merged records"}},
  };
  auto it = kLabels.find(code);
  if (it == kLabels.end()) return code;
  return chinese ? it->second.first : it->second.second;
}

}  // namespace edupay::rules
