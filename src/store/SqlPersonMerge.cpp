#include "store/SqlRegistryStore.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/Term.h"
#include "common/Text.h"
#include "rules/Engine.h"
#include "security/FieldCipher.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

void SqlRegistryStore::replaceIdentifier(int64_t person_id, const registry::Protected& id,
                                         const std::string& document, const std::string& today) {
  if (queryInt(db_, "SELECT COUNT(*) FROM persons WHERE rid_hash = ? AND id <> ?",
               {id.hash, person_id}) > 0) {
    throw Error(ErrorCode::kConflict, msg("store.merge.identifier_taken"));
  }
  auto old = query(
      db_,
      "SELECT rid_hash, rid_enc, rid_mask, student_no, name, sex, birth_date, id_document FROM "
      "persons WHERE id = ?",
      {person_id});
  if (!old->next())
    throw Error(ErrorCode::kNotFound,
                msg("store.no_person", {arg("person", std::to_string(person_id))}));
  const bool had_rid = !old->isNull(0);
  const std::string old_hash = old->getText(0), old_enc = old->getText(1),
                    old_mask_raw = old->getText(2), old_sno = old->getText(3),
                    name = old->getText(4), sex = old->getText(5), birth = old->getText(6),
                    old_document = old->getText(7);
  const std::string old_mask = had_rid ? old_mask_raw : maskMiddle(old_sno, 4, 4);
  old.reset();
  // A G number is the old identifier in clear: it goes with it.
  execute(db_,
          "UPDATE persons SET rid_hash = ?, rid_enc = ?, rid_mask = ?, id_document = ?, "
          "student_no = CASE WHEN student_no LIKE 'G%' THEN NULL ELSE student_no END WHERE id = ?",
          {id.hash, id.enc, id.mask, document, person_id});
  // The corrected-away identifier stays known as a pointer to this record: a roll still carrying
  // it lands here, `student show` finds the child by it, and nobody can "merge" back to it.
  if (had_rid) {
    execute(db_,
            "INSERT INTO persons (rid_hash, rid_enc, rid_mask, name, sex, birth_date, "
            "id_document, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {old_hash, old_enc, old_mask_raw, name, textOrNull(sex), textOrNull(birth),
             textOrNull(old_document), person_id});
  }
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('person', ?, 'resident_id', ?, ?, ?)",
          {person_id, old_mask, id.mask, today});
}

registry::MergeCounts SqlRegistryStore::mergePersons(int64_t keep, int64_t lose,
                                                     const std::string& today) {
  registry::MergeCounts c;
  const std::string K = std::to_string(keep), L = std::to_string(lose);
  if (queryInt(db_,
               "SELECT COUNT(*) FROM enrollments WHERE end_date IS NULL AND person_id IN (?, ?)",
               {keep, lose}) > 1) {
    throw Error(ErrorCode::kConflict, msg("store.merge.both_enrolled"));
  }
  c.enrollments =
      execute(db_, "UPDATE enrollments SET person_id = ? WHERE person_id = ?", {keep, lose});
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO household_members (household_id, person_id, relation) SELECT household_id, ?, "
              "relation FROM household_members WHERE person_id = ?",
          {keep, lose});
  execute(db_, "DELETE FROM household_members WHERE person_id = ?", {lose});
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO guardians (student_id, guardian_id) SELECT ?, guardian_id FROM guardians "
              "WHERE student_id = ? AND guardian_id <> ?",
          {keep, lose, keep});
  execute(db_, "DELETE FROM guardians WHERE student_id = ?", {lose});
  // An open account of a kind the kept record also has open is closed: one open per kind.
  std::set<std::string> open_kinds;
  {
    auto s =
        db_.prepare("SELECT kind FROM bank_accounts WHERE student_id = ? AND valid_to IS NULL");
    s->bind(1, keep);
    while (s->next()) open_kinds.insert(s->getText(0));
  }
  for (const auto& kind : open_kinds) {
    execute(db_,
            "UPDATE bank_accounts SET valid_to = CASE WHEN valid_from > ? THEN valid_from ELSE ? "
            "END WHERE student_id = ? AND kind = ? AND valid_to IS NULL",
            {today, today, lose, kind});
  }
  c.accounts =
      execute(db_, "UPDATE bank_accounts SET student_id = ? WHERE student_id = ?", {keep, lose});
  // Levels and nominations the kept record lacks move; the kept record's own stay.
  std::set<int64_t> years;
  {
    auto s = query(db_, "SELECT academic_year FROM difficulty_levels WHERE person_id = ?", {keep});
    while (s->next()) years.insert(s->getInt(0));
  }
  {
    std::vector<int64_t> move;
    auto s = query(db_, "SELECT academic_year FROM difficulty_levels WHERE person_id = ?", {lose});
    while (s->next()) {
      if (!years.count(s->getInt(0))) move.push_back(s->getInt(0));
    }
    s.reset();
    for (int64_t y : move) {
      execute(
          db_,
          "UPDATE difficulty_levels SET person_id = ? WHERE person_id = ? AND academic_year = ?",
          {keep, lose, y});
    }
  }
  execute(db_,
          std::string(db_.insertIgnore()) +
              " INTO nominations (programme, academic_year, person_id) SELECT programme, "
              "academic_year, ? FROM nominations WHERE person_id = ?",
          {keep, lose});
  execute(db_, "DELETE FROM nominations WHERE person_id = ?", {lose});

  // Entitlements: one per child, programme and term; nothing may be paid twice.
  struct Ent {
    int64_t id = 0;
    std::string programme, term;
    bool locked = false, live = false;
  };
  auto load = [&](int64_t person) {
    std::map<std::pair<std::string, std::string>, Ent> out;
    auto s = query(
        db_,  // Live: covered by a live payment, to the student or to the school.
        "SELECT e.id, e.programme, e.term, e.locked, (SELECT COUNT(*) FROM payment_entitlements "
        "pe WHERE pe.entitlement_id = e.id AND pe.live = 1) FROM entitlements e WHERE "
        "e.person_id = ?",
        {person});
    while (s->next()) {
      Ent e{s->getInt(0), s->getText(1), s->getText(2), s->getInt(3) != 0, s->getInt(4) > 0};
      out[{e.programme, e.term}] = e;
    }
    return out;
  };
  const auto kept = load(keep);
  const auto lost = load(lose);
  auto supersede = [&](const Ent& e) {
    if (e.locked) {
      throw Error(ErrorCode::kConflict, msg("store.merge.in_batch",
                                            {arg("programme", e.programme), arg("term", e.term)}));
    }
    execute(db_,
            "INSERT INTO entitlement_history (entitlement_id, version, status, amount_fen, "
            "account_id, paying_region, reason, reason_sha, policy_id, run_id, "
            "replaced_on) SELECT id, version, status, amount_fen, account_id, paying_region, "
            "reason, reason_sha, policy_id, run_id, ? FROM entitlements WHERE id = ?",
            {today, e.id});
    // The reason line is the fact alone (`merged: ...`, as before sentences were stored); its
    // sentences one failed check, `merged`.
    rules::Check merged{"merged", false, "", msg("rules.fact.merged", {arg("record", K)})};
    merged.fact = "merged: " + i18n::render(merged.message, Lang::kEn);
    const std::string sentences = rules::storedTrace({merged});
    const std::string sha = security::sha256Hex(sentences);
    keepReasonSentences(db_, sha, sentences);
    execute(db_,
            "UPDATE entitlements SET status = 'excluded', amount_fen = 0, central_fen = 0, "
            "provincial_fen = 0, county_fen = 0, hold_reason = NULL, reason = ?, "
            "reason_sha = ?, version = version + 1, updated_on = ? WHERE id = ?",
            {merged.fact, sha, today, e.id});
    ++c.entitlements_superseded;
  };
  for (const auto& [key, e] : lost) {
    auto k = kept.find(key);
    if (k == kept.end()) {
      execute(db_, "UPDATE entitlements SET person_id = ? WHERE id = ?", {keep, e.id});
      ++c.entitlements_moved;
    } else if (!e.live) {
      supersede(e);
    } else if (!k->second.live) {
      supersede(k->second);  // the paid one stays, on the merged record that points here
    } else {
      c.paid_twice.push_back(key.first + " " + key.second);
    }
  }
  execute(db_, "UPDATE persons SET merged_into = ? WHERE id = ?", {keep, lose});
  execute(db_,
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_on) "
          "VALUES ('person', ?, 'merged_from', '', ?, ?)",
          {keep, L, today});
  return c;
}

}  // namespace edupay::store
