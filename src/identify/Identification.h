#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/Date.h"
#include "common/Message.h"
#include "domain/Codes.h"
#include "rules/Policy.h"

/// Identifying students from financially difficult families (家庭经济困难学生认定): the pure rules.
/// Source: MOE, MOF and four other ministries, 《关于做好家庭经济困难学生认定工作的指导意见》
/// (教财〔2018〕16号), and the 2019 personal commitment (承诺书) replacing stamped certificates.
/// The indicators, points and tier thresholds come from the policy file's `identification`
/// object (policies/README.md); the national defaults are marked for provincial confirmation.
namespace edupay::identify {

using Level = domain::DifficultyLevel;

/// One scoring indicator of the policy file (e.g. `serious_illness`, 20 points).
struct Indicator {
  std::string code, name_zh, name_en;
  int points = 0;
  std::string confidence;  ///< S, W or R: W and R need provincial confirmation
};

/// The policy file's `identification` object, resolved (a provincial file replaces it whole).
struct IdentificationPolicy {
  std::string source, confidence;
  std::map<domain::Category, Level> special_groups;  ///< identified without applying
  std::vector<Indicator> indicators;
  int max_score = 100;
  int generally = 25, difficult = 45, especially = 65;  ///< lowest score of each level
  std::string tiers_confidence;
  int notice_working_days = 5;  ///< 公示 at least 5 working days
  int spot_check_percent = 10;  ///< share of non-special-group identifications sampled
  const Indicator* indicator(const std::string& code) const;
  /// Indicators and thresholds whose confidence is not S (to confirm before paying).
  int unconfirmed() const;
};

/// Reads the `identification` object of a resolved policy. Throws Error(kInvalidInput) naming
/// the policy and field when it is missing or inconsistent (tiers not increasing, a tier above
/// max_score, an indicator code twice).
IdentificationPolicy identificationPolicy(const rules::Policy& policy);
IdentificationPolicy parseIdentificationPolicy(const std::string& resolved_json,
                                               const std::string& source_name);

/// A household status from the registry, as of any date (filtered by `specialGroup`).
struct RosterStatus {
  domain::Category category = domain::Category::kOther;
  std::string source;  ///< claimed, poverty, civil_affairs, disabled, orphan
  std::string source_ref;
  std::string valid_from, valid_to;  ///< YYYY-MM-DD; valid_to empty while open
};

/// A special group identified without an application, with the roster row as evidence.
struct SpecialGroup {
  domain::Category category = domain::Category::kOther;
  Level level = Level::kNone;
  std::string evidence;  ///< "dibao (civil_affairs 430121) 2020-01-01..": no personal details
};

/// Automatic identification: among the statuses valid on `on` that an official roster reports
/// (a school's own claim does not count), the special group of the highest level the policy
/// gives; nullopt when none applies.
std::optional<SpecialGroup> specialGroup(const IdentificationPolicy& policy,
                                         const std::vector<RosterStatus>& statuses, const Date& on);

/// An application's score: the points of each indicator met (each counted once), capped at
/// `max_score`, and the level the tier thresholds give.
struct Score {
  int points = 0;
  Level level = Level::kNone;
  std::vector<std::string> counted;  ///< indicator codes, in policy order
};
/// Throws Error(kInvalidInput) naming an unknown indicator code (and listing the known ones).
Score score(const IdentificationPolicy& policy, const std::vector<std::string>& indicators);
Level levelForScore(const IdentificationPolicy& policy, int points);

/// Why a class panel's proposal cannot be recorded; nullopt when it can. The panel (班级认定评议
/// 小组) is the class teacher and at least one student representative, names recorded; a proposal
/// that departs from the level the score gives needs a reason (departure reason).
std::optional<Message> refuseProposalMessage(const Score& score, Level proposed,
                                             const std::string& class_teacher,
                                             const std::vector<std::string>& representatives,
                                             const std::string& reason);
/// refuseProposalMessage() in English.
std::optional<std::string> refuseProposal(const Score& score, Level proposed,
                                          const std::string& class_teacher,
                                          const std::vector<std::string>& representatives,
                                          const std::string& reason);

/// One effective-dated level of a student (动态调整): from `from` to `to` (inclusive; open when
/// absent).
struct LevelPeriod {
  int64_t case_id = 0;
  Level level = Level::kNone;
  Date from;
  std::optional<Date> to;
  bool blocked = false;  ///< an objection is open
};
/// The period in force on `on`, if any (periods do not overlap).
std::optional<LevelPeriod> levelOn(const std::vector<LevelPeriod>& periods, const Date& on);
/// Applies a change from `change.from`: the period in force then ends the day before, periods
/// starting on or after it end (superseded), and the change holds from its date. Pure; the
/// result is sorted by `from`.
std::vector<LevelPeriod> applyChange(std::vector<LevelPeriod> periods, const LevelPeriod& change);

/// The spot-check sample (抽查核实): ceil(share% of the cases), at least one when there are any,
/// drawn with a seeded generator (SplitMix64 + Fisher-Yates over the ids sorted), so the same
/// ids, seed and share always give the same sample on every platform. Returned sorted.
std::vector<int64_t> spotCheckSample(std::vector<int64_t> case_ids, uint64_t seed, int percent);

/// One school's outcome for the county's review (复核).
struct SchoolOutcome {
  std::string school_code, school_name;
  int64_t enrolled = 0;
  int64_t special = 0;  ///< identified as a special group
  std::map<Level, int64_t> by_level;
  int64_t identified() const;
  /// Shares in per mille of enrollment, so no floating point reaches a decision.
  int64_t identifiedPermille() const;
  int64_t specialPermille() const;
};
/// The outliers a county officer should look at, each a stable code with the figure:
/// `share_high` (over `max_permille` of enrollment identified, default 40 %), `share_zero`
/// (none identified among a nonzero enrollment), `especially_high` (more than half of the
/// identified at the top level while no special group), `no_enrollment`.
std::vector<std::string> outliers(const SchoolOutcome& o, int64_t max_permille = 400);
/// The same outliers as sentences for the county officer (messages/identify.json).
std::vector<Message> outlierMessages(const SchoolOutcome& o, int64_t max_permille = 400);

/// Chinese labels: 特别困难 / 困难 / 一般困难 / 不认定.
std::string levelLabel(Level l);

}  // namespace edupay::identify
