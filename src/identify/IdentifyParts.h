#pragma once
// Checks and helpers shared by the identification use cases (Identify.cpp, IdentifyReview.cpp);
// not part of the module's interface.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "common/Date.h"
#include "common/Error.h"
#include "identify/Identify.h"

namespace edupay::identify::detail {

using security::Role;
using security::User;

/// Field names the family situation and the case notes are encrypted under.
inline constexpr const char* kItemsField = "ident_cases.items";
inline constexpr const char* kNotesField = "ident_cases.notes";

/// What a not-found refusal names: 认定轮次, 认定记录, 异议, 抽查记录.
enum class Thing { kRound, kCase, kObjection, kSpotCheck };
/// "identification round 7 not found": also what a round out of the user's scope reads as.
Error notFound(int64_t id, Thing what);
/// Whether `u` may see round `r` (its school, or its county for the bureau and auditors).
bool sees(const User& u, const Round& r);
/// The round, or Error(kNotFound) when it does not exist or is out of scope.
Round mustRound(IdentificationStore& store, const User& user, int64_t id);
/// Error(kForbidden) naming the action (`words("action", zh, en)`) and the roles that may do it,
/// unless `user` has one of them.
void requireRole(const User& user, std::initializer_list<Role> roles, const MessageArg& action);
/// The case and its round, or Error(kNotFound) as mustRound.
std::pair<Case, Round> mustCase(IdentificationStore& store, const User& user, int64_t id);
/// `s` as YYYY-MM-DD, or Error(kInvalidInput) naming `field`.
Date mustDate(const std::string& s, const std::string& field);
/// none / generally / difficult / especially; nullopt for anything else.
std::optional<Level> parseLevel(const std::string& s);
/// parseLevel(), or Error(kInvalidInput) naming `field`.
Level mustLevel(const std::string& s, const std::string& field);
std::string str(Level l);
/// The words of a case's state, a round's status, a case's kind or an outcome code
/// (`words(name, "公示中", "noticed")`); the code itself when it has no words.
MessageArg stateWords(std::string name, const std::string& code);
/// A level code (`difficult`) as words: 困难 / difficult.
MessageArg levelWords(std::string name, const std::string& code);
/// A round's or case's number, as written (never grouped).
MessageArg idArg(std::string name, int64_t id);
/// What the audit event says of a round or a case: never the family situation, notes or an ID.
/// A round's state in an audit record (messages/audit.json).
Message roundSummary(const Round& r);
/// A case's state in an audit record: never the family situation, the notes or a full ID.
Message caseSummary(const Case& c);
/// Saves with the version check; Error(kConflict) when someone changed the record meanwhile.
void saveCase(IdentificationStore& store, Case& c);
void saveRound(IdentificationStore& store, Round& r);
/// Whether cases of `r` may be entered or changed (a change during the year always may).
bool roundEditable(const Round& r, bool change);

}  // namespace edupay::identify::detail
