#include "identify/Identification.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>
#include <set>

#include "common/Catalogue.h"
#include "common/CodeTable.h"
#include "common/Error.h"
#include "common/Text.h"

namespace edupay::identify {
namespace {

using Poco::JSON::Object;

/// A problem of the policy's `identification` object at `path` (under /identification).
Error bad(const std::string& source, const std::string& path, const Message& what) {
  return Error(
      ErrorCode::kInvalidInput,
      msg("ident.policy.bad",
          {arg("source", source), arg("path", "/identification" + path), arg("problem", what)}));
}

std::optional<Level> parseTier(const std::string& s) {
  if (s == "generally") return Level::kGenerally;
  if (s == "difficult") return Level::kDifficult;
  if (s == "especially") return Level::kEspecially;
  return std::nullopt;
}

}  // namespace

const Indicator* IdentificationPolicy::indicator(const std::string& code) const {
  for (const auto& i : indicators)
    if (i.code == code) return &i;
  return nullptr;
}

int IdentificationPolicy::unconfirmed() const {
  int n = tiers_confidence == "S" ? 0 : 1;
  for (const auto& i : indicators) n += i.confidence != "S";
  return n;
}

IdentificationPolicy identificationPolicy(const rules::Policy& policy) {
  return parseIdentificationPolicy(policy.resolved_json, policy.name);
}

IdentificationPolicy parseIdentificationPolicy(const std::string& resolved_json,
                                               const std::string& source_name) {
  Object::Ptr doc;
  try {
    doc = Poco::JSON::Parser().parse(resolved_json).extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw Error(
        ErrorCode::kInvalidInput,
        msg("ident.policy.not_json", {arg("source", source_name), arg("detail", e.displayText())}));
  }
  auto id = doc->getObject("identification");
  if (!id) {
    throw bad(source_name, "", msg("ident.policy.no_object"));
  }
  IdentificationPolicy p;
  p.source = id->optValue<std::string>("source", "");
  p.confidence = id->optValue<std::string>("confidence", "W");
  if (auto sg = id->getObject("special_groups")) {
    for (const auto& k : sg->getNames()) {
      const auto c = domain::parseCategory(k);
      const auto l = parseTier(sg->getValue<std::string>(k));
      if (!c || !l)
        throw bad(source_name, "/special_groups/" + k, msg("ident.policy.unknown_group"));
      p.special_groups[*c] = *l;
    }
  }
  std::set<std::string> seen;
  if (auto arr = id->getArray("indicators")) {
    for (size_t i = 0; i < arr->size(); ++i) {
      auto o = arr->getObject(static_cast<unsigned>(i));
      if (!o)
        throw bad(source_name, "/indicators/" + std::to_string(i), msg("ident.policy.not_object"));
      Indicator ind;
      ind.code = o->optValue<std::string>("code", "");
      ind.name_zh = o->optValue<std::string>("name_zh", "");
      ind.name_en = o->optValue<std::string>("name_en", "");
      ind.points = o->optValue<int>("points", 0);
      ind.confidence = o->optValue<std::string>("confidence", p.confidence);
      if (ind.code.empty() || ind.points <= 0)
        throw bad(source_name, "/indicators/" + std::to_string(i),
                  msg("ident.policy.indicator_needs"));
      if (!seen.insert(ind.code).second)
        throw bad(source_name, "/indicators/" + std::to_string(i),
                  msg("ident.policy.indicator_twice", {arg("code", ind.code)}));
      p.indicators.push_back(std::move(ind));
    }
  }
  if (p.indicators.empty())
    throw bad(source_name, "/indicators", msg("ident.policy.no_indicators"));
  p.max_score = id->optValue<int>("max_score", 100);
  auto tiers = id->getObject("tiers");
  if (!tiers) throw bad(source_name, "/tiers", msg("ident.policy.missing"));
  p.generally = tiers->optValue<int>("generally", p.generally);
  p.difficult = tiers->optValue<int>("difficult", p.difficult);
  p.especially = tiers->optValue<int>("especially", p.especially);
  if (!(p.generally < p.difficult && p.difficult < p.especially))
    throw bad(source_name, "/tiers", msg("ident.policy.tiers_order"));
  if (p.especially > p.max_score)
    throw bad(source_name, "/tiers/especially",
              msg("ident.policy.tier_above", {arg("threshold", std::to_string(p.especially)),
                                              arg("max", std::to_string(p.max_score))}));
  p.tiers_confidence = id->optValue<std::string>("tiers_confidence", p.confidence);
  p.notice_working_days = id->optValue<int>("notice_working_days", 5);
  if (p.notice_working_days < 5)
    throw bad(source_name, "/notice_working_days", msg("ident.policy.notice_days"));
  p.spot_check_percent = id->optValue<int>("spot_check_percent", 10);
  if (p.spot_check_percent < 1 || p.spot_check_percent > 100)
    throw bad(source_name, "/spot_check_percent", msg("ident.policy.spot_percent"));
  return p;
}

std::optional<SpecialGroup> specialGroup(const IdentificationPolicy& policy,
                                         const std::vector<RosterStatus>& statuses,
                                         const Date& on) {
  std::optional<SpecialGroup> best;
  const std::string d = on.str();
  for (const auto& s : statuses) {
    if (s.source.empty() || s.source == "claimed") continue;  // only an official roster counts
    if (s.valid_from > d || (!s.valid_to.empty() && s.valid_to < d)) continue;
    auto it = policy.special_groups.find(s.category);
    if (it == policy.special_groups.end()) continue;
    if (best && best->level >= it->second) continue;
    best = SpecialGroup{s.category, it->second,
                        std::string(domain::code(s.category)) + " (" + s.source +
                            (s.source_ref.empty() ? "" : " " + s.source_ref) + ") " + s.valid_from +
                            ".." + s.valid_to};
  }
  return best;
}

Level levelForScore(const IdentificationPolicy& policy, int points) {
  if (points >= policy.especially) return Level::kEspecially;
  if (points >= policy.difficult) return Level::kDifficult;
  if (points >= policy.generally) return Level::kGenerally;
  return Level::kNone;
}

Score score(const IdentificationPolicy& policy, const std::vector<std::string>& indicators) {
  std::set<std::string> met;
  for (const auto& raw : indicators) {
    const std::string c = text::trim(raw);
    if (c.empty()) continue;
    if (!policy.indicator(c)) {
      std::string known;
      for (const auto& i : policy.indicators) known += (known.empty() ? "" : ", ") + i.code;
      throw Error(ErrorCode::kInvalidInput,
                  msg("ident.indicator.unknown", {arg("code", c), arg("known", known)}));
    }
    met.insert(c);
  }
  Score s;
  for (const auto& i : policy.indicators) {
    if (!met.count(i.code)) continue;
    s.points += i.points;
    s.counted.push_back(i.code);
  }
  s.points = std::min(s.points, policy.max_score);
  s.level = levelForScore(policy, s.points);
  return s;
}

std::optional<Message> refuseProposalMessage(const Score& score, Level proposed,
                                             const std::string& class_teacher,
                                             const std::vector<std::string>& representatives,
                                             const std::string& reason) {
  if (text::trim(class_teacher).empty()) return msg("ident.panel.no_teacher");
  size_t reps = 0;
  for (const auto& r : representatives) reps += !text::trim(r).empty();
  if (reps == 0) return msg("ident.panel.no_representative");
  if (proposed != score.level && text::trim(reason).empty()) {
    return msg("ident.panel.departs",
               {words("proposed", levelLabel(proposed), std::string(domain::code(proposed))),
                arg("points", std::to_string(score.points)),
                words("level", levelLabel(score.level), std::string(domain::code(score.level)))});
  }
  return std::nullopt;
}

std::optional<std::string> refuseProposal(const Score& score, Level proposed,
                                          const std::string& class_teacher,
                                          const std::vector<std::string>& representatives,
                                          const std::string& reason) {
  auto m = refuseProposalMessage(score, proposed, class_teacher, representatives, reason);
  if (!m) return std::nullopt;
  return i18n::render(*m, Lang::kEn);
}

std::optional<LevelPeriod> levelOn(const std::vector<LevelPeriod>& periods, const Date& on) {
  for (const auto& p : periods) {
    if (p.from <= on && (!p.to || on <= *p.to)) return p;
  }
  return std::nullopt;
}

std::vector<LevelPeriod> applyChange(std::vector<LevelPeriod> periods, const LevelPeriod& change) {
  std::vector<LevelPeriod> out;
  const Date day_before = change.from.addDays(-1);
  for (auto& p : periods) {
    if (change.from <= p.from) continue;  // superseded entirely
    if (!p.to || change.from <= *p.to) p.to = day_before;
    out.push_back(p);
  }
  out.push_back(change);
  std::sort(out.begin(), out.end(),
            [](const LevelPeriod& a, const LevelPeriod& b) { return a.from < b.from; });
  return out;
}

std::vector<int64_t> spotCheckSample(std::vector<int64_t> ids, uint64_t seed, int percent) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty() || percent <= 0) return {};
  const size_t n = ids.size();
  size_t want = (n * static_cast<size_t>(std::min(percent, 100)) + 99) / 100;
  want = std::max<size_t>(want, 1);
  uint64_t state = seed;
  auto next = [&state]() {
    // SplitMix64 (Steele, Lea, Flood 2014): fixed arithmetic, the same on every platform.
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  for (size_t i = 0; i < want; ++i) {
    const size_t j = i + static_cast<size_t>(next() % (n - i));
    std::swap(ids[i], ids[j]);
  }
  ids.resize(want);
  std::sort(ids.begin(), ids.end());
  return ids;
}

int64_t SchoolOutcome::identified() const {
  int64_t n = 0;
  for (const auto& [l, c] : by_level) n += l == Level::kNone ? 0 : c;
  return n;
}
int64_t SchoolOutcome::identifiedPermille() const {
  return enrolled ? identified() * 1000 / enrolled : 0;
}
int64_t SchoolOutcome::specialPermille() const { return enrolled ? special * 1000 / enrolled : 0; }

std::vector<std::string> outliers(const SchoolOutcome& o, int64_t max_permille) {
  std::vector<std::string> out;
  if (o.enrolled == 0) {
    out.push_back("no_enrollment");
    return out;
  }
  const int64_t share = o.identifiedPermille();
  if (share > max_permille)
    out.push_back("share_high: " + std::to_string(share / 10) + "." + std::to_string(share % 10) +
                  "% of enrollment identified (over " + std::to_string(max_permille / 10) + "%)");
  if (o.identified() == 0) out.push_back("share_zero: none identified");
  auto it = o.by_level.find(Level::kEspecially);
  const int64_t top = it == o.by_level.end() ? 0 : it->second;
  if (o.special == 0 && o.identified() > 0 && top * 2 > o.identified())
    out.push_back("especially_high: " + std::to_string(top) + " of " +
                  std::to_string(o.identified()) + " at 特别困难 without a special group");
  return out;
}

std::vector<Message> outlierMessages(const SchoolOutcome& o, int64_t max_permille) {
  std::vector<Message> out;
  if (o.enrolled == 0) {
    out.push_back(msg("ident.outlier.no_enrollment"));
    return out;
  }
  const int64_t share = o.identifiedPermille();
  if (share > max_permille)
    out.push_back(msg("ident.outlier.share_high",
                      {arg("share", std::to_string(share / 10) + "." + std::to_string(share % 10)),
                       arg("max", std::to_string(max_permille / 10))}));
  if (o.identified() == 0) out.push_back(msg("ident.outlier.share_zero"));
  auto it = o.by_level.find(Level::kEspecially);
  const int64_t top = it == o.by_level.end() ? 0 : it->second;
  if (o.special == 0 && o.identified() > 0 && top * 2 > o.identified())
    out.push_back(
        msg("ident.outlier.especially_high", {arg("top", top), arg("identified", o.identified())}));
  return out;
}

std::string levelLabel(Level l) {
  // 资助对象认定 uses 不认定 for "not identified" where the roll says 不困难.
  static constexpr std::array<CodeName<Level>, 4> kLabels{
      {{Level::kEspecially, "especially", "特别困难"},
       {Level::kDifficult, "difficult", "困难"},
       {Level::kGenerally, "generally", "一般困难"},
       {Level::kNone, "none", "不认定"}}};
  return std::string(zhIn(kLabels, l));
}

}  // namespace edupay::identify
