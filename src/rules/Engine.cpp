#include "rules/Engine.h"

#include <algorithm>
#include <map>

#include "common/CodeTable.h"

namespace edupay::rules {
namespace {

using domain::Category;
using domain::DifficultyLevel;

/// How the student's household categories stand on the reference date.
struct CategoryMatch {
  bool confirmed = false;  ///< on an official roster, or a category no roster covers
  bool claimed = false;    ///< claimed by the school only
  std::string fact;
};

CategoryMatch matchCategory(const Policy& policy, const StudentFacts& f, const CategoryRef& ref) {
  CategoryMatch m;
  if (ref.rural) {
    if (!f.rural_hukou) {
      m.fact = ref.str() + ": hukou type unknown";
      return m;
    }
    if (*f.rural_hukou != *ref.rural) {
      m.fact = ref.str() + ": hukou is " + (*f.rural_hukou ? "rural" : "urban");
      return m;
    }
  }
  const bool needs_roster = policy.roster_sources.count(ref.category) > 0;
  for (const auto& s : f.statuses) {
    if (s.category != ref.category) continue;
    if (s.source != "claimed") {
      m.confirmed = true;
      m.fact = ref.str() + " (" + s.source + " roster since " + s.valid_from + ")";
      return m;
    }
    if (!needs_roster) {
      m.confirmed = true;
      m.fact = ref.str() + " (claimed; no roster covers it)";
      return m;
    }
    m.claimed = true;
    m.fact = ref.str() + " (claimed by school " + s.source_ref + ", on no roster)";
  }
  if (!m.claimed && m.fact.empty()) m.fact = ref.str() + ": not held";
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
    std::string facts;
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
      std::string held;
      for (const auto& s : f.statuses)
        held += (held.empty() ? "" : ",") + std::string(domain::code(s.category));
      facts =
          "none of the required categories (household has: " + (held.empty() ? "none" : held) + ")";
    }
    trace.push_back({any == Outcome::kHold ? "roster" : "category", any == Outcome::kMet, facts});
    result = worst(result, any);
  }
  for (const auto& ref : spec.all_of) {
    const auto m = matchCategory(policy, f, ref);
    const Outcome o = m.confirmed ? Outcome::kMet : m.claimed ? Outcome::kHold : Outcome::kFail;
    trace.push_back({o == Outcome::kHold ? "roster" : "category", o == Outcome::kMet, m.fact});
    result = worst(result, o);
  }
  return result;
}

/// Marks a level taken from the roll's column in the reason trace; batch build flags it
/// (`level_not_identified`).
constexpr std::string_view kDeclaredNotIdentified =
    "declared by the school, not identified (学校填报，未经认定)";

/// The level the school's identification gives (资助对象认定), when one is in force and not
/// blocked by an objection; otherwise the level declared on the roll, unless the school filed an
/// identification for the year (then a student it did not identify has none).
DifficultyLevel assessedLevel(const StudentFacts& f) {
  if (f.identification)
    return f.identification->blocked ? DifficultyLevel::kNone : f.identification->level;
  if (f.school_identified) return DifficultyLevel::kNone;
  return f.difficulty.value_or(DifficultyLevel::kNone);
}

/// The level and how it was established, for the reason trace: "difficult, identified
/// (identification 12 from 2026-09-01; ...)" or "difficult, declared by the school, not
/// identified (学校填报，未经认定)".
std::string levelFact(const StudentFacts& f) {
  const std::string level(domain::code(assessedLevel(f)));
  if (f.identification) {
    return level + ", identified (identification " + std::to_string(f.identification->id) +
           " from " + f.identification->from +
           (f.identification->detail.empty() ? "" : "; " + f.identification->detail) + ")";
  }
  return level + ", " + std::string(kDeclaredNotIdentified);
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
    trace.push_back({"identification", false,
                     "an objection to identification " + std::to_string(f.identification->id) +
                         " is open (认定异议未处理)"});
    return Outcome::kHold;
  }
  if (confirmed != DifficultyLevel::kNone) {
    trace.push_back({"difficulty", true,
                     assessed != DifficultyLevel::kNone
                         ? "assessed " + levelFact(f)
                         : "household category implies " + std::string(domain::code(confirmed))});
    return Outcome::kMet;
  }
  if (tierOf(policy, f, true) != DifficultyLevel::kNone) {
    trace.push_back(
        {"roster", false, "family difficulty rests on a claimed category on no official roster"});
    return Outcome::kHold;
  }
  trace.push_back({"difficulty", false,
                   f.identification ? "assessed " + levelFact(f)
                   : f.school_identified
                       ? "not identified in the school's identification for this academic year"
                   : f.difficulty ? "assessed none"
                                  : "not assessed for this academic year"});
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
  auto add = [&](const char* code, bool ok, std::string fact) {
    trace.push_back({code, ok, std::move(fact)});
    if (!ok) out = Outcome::kFail;
  };
  if (c.boarding)
    add("boarding", f.boarding == *c.boarding, f.boarding ? "boarding" : "day student");
  if (c.agri_major)
    add("agri_major", f.agri_major == *c.agri_major,
        f.agri_major ? "agriculture major" : "not an agriculture major");
  if (c.rural_hukou) {
    add("rural_hukou", f.rural_hukou && *f.rural_hukou == *c.rural_hukou,
        f.rural_hukou ? (*f.rural_hukou ? "rural hukou" : "urban hukou") : "hukou type unknown");
  }
  if (c.min_grade)
    add("min_grade", f.grade >= *c.min_grade,
        "year " + std::to_string(f.grade) + " (needs " + std::to_string(*c.min_grade) + "+)");
  if (c.final_grade_of_stage) {
    const int last = domain::gradeRange(f.stage).max;
    add("final_grade", f.grade == last,
        "grade " + std::to_string(f.grade) + " of " + std::to_string(last));
  }
  if (c.nomination)
    add("nomination", f.nominations.count(p.code) > 0,
        f.nominations.count(p.code) ? "on the list" : "not nominated");
  if (!c.exclude_majors.empty()) {
    std::string which;
    const bool excluded = majorExcluded(f.major, c.exclude_majors, which);
    add("major", !excluded,
        excluded ? "major " + f.major + " is excluded (" + which + ")"
                 : (f.major.empty() ? "no major" : f.major));
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
    d.trace.push_back({"stage", false, std::string(domain::code(f.stage))});
    return d;
  }
  d.trace.reserve(10);
  auto problem = [&](const std::string& code, const std::string& message) {
    if (problems) problems->push_back({p.code, code, message});
  };
  auto notApplicable = [&](const char* code, const std::string& fact) {
    d.status = Status::kNotApplicable;
    d.trace.push_back({code, false, fact});
    return d;
  };

  if (!p.offersStage(f.stage))
    return notApplicable("stage",
                         std::string(domain::code(f.stage)) + " is not a stage of this programme");
  const Period* period = p.periodFor(term);
  if (!period) {
    if (p.requires_local_rate && p.periods.empty()) {
      problem("no_local_rate", "the policy sets no rate for " + p.code + " in " + term.str() +
                                   "; a provincial policy file must give it");
    }
    return notApplicable("rate", "no rate in force for " + term.str());
  }
  const bool autumn = term.season() == Term::Season::kAutumn;
  if ((p.schedule == Schedule::kAutumn || p.schedule == Schedule::kFirstAutumn) && !autumn) {
    return notApplicable("schedule", "paid once a year in the autumn term");
  }
  if (p.schedule == Schedule::kSpring && autumn)
    return notApplicable("schedule", "paid once a year in the spring term");

  d.trace.push_back({"stage", true, std::string(domain::code(f.stage))});
  Outcome out = Outcome::kMet;
  const GradeRange grades = period->grades.value_or(p.grades.value_or(GradeRange{}));
  if (p.grades || period->grades) {
    const bool ok = f.grade >= grades.min && f.grade <= grades.max;
    d.trace.push_back({"grade", ok,
                       std::to_string(f.grade) + " (programme: " + std::to_string(grades.min) +
                           "-" + std::to_string(grades.max) + ")"});
    if (!ok) out = Outcome::kFail;
  }
  if (p.schedule == Schedule::kFirstAutumn) {
    const bool fresh = f.enroll_date >= term.firstDay().addDays(-62) && f.grade == 1;
    d.trace.push_back({"freshman", fresh, "enrolled " + f.enroll_date.str()});
    if (!fresh) out = Outcome::kFail;
  }
  const auto& allowed =
      p.conditions.statuses.empty()
          ? std::vector<domain::EnrollmentStatus>{domain::EnrollmentStatus::kActive}
          : p.conditions.statuses;
  const bool status_ok = std::find(allowed.begin(), allowed.end(), f.status) != allowed.end();
  d.trace.push_back({"status", status_ok,
                     std::string(domain::code(f.status)) + " since " + f.enroll_date.str() +
                         (f.end_date ? ", ends " + f.end_date->str() : "")});
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
    d.trace.push_back(
        {best == Outcome::kHold ? "roster" : "any_of", best == Outcome::kMet,
         best == Outcome::kFail ? "none of the alternatives holds (" + facts + ")" : facts});
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
      d.trace.push_back({"rate", false,
                         "no " +
                             std::string(dim == Dimension::kTier ? "difficulty tier" : "value") +
                             " to look up the amount"});
      if (dim == Dimension::kHukou)
        problem("hukou_unknown", "hukou type unknown; the amount depends on it");
      d.status = Status::kExcluded;
      return d;
    }
    key += (key.empty() ? "" : "/") + v;
  }
  const auto rate = period->yearly.find(key);
  if (rate == period->yearly.end()) {
    problem("no_rate_key",
            "no amount for `" + key + "` in " + p.code + " from " + period->from.str());
    d.trace.push_back({"rate", false, "no amount for " + key});
    d.status = Status::kExcluded;
    return d;
  }
  const Money yearly = rate->second;
  const int64_t half = yearly.fen() / 2;
  d.amount = p.schedule != Schedule::kPerTerm ? yearly
                                              : Money::fromFen(autumn ? yearly.fen() - half : half);
  d.trace.push_back({"rate", true,
                     period->from.str() + (key.empty() ? "" : " " + key) + ": " + yearly.toYuan() +
                         "/yr -> " + d.amount.toYuan() + " this term" +
                         (period->confidence == "S" || period->confidence.empty()
                              ? ""
                              : " [" + period->confidence + ": confirm]")});

  // Payee, paying region and funding.
  if (p.payee == Payee::kSchool) {
    d.trace.push_back({"payee", true, "school " + f.school_code});
  } else if (const auto* a = pickAccount(f, p.payee)) {
    d.account_id = a->id;
    d.trace.push_back({"payee", true, std::string(domain::code(a->kind)) + " (" + a->owner + ")"});
  } else {
    d.trace.push_back({"payee", false,
                       p.payee == Payee::kHouseholdOneCard ? "no household one-card account on file"
                                                           : "no payee account on file"});
    out = Outcome::kHold;
    if (d.hold_reason.empty()) d.hold_reason = "no payee account on file";
  }
  d.paying_region =
      p.paying_region == PayingRegion::kSchoolCounty ? f.school_region : f.hukou_region;
  if (d.paying_region.empty()) {
    problem("no_paying_region", p.paying_region == PayingRegion::kHukouCounty
                                    ? "the household's hukou county is unknown"
                                    : "the school has no region");
    d.trace.push_back({"region", false, "unknown paying county"});
    d.status = Status::kExcluded;
    return d;
  }
  d.trace.push_back({"region", true,
                     std::string(p.paying_region == PayingRegion::kSchoolCounty ? "school county "
                                                                                : "hukou county ") +
                         d.paying_region});
  if (const Funding* fund = p.fundingFor(term)) {
    splitFunding(d.amount, *fund, d.central, d.provincial, d.county);
  } else {
    problem("no_funding", "no funding shares for " + p.code + " in " + term.str());
    d.status = Status::kExcluded;
    return d;
  }

  if (out == Outcome::kHold) {
    d.status = Status::kHeld;
    for (const auto& c : d.trace) {
      if (c.code == "roster" && d.hold_reason.empty())
        d.hold_reason = "claimed category not on the official roster";
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
  std::string s;
  for (const auto& c : trace) {
    if (!s.empty()) s += "; ";
    s += (c.ok ? "" : "!") + c.code + "=" + c.fact;
  }
  return s;
}

void splitFunding(Money amount, const Funding& f, Money& central, Money& provincial,
                  Money& county) {
  central = Money::fromFen(amount.fen() * f.central / 100);
  provincial = Money::fromFen(amount.fen() * f.provincial / 100);
  county = amount - central - provincial;
}

std::vector<Decision> evaluate(const Policy& policy, const Term& term, const StudentFacts& facts,
                               std::vector<EvaluationProblem>* problems, TraceMode mode) {
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
    out[i].trace.push_back({"exclusive", false,
                            "not with " + policy.programmes[w].code + " in one academic year (" +
                                p.exclusive_group + ")"});
    out[i].amount = out[i].central = out[i].provincial = out[i].county = Money();
    out[i].hold_reason.clear();
  }
  for (auto& d : out) {
    if (d.status == Status::kExcluded || d.status == Status::kNotApplicable) {
      d.amount = d.central = d.provincial = d.county = Money();
      d.account_id = 0;
    }
  }
  return out;
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
  };
  auto it = kLabels.find(code);
  if (it == kLabels.end()) return code;
  return chinese ? it->second.first : it->second.second;
}

}  // namespace edupay::rules
