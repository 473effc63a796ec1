// The county's part of 资助对象认定 and what follows a school's filing: filing, county review,
// spot checks (抽查) and the county overview.
#include "common/Error.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "identify/IdentifyParts.h"

namespace edupay::identify {

using namespace detail;

Round fileRound(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                int64_t round_id, const Date& today) {
  return retryUnit("identify.fileRound", [&] {
    requireRole(user, {Role::kSchoolAdmin},
                words("action", "报送认定结果", "filing the identification"));
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    std::set<int64_t> open_objection;
    for (const auto& o : store.objections(r.id))
      if (o.status == "open") open_objection.insert(o.case_id);
    std::map<int64_t, std::string> window;
    for (const auto& n : store.notices(r.id)) window[n.id] = n.window_ends;
    auto cases = store.cases(r.id);
    std::vector<Message> why;
    int64_t to_file = 0;
    for (const auto& c : cases) {
      if (c.state == "applied" || c.state == "assessed")
        why.push_back(
            msg("ident.file.undecided", {idArg("case", c.id), stateWords("state", c.state)}));
      else if (c.state == "decided")
        why.push_back(msg("ident.file.not_noticed", {idArg("case", c.id)}));
      else if (c.state == "noticed") {
        ++to_file;
        if (window[c.notice_id] >= today.str())
          why.push_back(msg("ident.file.window_open",
                            {idArg("case", c.id), arg("until", window[c.notice_id])}));
      }
      if (open_objection.count(c.id))
        why.insert(why.begin(), msg("ident.file.open_objection", {idArg("case", c.id)}));
    }
    if (!why.empty()) {
      // The first five reasons, each in both languages, then how many more.
      MessageArg reasons{"reasons", "", "", std::nullopt};
      auto add = [&](const Message& m) {
        const MessageArg a = arg("m", m);
        reasons.zh += (reasons.zh.empty() ? "" : "；") + a.zh;
        reasons.en += (reasons.en.empty() ? "" : "; ") + a.en;
      };
      for (size_t i = 0; i < why.size() && i < 5; ++i) add(why[i]);
      if (why.size() > 5) add(msg("ident.file.more", {arg("count", why.size() - 5)}));
      throw Error(ErrorCode::kForbidden,
                  msg("ident.file.refused", {idArg("round", r.id), std::move(reasons)}));
    }
    if (to_file == 0 && r.status != "sent_back")
      throw Error(ErrorCode::kConflict, msg("ident.file.nothing", {idArg("round", r.id)}));
    const Message before = roundSummary(r);
    for (auto& c : cases) {
      if (c.state != "noticed") continue;
      LevelPeriod p;
      p.case_id = c.id;
      p.level = *parseLevel(c.level);
      p.from = mustDate(c.effective_from, "effective_from");
      auto periods = applyChange(store.levels(c.person_id, r.academic_year), p);
      store.setLevels(c.person_id, r.academic_year, periods, "superseded");
      c.state = "filed";
      saveCase(store, c);
    }
    if (r.status == "open" || r.status == "sent_back") {
      r.status = "submitted";
      r.submitted_by = user.name;
      r.submitted_on = security::nowIso();
    }
    saveRound(store, r);
    security::appendAudit(
        audit, user.name, "identify.file", "ident_round:" + std::to_string(r.id), before,
        msg("audit.rec.identify.filed", {arg("round", roundSummary(r)), arg("filed", to_file)}));
    tx->commit();
    return r;
  });
}

Round reviewRound(IdentificationStore& store, security::SecurityStore& audit, const User& user,
                  int64_t round_id, const std::string& decision, const std::string& reason) {
  return retryUnit("identify.reviewRound", [&] {
    requireRole(user, {Role::kBureauOfficer}, words("action", "县级复核", "the county review"));
    if (decision != "accept" && decision != "send_back")
      throw Error(ErrorCode::kInvalidInput, msg("ident.review.decision"));
    if (decision == "send_back" && text::trim(reason).empty())
      throw Error(ErrorCode::kInvalidInput, msg("ident.review.no_reason"));
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    if (r.status != "submitted")
      throw Error(ErrorCode::kConflict,
                  msg("ident.review.not_submitted",
                      {idArg("round", r.id), stateWords("status", r.status)}));
    const Message before = roundSummary(r);
    r.status = decision == "accept" ? "accepted" : "sent_back";
    r.reviewed_by = user.name;
    r.reviewed_on = security::nowIso();
    r.review_reason = text::trim(reason);
    saveRound(store, r);
    security::appendAudit(
        audit, user.name, "identify.review", "ident_round:" + std::to_string(r.id), before,
        reason.empty() ? roundSummary(r)
                       : msg("audit.rec.identify.reviewed",
                             {arg("round", roundSummary(r)), arg("reason", reason)}));
    tx->commit();
    return r;
  });
}

std::vector<SpotCheck> drawSpotChecks(IdentificationStore& store, security::SecurityStore& audit,
                                      const User& user, const IdentificationPolicy& policy,
                                      int64_t round_id, int64_t seed, int percent) {
  return retryUnit("identify.drawSpotChecks", [&] {
    requireRole(user, {Role::kBureauOfficer},
                words("action", "抽取抽查样本", "drawing spot checks"));
    if (percent == 0) percent = policy.spot_check_percent;
    if (percent < 1 || percent > 100)
      throw Error(ErrorCode::kInvalidInput, msg("ident.spot.percent"));
    auto tx = store.transaction();
    Round r = mustRound(store, user, round_id);
    if (r.status != "submitted" && r.status != "accepted")
      throw Error(
          ErrorCode::kConflict,
          msg("ident.spot.not_filed", {idArg("round", r.id), stateWords("status", r.status)}));
    if (!store.spotChecks(r.id).empty())
      throw Error(ErrorCode::kConflict, msg("ident.spot.drawn", {idArg("round", r.id)}));
    std::vector<int64_t> ids;
    for (const auto& c : store.cases(r.id))
      if (c.kind != "special" && c.state == "filed" && c.level != "none") ids.push_back(c.id);
    std::vector<SpotCheck> out;
    for (int64_t id : spotCheckSample(ids, static_cast<uint64_t>(seed), percent)) {
      SpotCheck s;
      s.round_id = r.id;
      s.case_id = id;
      s.seed = seed;
      s.percent = percent;
      s.drawn_by = user.name;
      s.drawn_on = security::nowIso();
      s.id = store.insertSpotCheck(s);
      out.push_back(s);
    }
    std::string list;
    for (const auto& s : out) list += (list.empty() ? "" : ",") + std::to_string(s.case_id);
    security::appendAudit(
        audit, user.name, "identify.spot_draw", "ident_round:" + std::to_string(r.id), Message(),
        msg("audit.rec.identify.spot_draw",
            {arg("seed", std::to_string(seed)), arg("percent", std::to_string(percent)),
             arg("of", ids.size()), arg("cases", list)}));
    tx->commit();
    return out;
  });
}

SpotCheck recordSpotCheck(IdentificationStore& store, security::SecurityStore& audit,
                          const User& user, int64_t spot_check_id, const std::string& outcome,
                          const std::string& new_level, const std::string& note, const Date& on) {
  return retryUnit("identify.recordSpotCheck", [&] {
    requireRole(user, {Role::kBureauOfficer},
                words("action", "登记抽查结果", "recording a spot check"));
    if (outcome != "confirmed" && outcome != "level_changed" && outcome != "false_information")
      throw Error(ErrorCode::kInvalidInput, msg("ident.spot.outcome"));
    if (outcome != "confirmed" && text::trim(note).empty())
      throw Error(ErrorCode::kInvalidInput, msg("ident.spot.no_note"));
    auto tx = store.transaction();
    auto s = store.spotCheck(spot_check_id);
    if (!s) throw notFound(spot_check_id, Thing::kSpotCheck);
    auto [c, r] = mustCase(store, user, s->case_id);
    if (!s->outcome.empty())
      throw Error(
          ErrorCode::kConflict,
          msg("ident.spot.recorded", {idArg("spot", s->id), stateWords("outcome", s->outcome)}));
    const Message before = caseSummary(c);
    s->outcome = outcome;
    s->note = text::trim(note);
    s->recorded_by = user.name;
    s->recorded_on = on.str();
    int64_t held = 0;
    size_t recovered = 0;
    if (outcome == "level_changed") {
      const Level l = mustLevel(new_level, "new_level");
      s->new_level = str(l);
      LevelPeriod p{c.id, l, std::max(on, mustDate(c.effective_from, "effective_from")), {}, false};
      store.setLevels(c.person_id, r.academic_year,
                      applyChange(store.levels(c.person_id, r.academic_year), p), "superseded");
      c.level = s->new_level;
      saveCase(store, c);
    } else if (outcome == "false_information") {
      std::vector<LevelPeriod> kept;
      for (const auto& p : store.levels(c.person_id, r.academic_year))
        if (p.case_id != c.id) kept.push_back(p);
      store.setLevels(c.person_id, r.academic_year, kept, "revoked");
      c.state = "revoked";
      saveCase(store, c);
      held = store.holdEntitlements(c.person_id, r.academic_year,
                                    "identification " + std::to_string(c.id) +
                                        " revoked: false information found by spot check " +
                                        std::to_string(s->id) + " (认定信息虚假，已撤销)");
      auto paid = store.paidFor(c.person_id, r.academic_year);
      for (auto& p : paid) p.spot_check_id = s->id;
      recovered = paid.size();
      store.insertRecoveries(paid);
    }
    store.recordSpotCheck(*s);
    security::appendAudit(audit, user.name, "identify.spot_check",
                          "spot_check:" + std::to_string(s->id), before,
                          msg("audit.rec.identify.spot_checked",
                              {arg("case", caseSummary(c)), stateWords("outcome", outcome),
                               arg("held", held), arg("recover", recovered)}));
    tx->commit();
    return *s;
  });
}

std::vector<Round> visibleRounds(IdentificationStore& store, const User& user,
                                 const std::string& school, int academic_year) {
  std::vector<Round> out;
  std::string prefix = user.scope;
  if (user.role == Role::kSchoolAdmin || user.role == Role::kSchoolApprover) {
    if (!school.empty() && school != user.scope) return out;
  } else if (!school.empty()) {
    prefix = school;
  }
  if (user.role == Role::kBankOperator || user.role == Role::kSysadmin) return out;
  for (auto& r : store.rounds(prefix, academic_year))
    if (sees(user, r)) out.push_back(std::move(r));
  return out;
}

FamilySituation revealFamily(IdentificationStore& store, const security::FieldCipher& cipher,
                             const User& user, int64_t case_id) {
  auto [c, r] = mustCase(store, user, case_id);
  if (user.role == Role::kBankOperator || user.role == Role::kSysadmin)
    throw notFound(case_id, Thing::kCase);
  if (c.items_enc.empty()) return {};
  return familyFromJson(cipher.decrypt(kItemsField, c.items_enc));
}

std::vector<CountyRow> countyReview(IdentificationStore& store, const User& user,
                                    const std::string& region, int academic_year) {
  requireRole(user, {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor},
              words("action", "查看全县资助对象认定情况", "the county's identification review"));
  const std::string scope = region.empty() ? user.scope : region;
  if (!user.covers(scope))
    throw Error(ErrorCode::kNotFound, msg("ident.region.not_found", {arg("region", scope)}));
  std::vector<CountyRow> out;
  for (auto& o : store.outcomes(scope, academic_year)) {
    CountyRow row{o, outliers(o), outlierMessages(o)};
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace edupay::identify
