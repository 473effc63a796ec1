#pragma once

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/Money.h"
#include "common/StoreTransaction.h"
#include "common/Term.h"
#include "security/Users.h"

namespace edupay::disburse {

/// One line of a public notice: only what POLICY.md allows to be shown.
struct NoticeEntry {
  std::string name, school, stage, grade, major, class_name, programme;
  Money amount;
};

struct NoticeInfo {
  int64_t id = 0;
  std::string term, programme, school_code, school_name, published_by, published_on, window_ends;
  std::string programme_name;  ///< the programme's Chinese name (the policy's name_zh)
  std::string contact;         ///< where and how to object (configuration), printed as it is
  int64_t entries = 0;
  Money total;
};

/// What a posted notice says beyond its rows: the programme's Chinese name and where families
/// object (school and county phone or office, from configuration: `notice.contact` for the
/// service, EDUPAY_NOTICE_CONTACT for the command line).
struct NoticeWording {
  std::string programme_name;
  std::string contact;
};

/// The words a notice uses when configuration gives none: where to object, after 「请在公示期内」
/// (a configured text that starts with 请 is read without it).
inline constexpr const char* kDefaultNoticeContact =
    "向本校学生资助工作负责人或县（区）学生资助管理中心反映";

/// Renders the printable HTML notice, in Chinese only, fit to post: 「XX学校 2026年秋季学期
/// XX 公示」, the notice period with weekdays, where to object; names, classes and amounts only
/// (escaped, self-contained, no external resources).
std::string renderNoticeHtml(const NoticeInfo& info, const std::vector<NoticeEntry>& entries);
/// Renders the CSV notice (Chinese header + one row per entry), UTF-8 with a BOM for Excel.
std::string renderNoticeCsv(const std::vector<NoticeEntry>& entries,
                            const std::string& programme_name = {});

/// Persistence of notices and objections (implemented in src/store).
class NoticeStore {
 public:
  virtual ~NoticeStore() = default;
  virtual std::unique_ptr<StoreTransaction> transaction() = 0;
  /// School id, name and region; nullopt when the code is unknown.
  virtual std::optional<std::tuple<int64_t, std::string, std::string>> school(
      const std::string& code) = 0;
  /// Eligible entitlements of the programme and term for students enrolled at the school.
  virtual std::vector<NoticeEntry> noticeEntries(const std::string& programme, const Term& term,
                                                 int64_t school_id) = 0;
  virtual int64_t saveNotice(const NoticeInfo& info, int64_t school_id,
                             const std::string& sha256) = 0;
  /// For a batch: schools whose students it pays, with the latest notice window end ("" if none).
  virtual std::vector<std::pair<std::string, std::string>> noticeWindows(int64_t batch_id) = 0;
  virtual int64_t openObjections(int64_t batch_id) = 0;
  /// The entitlement of a student (by resident-ID blind index) for programme and term.
  virtual std::optional<std::pair<int64_t, std::string>> entitlementFor(
      const std::string& rid_hash, const std::string& programme, const Term& term) = 0;
  virtual int64_t addObjection(int64_t entitlement_id, const std::string& user,
                               const std::string& text) = 0;
  /// Error(kConflict) when not open.
  virtual void resolveObjection(int64_t id, const std::string& user, const std::string& decision,
                                const std::string& resolution) = 0;
  virtual std::optional<std::string> objectionRegion(int64_t id) = 0;
};

struct PublishResult {
  NoticeInfo info;
  std::string html_path, csv_path;
};
/// `edupay notice publish`: a bureau officer (or the school's administrator) publishes the
/// notice of one school; the files are written atomically; the window is `working_days` working
/// days on `calendar`. Audited.
PublishResult publishNotice(NoticeStore& store, security::SecurityStore& audit,
                            const security::User& user, const std::string& programme,
                            const Term& term, const std::string& school_code,
                            const std::string& out_dir, const HolidayCalendar& calendar,
                            const Date& today, int working_days = 5,
                            const NoticeWording& wording = {});

/// An objection against a student's entitlement (found by resident-ID blind index), recorded by
/// a bureau officer in scope; it holds the payment until resolved. Audited; returns its id.
int64_t addObjection(NoticeStore& store, security::SecurityStore& audit, const security::User& user,
                     const std::string& rid_hash, const std::string& programme, const Term& term,
                     const std::string& text);
/// `decision` is upheld (the student is not paid) or dismissed. Audited.
void resolveObjection(NoticeStore& store, security::SecurityStore& audit,
                      const security::User& user, int64_t id, const std::string& decision,
                      const std::string& reason);

/// Why a batch may not be approved yet because of its notices or objections; nullopt when none.
std::optional<Message> noticeRefusal(NoticeStore& store, int64_t batch_id, const Date& today);

}  // namespace edupay::disburse
