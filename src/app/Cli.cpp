#include "app/Cli.h"
#include "api/Json.h"

#include "app/CliContext.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "domain/Codes.h"
#include "registry/Imports.h"
#include "registry/RollImporter.h"
#include "registry/RosterImporter.h"
#include "registry/StudentEdits.h"
#include "registry/Synth.h"
#include "rules/EntitlementRun.h"
#include "rules/Policy.h"
#include "security/FieldCipher.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "store/SqlEntitlementStore.h"
#include "store/SqlRegistryStore.h"

namespace edupay::app {
namespace {

/// A domain code (`primary`, `dibao`, `student_card`) as a message argument: the code in
/// English, its Chinese word (domain::chineseLabel); a value that is not a code as it is.
template <typename E>
MessageArg codeArg(std::string name, const std::string& value,
                   std::optional<E> (*parse)(std::string_view)) {
  const auto v = parse(value);
  return words(std::move(name), v ? std::string(domain::chineseLabel(*v)) : value, value);
}

/// Who reported a household status, in Chinese.
std::string sourceZh(const std::string& source) {
  if (source == "claimed") return "学校填报";
  if (source == "poverty") return "乡村振兴部门";
  if (source == "civil_affairs") return "民政部门";
  if (source == "disabled") return "残联";
  if (source == "orphan") return "民政部门（孤儿）";
  return source;
}

int cmdKeygen(Context& c) {
  if (c.args().has("signing")) return cmdKeygenSigning(c, c.args().get("signing"));
  security::FieldCipher::generateKeyFile(c.keyPath());
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("key_file", c.keyPath());
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(msg("cli.keygen.done", {arg("file", c.keyPath())})) << "\n";
  }
  return kExitOk;
}

int cmdMigrate(Context& c) {
  auto db = store::openDatabase(c.args().get("db", envOr("EDUPAY_DB", "sqlite:edupay.db")));
  const auto r = store::migrate(*db);
  auditMigration(*db, r);
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("database", db->describe());
    o.set("from_version", r.from_version);
    o.set("to_version", r.to_version);
    Poco::JSON::Array applied;
    for (const auto& m : r.applied) applied.add(m);
    o.set("applied", applied);
    c.out() << toJson(o) << "\n";
  } else if (r.applied.empty()) {
    c.out() << c.text(msg("cli.migrate.current", {arg("database", db->describe()),
                                                  arg("version", std::to_string(r.to_version))}))
            << "\n";
  } else {
    for (const auto& m : r.applied)
      c.out() << c.text(msg("cli.migrate.applied", {arg("migration", m)})) << "\n";
    c.out() << c.text(msg("cli.migrate.done", {arg("database", db->describe()),
                                               arg("from", std::to_string(r.from_version)),
                                               arg("to", std::to_string(r.to_version))}))
            << "\n";
  }
  return kExitOk;
}

int cmdImportReference(Context& c, const std::string& kind) {
  const std::string& file = c.word(2, "FILE");
  c.cipher();  // refuse early with a wrong key, before any write
  const auto user = c.actingUser();
  const auto r =
      kind == "schools"
          ? registry::importSchoolsAs(c.registry(), c.security(), user, file, &c.cipher())
          : registry::importRegionsAs(c.registry(), c.security(), user, file);
  if (c.json()) {
    Poco::JSON::Object o;
    o.set("file", file);
    o.set("added", r.added);
    o.set("updated", r.updated);
    if (kind == "schools") o.set("accounts", r.accounts);
    c.out() << toJson(o) << "\n";
  } else {
    c.out() << c.text(kind == "schools"
                          ? msg("cli.import.schools",
                                {arg("file", file), arg("added", r.added),
                                 arg("updated", r.updated), arg("accounts", r.accounts)})
                          : msg("cli.import.regions", {arg("file", file), arg("added", r.added),
                                                       arg("updated", r.updated)}))
            << "\n";
  }
  return kExitOk;
}

/// `line 3, resident_id `4301****1234`: reason`, the column as the reader's files head it.
Message issueLine(const registry::Issue& i, const std::string& column) {
  return msg("roll.cli.issue",
             {arg("line", std::to_string(i.line)), arg("column", column),
              arg("value", i.value.empty() ? "" : " `" + i.value + "`"), arg("reason", i.message)});
}

int cmdImportRoll(Context& c) {
  const std::string& file = c.word(2, "FILE");
  registry::RollImportOptions o;
  o.dry_run = c.args().has("dry-run");
  o.accept_valid = c.args().has("accept-valid");
  o.report_path = c.args().get("report");
  o.as_of = asOfDate(c.args());
  if (c.args().has("encoding")) o.encoding = parseTextEncoding(c.args().get("encoding"));
  o.report_lang = c.lang();
  // A column as the reader's files head it.
  auto column = [&c](const registry::Issue& i) {
    return c.lang() == Lang::kZh && !i.column_zh.empty() ? i.column_zh : i.column;
  };
  o.progress = [&c](int64_t rows) { c.err() << "  ... " << rows << " rows\n" << std::flush; };
  const auto user = c.actingUser();
  const auto r = registry::importRollAs(c.registry(), c.security(), c.cipher(), user, file, o);

  const MessageArg outcome =
      r.committed
          ? words("outcome", "已导入", "imported")
          : (o.dry_run ? words("outcome", "试导入：未写入任何内容", "dry run: nothing written")
                       : words("outcome", "已拒绝：未写入任何内容", "rejected: nothing written"));
  if (c.json()) {
    Poco::JSON::Object j = api::rollImportJson(r, o.dry_run, c.lang());
    j.set("file", file);
    if (!o.report_path.empty()) j.set("report", o.report_path);
    c.out() << toJson(j) << "\n";
  } else {
    c.out() << c.text(msg("roll.cli.outcome",
                          {arg("file", file), arg("encoding", encodingName(r.encoding)), outcome}))
            << "\n  "
            << c.text(msg("roll.cli.rows", {arg("read", r.rows_total), arg("good", r.rows_ok),
                                            arg("bad", r.rows_bad), arg("warnings", r.warnings)}))
            << "\n";
    if (r.committed) {
      const auto& n = r.counts;
      c.out() << "  "
              << c.text(msg(
                     "roll.cli.changes",
                     {arg("new", n.persons_added), arg("changed", n.persons_updated),
                      arg("unchanged", n.persons_unchanged), arg("opened", n.enrollments_opened),
                      arg("updated", n.enrollments_updated), arg("transfers", n.transfers),
                      arg("added", n.accounts_added), arg("replaced", n.accounts_replaced)}))
              << "\n";
    }
    // Errors one by one (they must be fixed); warnings grouped by reason (they only inform).
    size_t shown = 0;
    std::map<std::string, std::pair<int64_t, int64_t>> warnings;  // reason -> count, first line
    for (const auto& i : r.issues) {
      if (i.warning) {
        auto& w = warnings[c.text(
            msg("roll.cli.column_reason", {arg("column", column(i)), arg("reason", i.message)}))];
        if (w.first++ == 0) w.second = i.line;
        continue;
      }
      if (shown++ >= 20) continue;
      c.out() << "  " << c.text(issueLine(i, column(i))) << "\n";
    }
    for (const auto& [reason, w] : warnings) {
      c.out() << "  "
              << c.text(msg("roll.cli.warnings",
                            {arg("count", w.first), arg("first", std::to_string(w.second)),
                             arg("reason", reason)}))
              << "\n";
    }
    if (r.issues_total > static_cast<int64_t>(r.issues.size()) || shown > 20) {
      c.out() << "  "
              << c.text(msg(
                     o.report_path.empty() ? "roll.cli.issues_total_hint" : "roll.cli.issues_total",
                     {arg("count", r.issues_total)}))
              << "\n";
    }
    if (!o.report_path.empty())
      c.out() << "  " << c.text(msg("roll.cli.report", {arg("path", o.report_path)})) << "\n";
    if (!r.committed && !o.dry_run && r.rows_bad > 0) {
      c.out() << "  " << c.text(msg("roll.cli.fix_rows")) << "\n";
    }
  }
  if (r.rows_bad > 0) return kExitRejected;
  return kExitOk;
}

int cmdStudentMerge(Context& c) {
  const std::string& old_key = c.word(2, "OLD identifier (resident ID or student number)");
  const std::string& new_id = c.word(3, "NEW identifier");
  const auto user = c.actingUser();
  const auto m = registry::mergeIdentifier(c.registry(), c.security(), c.cipher(), user, old_key,
                                           new_id, c.args().get("reason"));
  if (c.json()) {
    Poco::JSON::Object o;
    json::set(o, "person_id", m.person_id, "old", m.old_mask, "new", m.new_mask, "document",
              m.document);
    if (m.merged_person_id) {
      json::set(o, "merged_person_id", m.merged_person_id, "enrollments_moved",
                m.counts.enrollments, "accounts_moved", m.counts.accounts, "entitlements_moved",
                m.counts.entitlements_moved, "entitlements_superseded",
                m.counts.entitlements_superseded);
      Poco::JSON::Array twice;
      for (const auto& p : m.counts.paid_twice) twice.add(p);
      o.set("paid_twice", twice);
    }
    c.out() << toJson(o) << "\n";
  } else if (m.merged_person_id) {
    c.out() << c.text(msg(
                   "cli.student.merged",
                   {arg("record", std::to_string(m.merged_person_id)), arg("old", m.old_mask),
                    arg("into", std::to_string(m.person_id)), arg("new", m.new_mask),
                    arg("enrollments", m.counts.enrollments), arg("accounts", m.counts.accounts),
                    arg("moved", m.counts.entitlements_moved),
                    arg("superseded", m.counts.entitlements_superseded)}))
            << "\n";
    for (const auto& p : m.counts.paid_twice)
      c.out() << "  " << c.text(msg("cli.student.paid_twice", {arg("payment", p)})) << "\n";
  } else {
    c.out() << c.text(msg("cli.student.corrected",
                          {arg("record", std::to_string(m.person_id)), arg("old", m.old_mask),
                           arg("new", m.new_mask), arg("document", m.document)}))
            << "\n";
  }
  return kExitOk;
}

int cmdStudentShow(Context& c) {
  const std::string& key = c.word(2, "RESIDENT_ID or student number");
  const auto& cipher = c.cipher();
  const auto k = registry::studentKey(cipher, key);
  const auto rec = registry::findByKey(c.registry(), k);
  if (!rec) throw Error(ErrorCode::kNotFound, msg("student.not_registered"));
  const bool reveal = c.args().has("reveal");
  if (reveal) {
    // Unmasked identifiers are for the people responsible for the child, and leave a trace.
    const auto user = c.actingUser();
    if (!registry::mayEditStudent(c.registry(), user, registry::currentSchool(*rec)) &&
        user.role != security::Role::kAuditor) {
      throw Error(ErrorCode::kForbidden, msg("student.reveal_refused"));
    }
    retryUnit("cli.studentReveal", [&] {
      auto tx = c.registry().transaction();
      security::appendAudit(c.security(), user.name, "student.reveal",
                            "person " + std::to_string(rec->person_id), Message(),
                            msg("audit.rec.student.reveal"));
      tx->commit();
    });
  }
  const std::string id_shown =
      reveal && !rec->rid_enc.empty() ? cipher.decrypt("resident_id", rec->rid_enc) : rec->rid_mask;
  auto acct = [&](const registry::StudentRecord::Account& a) {
    return reveal ? cipher.decrypt("bank_account", a.acct_enc) : a.acct_mask;
  };
  if (c.json()) {
    Poco::JSON::Object o = api::studentJson(*rec, id_shown, acct);
    c.out() << toJson(o) << "\n";
    return kExitOk;
  }
  auto& out = c.out();
  const auto open = [&](const std::string& to) {
    return to.empty() ? c.text(msg("cli.student.open")) : to;
  };
  out << rec->name << "  " << id_shown
      << (rec->student_no.empty() ? "" : "  " + maskMiddle(rec->student_no, 4, 4)) << "\n"
      << c.text(
             msg("cli.student.person",
                 {words("sex", rec->sex == "M" ? "男" : "女", rec->sex == "M" ? "male" : "female"),
                  arg("born", rec->birth_date), arg("ethnicity", rec->ethnicity),
                  arg("hukou", rec->hukou_region)}))
      << "\n";
  out << c.text(msg("cli.student.enrollments")) << "\n";
  for (const auto& e : rec->enrollments) {
    out << "  " << e.enroll_date << " .. " << (e.end_date.empty() ? "      now " : e.end_date)
        << "  " << e.school_code << " " << e.school_name << "  "
        << c.text(msg(
               "cli.student.enrollment",
               {codeArg("stage", e.stage, domain::parseStage),
                arg("grade", std::to_string(e.grade)), arg("class", e.class_name),
                arg("major", e.major.empty() ? "" : " " + e.major),
                arg("agri", e.agri_major ? msg("cli.student.agri") : Message::literal("")),
                arg("boarding", e.boarding ? msg("cli.student.boarding") : Message::literal("")),
                codeArg("status", e.status, domain::parseEnrollmentStatus),
                arg("since", e.status_date.empty() ? "" : " " + e.status_date)}))
        << "\n";
  }
  if (rec->household)
    out << c.text(msg("cli.student.household", {arg("code", rec->household->code)})) << "\n";
  for (const auto& s : rec->statuses) {
    out << "  "
        << c.text(msg(
               "cli.student.status",
               {codeArg("category", s.category, domain::parseCategory), arg("from", s.valid_from),
                arg("to", open(s.valid_to)), words("source", sourceZh(s.source), s.source),
                arg("school", s.source == "claimed"
                                  ? msg("cli.student.claimed_by", {arg("school", s.source_ref)})
                                  : Message::literal(""))}))
        << "\n";
  }
  out << c.text(msg("cli.student.difficulty"));
  for (const auto& d : rec->difficulty)
    out << "  " << d.academic_year << "-" << (d.academic_year + 1) % 100 << " " << [&] {
      const auto w = codeArg("level", d.level, domain::parseDifficultyLevel);
      return c.lang() == Lang::kZh ? w.zh : w.en;
    }();
  out << "\n" << c.text(msg("cli.student.guardians"));
  for (const auto& g : rec->guardians) out << "  " << g.name << " " << g.rid_mask;
  out << "\n" << c.text(msg("cli.student.accounts")) << "\n";
  for (const auto& a : rec->accounts) {
    out << "  "
        << c.text(msg("cli.student.account",
                      {codeArg("kind", a.kind, domain::parseAccountKind), arg("account", acct(a)),
                       arg("bank", a.bank_code), arg("holder", a.holder_name),
                       words("owner",
                             a.owner == "student"    ? "学生本人"
                             : a.owner == "guardian" ? "监护人"
                                                     : a.owner,
                             a.owner),
                       arg("luhn", a.luhn_ok ? Message::literal("") : msg("cli.student.luhn")),
                       arg("from", a.valid_from), arg("to", open(a.valid_to))}))
        << "\n";
  }
  if (!rec->changes.empty()) {
    out << c.text(msg("cli.student.changes")) << "\n";
    for (const auto& h : rec->changes) {
      out << "  " << h.changed_on << " " << h.entity << "." << h.field << ": `" << h.old_value
          << "` -> `" << h.new_value << "`\n";
    }
  }
  return kExitOk;
}

int cmdSynth(Context& c) {
  registry::SynthOptions o;
  try {
    o.students = std::stoll(c.args().get("students", "1000"));
    o.seed = std::stoull(c.args().get("seed", "1"));
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidInput, msg("cli.synth.numbers"));
  }
  o.out_dir = c.args().get("out");
  o.single_file = c.args().has("single-file");
  if (c.args().has("as-of")) o.as_of = asOfDate(c.args());
  o.progress = [&c](int64_t n) { c.err() << "  ... " << n << " students\n" << std::flush; };
  const auto s = registry::synthesize(o);
  if (c.json()) {
    Poco::JSON::Object j;
    json::set(j, "out", o.out_dir, "students", s.students, "households", s.households, "schools",
              s.schools, "counties", s.counties, "roster_rows", s.roster_rows, "roll_files",
              s.roll_files, "bad_rows", s.bad_rows);
    c.out() << toJson(j) << "\n";
  } else {
    c.out() << c.text(msg("cli.synth.done",
                          {arg("dir", o.out_dir), arg("students", s.students),
                           arg("households", s.households), arg("schools", s.schools),
                           arg("counties", s.counties), arg("rolls", s.roll_files),
                           arg("roster", s.roster_rows), arg("bad", s.bad_rows)}))
            << "\n";
  }
  return kExitOk;
}

int dispatch(Context& c) {
  const auto& w = c.args().words;
  if (w.empty() || c.args().has("help") || w[0] == "help") {
    c.out() << usageText(c.lang());
    return w.empty() && !c.args().has("help") ? kExitUsage : kExitOk;
  }
  const std::string& cmd = w[0];
  const std::string sub = w.size() > 1 ? w[1] : "";
  if (cmd == "keygen") return cmdKeygen(c);
  if (cmd == "migrate") return cmdMigrate(c);
  if (cmd == "synth") return cmdSynth(c);
  if (cmd == "import" && (sub == "schools" || sub == "regions")) return cmdImportReference(c, sub);
  if (cmd == "import" && sub == "roll") return cmdImportRoll(c);
  if (cmd == "student" && sub == "show") return cmdStudentShow(c);
  if (cmd == "student" && sub == "merge") return cmdStudentMerge(c);
  if (cmd == "import" && sub == "roster") return cmdImportRoster(c);
  if (cmd == "import" && sub == "nominations") return cmdImportNominations(c);
  if (cmd == "policy") return cmdPolicy(c);
  if (cmd == "user") return cmdUser(c);
  if (cmd == "audit") return cmdAudit(c);
  if (cmd == "batch") return cmdBatch(c);
  if (cmd == "budget") return cmdBudget(c);
  if (cmd == "notice") return cmdNotice(c);
  if (cmd == "objection") return cmdObjection(c);
  if (cmd == "complaint") return cmdComplaint(c);
  if (cmd == "identify") return cmdIdentify(c);
  if (cmd == "bank") return cmdBank(c);
  if (cmd == "file") return cmdFile(c);
  if (cmd == "account") return cmdAccount(c);
  if (cmd == "school") return cmdSchool(c);
  if (cmd == "reconcile") return cmdReconcile(c);
  if (cmd == "entitle") return cmdEntitle(c);
  if (cmd == "explain") return cmdExplain(c);
  if (cmd == "report" && sub == "dropouts") return cmdReportDropouts(c);
  if (cmd == "report" && sub == "decisions") return reportDecisions(c);
  throw Error(ErrorCode::kInvalidInput,
              msg("cli.unknown_command", {arg("command", cmd + (sub.empty() ? "" : " " + sub))}));
}

}  // namespace

int runCli(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  bool json = false;
  Lang lang = langFromEnvironment();
  try {
    const Args args = parseArgs(argv);
    json = args.has("json");
    lang = cliLang(args);
    Context c(args, out, err);
    return dispatch(c);
  } catch (const Error& e) {
    if (json) {
      Poco::JSON::Object o;
      Poco::JSON::Object inner;
      inner.set("code", errorCodeName(e.code()));
      inner.set("message", i18n::render(e.message(), lang));
      if (!e.message().isLiteral()) {
        inner.set("message_code", e.message().code());
        inner.set("args", api::messageArgs(e.message(), lang));
      }
      o.set("error", inner);
      out << toJson(o) << "\n";
    }
    err << "edupay: " << i18n::render(e.message(), lang)
        << (e.detail().empty() ? "" : " (" + e.detail() + ")") << "\n";
    return exitCodeFor(e.code());
  } catch (const std::exception& e) {
    err << "edupay: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace edupay::app
