#include "registry/Synth.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "domain/Codes.h"
#include "registry/RollValidator.h"
#include "registry/SynthParts.h"

namespace edupay::registry {
namespace {

using namespace synth;

using text::zeroPad;

class Generator {
 public:
  explicit Generator(const SynthOptions& o) : o_(o), rng_(o.seed) {}

  SynthSummary run() {
    ::mkdir(o_.out_dir.c_str(), 0755);
    ::mkdir((o_.out_dir + "/rosters").c_str(), 0755);
    ::mkdir((o_.out_dir + "/nominations").c_str(), 0755);
    if (!o_.single_file) ::mkdir((o_.out_dir + "/roll").c_str(), 0755);
    planRegions();
    planSchools();
    openRosters();
    std::unique_ptr<AtomicFileWriter> single;
    std::unique_ptr<CsvWriter> single_csv;
    if (o_.single_file) {
      single = std::make_unique<AtomicFileWriter>(o_.out_dir + "/roll.csv");
      single_csv = std::make_unique<CsvWriter>(single->stream(), CsvWriter::Options{});
      single_csv->writeRow(header(false));
      summary_.roll_files = 1;
    }
    int64_t remaining = o_.students;
    for (size_t c = 0; c < counties_.size(); ++c) {
      const int64_t share = c + 1 == counties_.size()
                                ? remaining
                                : o_.students / static_cast<int64_t>(counties_.size());
      std::vector<Student> students = generateCounty(c, share);
      remaining -= static_cast<int64_t>(students.size());
      if (single_csv) {
        for (const auto& s : students) single_csv->writeRow(row(s));
      } else {
        writePerSchool(students);
      }
    }
    if (single) single->commit();
    for (auto& [name, r] : rosters_) r.file->commit();
    for (auto& [name, n] : nominations_) n.file->commit();
    writeSchools();
    writeRegions();
    if (o_.bad_rows) writeBadRows();
    summary_.schools = static_cast<int64_t>(schools_.size());
    summary_.counties = static_cast<int64_t>(counties_.size());
    return summary_;
  }

 private:
  struct Roster {
    std::unique_ptr<AtomicFileWriter> file;
    std::unique_ptr<CsvWriter> csv;
  };

  void planRegions() {
    const int64_t n = std::clamp<int64_t>(o_.students / 25000, 3, 120);
    for (int64_t i = 0; i < n; ++i) {
      const City& city = kCities[static_cast<size_t>(i) % kCities.size()];
      const int64_t k = i / static_cast<int64_t>(kCities.size());
      const std::string code = std::string(city.code).substr(0, 4) + zeroPad(21 + k, 2);
      counties_.push_back(code);
      county_names_.push_back(std::string(city.name) + "第" + std::to_string(k + 1) + "县");
    }
  }

  void planSchools() {
    // Stages per county, sized at roughly 400 students a school.
    const int64_t per_county =
        std::max<int64_t>(1, o_.students / static_cast<int64_t>(counties_.size()));
    const std::array<std::pair<Stage, int>, 5> local{{{Stage::kPreschool, 15},
                                                      {Stage::kPrimary, 38},
                                                      {Stage::kJunior, 18},
                                                      {Stage::kSenior, 11},
                                                      {Stage::kSecVoc, 6}}};
    for (size_t c = 0; c < counties_.size(); ++c) {
      int seq = 1;
      for (const auto& [stage, pct] : local) {
        const int64_t n = std::max<int64_t>(1, per_county * pct / 100 / 400);
        for (int64_t i = 0; i < n; ++i) {
          SynthSchool s;
          s.code = "1" + counties_[c] + zeroPad(seq++, 3);
          s.name = county_names_[c] + std::string(domain::chineseLabel(stage)) +
                   std::to_string(i + 1) + "校";
          s.region = counties_[c];
          s.stages = {stage};
          s.is_public = !rng_.chance(1500);
          by_stage_[{c, stage}].push_back(schools_.size());
          schools_.push_back(std::move(s));
        }
      }
    }
    // Higher education sits in the provincial capital's counties.
    const int64_t higher = std::max<int64_t>(2, o_.students * 12 / 100 / 4000);
    for (int64_t i = 0; i < higher; ++i) {
      SynthSchool s;
      const bool voc = i % 2 == 1;
      s.code = "4143" + zeroPad(10000 + i, 6);
      s.name = voc ? "湖南第" + std::to_string(i + 1) + "职业技术学院"
                   : "湖南第" + std::to_string(i + 1) + "大学";
      s.region = counties_[0];
      s.stages = voc ? std::vector<Stage>{Stage::kHigherVoc}
                     : std::vector<Stage>{Stage::kUndergrad, Stage::kMaster, Stage::kPhd};
      higher_.push_back(schools_.size());
      schools_.push_back(std::move(s));
    }
    for (size_t i = 0; i < schools_.size(); ++i) schools_[i].chinese_gbk = i % 3 == 2;
  }

  std::string name() {
    std::string n = rng_.pick(kSurnames);
    n += rng_.pick(kGiven);
    if (rng_.chance(7000)) n += rng_.pick(kGiven);
    return n;
  }

  Date birthForAge(int age) {
    const Date start = *Date::fromYmd(o_.as_of.year() - age - 1, o_.as_of.month(), o_.as_of.day());
    for (;;) {
      const Date d = start.addDays(1 + rng_.below(365));
      if (o_.as_of.yearsSince(d) == age) return d;
    }
  }

  Person person(const std::string& region, int age, std::optional<Sex> sex = std::nullopt) {
    Person p;
    p.birth = birthForAge(age);
    p.sex = sex ? *sex : (rng_.chance(5200) ? Sex::kMale : Sex::kFemale);
    p.name = name();
    for (;;) {
      int seq = static_cast<int>(rng_.below(500)) * 2 + (p.sex == Sex::kMale ? 1 : 0);
      std::string first17 = region + zeroPad(p.birth.year(), 4) + zeroPad(p.birth.month(), 2) +
                            zeroPad(p.birth.day(), 2) + zeroPad(seq, 3);
      if (!used_ids_.insert(std::stoull(first17)).second) continue;
      p.id = first17 + ResidentId::checkCharacter(first17);
      return p;
    }
  }

  std::string cardNumber() {
    std::string digits = "62" + zeroPad(rng_.below(1000000), 6) +
                         zeroPad(rng_.below(100000000), 8) + zeroPad(rng_.below(100), 2);
    // Luhn check digit for a 19-digit debit card.
    for (char c = '0'; c <= '9'; ++c) {
      if (BankAccountNumber::luhn(digits + c)) return digits + c;
    }
    return digits + '0';
  }
  std::string bankCode(const std::string& region) {
    return std::string(rng_.pick(kBanks)) + region.substr(0, 4) + zeroPad(rng_.below(100000), 5);
  }

  std::vector<Status> statusHistory() {
    std::vector<Status> st;
    const int64_t r = rng_.below(10000);
    if (r < 800) {
      st.push_back(
          {"registered_poor", "2016-0" + std::to_string(1 + rng_.below(9)) + "-01", "2020-12-31"});
      st.push_back({"poverty_exited", "2021-01-01", ""});
      if (rng_.chance(2500)) st.push_back({"monitored_unstable", "2022-03-01", ""});
    } else if (r < 1100) {
      const char* kinds[] = {"monitored_edge", "monitored_sudden", "monitored_unstable"};
      Status s{kinds[rng_.below(3)], "2022-0" + std::to_string(1 + rng_.below(9)) + "-15", ""};
      if (rng_.chance(1500)) s.to = "2026-06-30";  // risk eliminated before the autumn term
      st.push_back(s);
    } else if (r < 1500) {
      st.push_back({"dibao", "2023-01-01", rng_.chance(2000) ? "2026-10-31" : ""});
    } else if (r < 1550) {
      st.push_back({"tekun", "2020-01-01", ""});
    } else if (r < 1650) {
      st.push_back({"disabled_parent", "2019-05-01", ""});
    }
    return st;
  }

  static std::string sourceOf(const std::string& category) {
    if (category == "dibao" || category == "tekun") return "civil_affairs";
    if (category == "disabled_student" || category == "disabled_parent") return "disabled";
    if (category == "orphan") return "orphan";
    return "poverty";
  }

  /// Scholarship nominations, as schools' evaluation committees would send them: a few per cent
  /// of the students in year 2 or later.
  void nominate(const Student& s) {
    auto add = [&](const char* programme) {
      auto& n = nominations_[programme];
      if (!n.file) {
        n.file = std::make_unique<AtomicFileWriter>(o_.out_dir + "/nominations/" + programme + "-" +
                                                    std::to_string(academicYear()) + ".csv");
        n.csv = std::make_unique<CsvWriter>(n.file->stream(), CsvWriter::Options{});
        n.csv->writeRow({"resident_id", "name"});
      }
      n.csv->writeRow({s.p.id, s.p.name});
    };
    const bool higher = s.stage == Stage::kUndergrad || s.stage == Stage::kHigherVoc;
    if (higher && s.grade >= 2) {
      if (rng_.chance(300)) add("higher_national_scholarship");
      if (s.difficulty != "none" && rng_.chance(1500)) add("higher_encouragement_scholarship");
    }
    if (s.stage == Stage::kSecVoc && s.grade >= 2 && rng_.chance(500))
      add("secvoc_national_scholarship");
  }
  int academicYear() const { return o_.as_of.month() >= 8 ? o_.as_of.year() : o_.as_of.year() - 1; }

  void openRosters() {
    for (const char* n : {"poverty", "civil_affairs", "disabled", "orphan"}) {
      Roster r;
      r.file = std::make_unique<AtomicFileWriter>(o_.out_dir + "/rosters/" + n + ".csv");
      r.csv = std::make_unique<CsvWriter>(r.file->stream(), CsvWriter::Options{});
      r.csv->writeRow(
          {"resident_id", "name", "household_id", "category", "valid_from", "valid_to", "region"});
      rosters_[n] = std::move(r);
    }
  }

  void rosterRow(const Person& p, const std::string& household, const Status& s,
                 const std::string& region) {
    rosters_[sourceOf(s.category)].csv->writeRow(
        {p.id, p.name, household, s.category, s.from, s.to, region});
    ++summary_.roster_rows;
  }

  bool activeOn(const Status& s) const {
    const std::string d = o_.as_of.str();
    return s.from <= d && (s.to.empty() || s.to >= d);
  }

  void placeInSchool(Student& s, size_t county, int age) {
    if (age <= 5) {
      s.stage = Stage::kPreschool;
      s.grade = age - 2;
    } else if (age <= 11) {
      s.stage = Stage::kPrimary;
      s.grade = age - 5;
    } else if (age <= 14) {
      s.stage = Stage::kJunior;
      s.grade = age - 11;
    } else if (age <= 17) {
      s.stage = rng_.chance(6500) ? Stage::kSenior : Stage::kSecVoc;
      s.grade = age - 14;
    } else if (age <= 21) {
      s.stage = (age <= 20 && rng_.chance(4000)) ? Stage::kHigherVoc : Stage::kUndergrad;
      s.grade = age - 17;
    } else if (age <= 24) {
      s.stage = Stage::kMaster;
      s.grade = age - 21;
    } else {
      s.stage = Stage::kPhd;
      s.grade = age - 24;
    }
    if (s.stage == Stage::kHigherVoc || s.stage == Stage::kUndergrad || s.stage == Stage::kMaster ||
        s.stage == Stage::kPhd) {
      std::vector<size_t> fit;
      for (size_t h : higher_) {
        const auto& st = schools_[h].stages;
        if (std::find(st.begin(), st.end(), s.stage) != st.end()) fit.push_back(h);
      }
      s.school = fit[static_cast<size_t>(rng_.below(static_cast<int64_t>(fit.size())))];
    } else {
      const auto& list = by_stage_.at({county, s.stage});
      s.school = list[static_cast<size_t>(rng_.below(static_cast<int64_t>(list.size())))];
    }
    s.enroll =
        *Date::fromYmd(o_.as_of.year() - (s.grade - 1) - (o_.as_of.month() < 9 ? 1 : 0), 9, 1);
    s.class_name = std::to_string(s.grade) + "年级" + std::to_string(1 + rng_.below(6)) + "班";
    if (s.stage == Stage::kSecVoc || s.stage == Stage::kHigherVoc) {
      static constexpr std::array<const char*, 6> kMajors{
          "现代农艺技术", "畜禽生产技术", "计算机应用", "汽车运用与维修", "电子商务", "舞蹈表演"};
      const size_t m = static_cast<size_t>(rng_.below(6));
      s.major = kMajors[m];
      s.agri = m < 2;
    } else if (s.stage == Stage::kUndergrad || s.stage == Stage::kMaster ||
               s.stage == Stage::kPhd) {
      static constexpr std::array<const char*, 5> kMajors{"农学", "计算机科学与技术", "临床医学",
                                                          "汉语言文学", "机械工程"};
      const size_t m = static_cast<size_t>(rng_.below(5));
      s.major = kMajors[m];
      s.agri = m == 0;
    }
    s.boarding = s.stage != Stage::kPreschool && (s.stage >= Stage::kSenior || rng_.chance(3000));
    if (rng_.chance(150)) {
      s.status = "suspended";
      const int64_t enrolled_days = o_.as_of.daysSinceEpoch() - s.enroll.daysSinceEpoch();
      s.status_date =
          o_.as_of.addDays(-rng_.below(std::clamp<int64_t>(enrolled_days, 1, 200))).str();
    }
  }

  std::vector<Student> generateCounty(size_t c, int64_t target) {
    std::vector<Student> out;
    out.reserve(static_cast<size_t>(target));
    const std::string& region = counties_[c];
    int64_t hh_seq = 0;
    while (static_cast<int64_t>(out.size()) < target) {
      const std::string household = "H" + region + zeroPad(++hh_seq, 7);
      ++summary_.households;
      const int kids = std::min<int64_t>(target - static_cast<int64_t>(out.size()),
                                         rng_.chance(5000) ? 1 : (rng_.chance(7000) ? 2 : 3));
      // Ages 3-17 mostly; some 18-21 (higher education) and a few 22-26 (postgraduates).
      const int oldest = static_cast<int>(
          rng_.chance(8800) ? 3 + rng_.below(15)
                            : (rng_.chance(8500) ? 18 + rng_.below(4) : 22 + rng_.below(5)));
      const Person guardian = person(region, oldest + 22 + static_cast<int>(rng_.below(16)));
      const auto statuses = statusHistory();
      const bool rural = !statuses.empty() ? rng_.chance(8500) : rng_.chance(5500);
      std::string claimed;
      for (const auto& s : statuses) {
        rosterRow(guardian, household, s, region);
        if (activeOn(s)) claimed += (claimed.empty() ? "" : ";") + s.category;
      }
      // A claim no roster confirms (the cross-check must catch it) and a confirmed status the
      // school did not claim.
      if (statuses.empty() && rng_.chance(150)) claimed = "dibao";
      if (!claimed.empty() && rng_.chance(300)) claimed.clear();
      const bool one_card = !statuses.empty() && rng_.chance(6000);
      const std::string household_card = one_card ? cardNumber() : "";
      const std::string household_bank = bankCode(region);
      // Some roster households have a school-age child on no roll (possible drop-out).
      if (!statuses.empty() && rng_.chance(200)) {
        const Person missing = person(region, 7 + static_cast<int>(rng_.below(9)));
        rosterRow(missing, household, statuses.back(), region);
      }
      int age = oldest;
      for (int k = 0; k < kids && age >= 3; ++k) {
        Student s;
        s.p = person(region, age);
        s.ethnicity = rng_.pick(kEthnic);
        s.household = household;
        s.hukou = region;
        s.rural = rural;
        s.guardian_name = guardian.name;
        s.guardian_id = guardian.id;
        s.categories = claimed;
        if (rng_.chance(40)) {
          // Disabled student: their own roster row.
          Status d{"disabled_student", "2020-06-01", ""};
          rosterRow(s.p, household, d, region);
          s.categories += (s.categories.empty() ? "" : ";") + d.category;
        }
        placeInSchool(s, c, age);
        if (claimed.find("registered_poor") != std::string::npos ||
            claimed.find("tekun") != std::string::npos) {
          s.difficulty = "especially";
        } else if (!claimed.empty()) {
          s.difficulty = rng_.chance(5000) ? "especially" : "difficult";
        } else if (rng_.chance(800)) {
          s.difficulty = "generally";
        }
        // Payee account.
        const int64_t a = rng_.below(10000);
        if (one_card) {
          s.account = household_card;
          s.bank_code = household_bank;
          s.holder = guardian.name;
          s.kind = "one_card";
        } else if (a < 7800) {
          s.account = cardNumber();
          s.bank_code = bankCode(region);
          s.holder = s.p.name;
          s.kind = "student_card";
        } else if (a < 9300) {
          s.account = "4" + zeroPad(rng_.below(100000000), 8) +
                      zeroPad(rng_.below(100000000), 8);  // passbook
          s.bank_code = bankCode(region);
          s.holder = guardian.name;
          s.kind = "passbook";
        } else if (a < 9310 && !shared_.empty()) {
          // One account collecting for unrelated students: the fraud flag must find it.
          s.account =
              shared_[static_cast<size_t>(rng_.below(static_cast<int64_t>(shared_.size())))];
          s.bank_code = "105" + region.substr(0, 4) + "00001";
          s.holder = "代理人";
          s.kind = "student_card";
        }
        if (a >= 9300 && a < 9302 && shared_.size() < 5) shared_.push_back(cardNumber());
        nominate(s);
        out.push_back(std::move(s));
        age -= 1 + static_cast<int>(rng_.below(4));
        if (o_.progress && (summary_.students + static_cast<int64_t>(out.size())) % 100000 == 0) {
          o_.progress(summary_.students + static_cast<int64_t>(out.size()));
        }
      }
    }
    summary_.students += static_cast<int64_t>(out.size());
    return out;
  }

  /// Every roll column in the order of RollColumn but the student number (the files carry IDs).
  static std::vector<std::string> header(bool chinese) {
    std::vector<std::string> out;
    for (int i = 0; i <= static_cast<int>(RollColumn::kAccountKind); ++i) {
      const auto c = static_cast<RollColumn>(i);
      if (c == RollColumn::kStudentNo) continue;
      out.emplace_back(chinese ? RollHeader::chineseName(c) : RollHeader::englishName(c));
    }
    return out;
  }

  std::vector<std::string> row(const Student& s) const {
    return {s.p.id,
            s.p.name,
            s.p.sex == Sex::kMale ? "M" : "F",
            s.p.birth.str(),
            s.ethnicity,
            schools_[s.school].code,
            std::string(domain::code(s.stage)),
            std::to_string(s.grade),
            s.class_name,
            s.major,
            s.agri ? "Y" : "N",
            s.boarding ? "Y" : "N",
            s.enroll.str(),
            s.status,
            s.status_date,
            s.household,
            s.hukou,
            s.rural ? "rural" : "urban",
            s.guardian_name,
            s.guardian_id,
            s.difficulty,
            s.categories,
            s.account,
            s.bank_code,
            s.holder,
            s.kind};
  }

  void writePerSchool(const std::vector<Student>& students) {
    std::map<size_t, std::vector<const Student*>> by_school;
    for (const auto& s : students) by_school[s.school].push_back(&s);
    for (const auto& [idx, list] : by_school) {
      const SynthSchool& school = schools_[idx];
      // Higher-education schools gather students from many counties: one file per county part.
      const std::string path =
          o_.out_dir + "/roll/" + school.code + "-" + list.front()->hukou + ".csv";
      AtomicFileWriter file(path);
      CsvWriter::Options opt;
      if (school.chinese_gbk) opt.encoding = TextEncoding::kGb18030;
      CsvWriter csv(file.stream(), opt);
      csv.writeRow(header(school.chinese_gbk));
      for (const auto* s : list) csv.writeRow(row(*s));
      file.commit();
      ++summary_.roll_files;
    }
  }

  void writeSchools() {
    AtomicFileWriter file(o_.out_dir + "/schools.csv");
    CsvWriter csv(file.stream());
    csv.writeRow({"school_code", "name", "region_code", "stages", "ownership", "bank_code",
                  "bank_account", "account_holder"});
    for (const auto& s : schools_) {
      std::string stages;
      for (auto st : s.stages)
        stages += (stages.empty() ? "" : ";") + std::string(domain::code(st));
      // The school's basic account at its CCB branch (fee waivers are paid into it), derived
      // from the school code so the rest of the province stays as it was; the holder is the
      // school's name (left empty: the import takes the name).
      csv.writeRow({s.code, s.name, s.region, stages, s.is_public ? "public" : "private",
                    "105" + s.region.substr(0, 4) + "10000", "43050" + s.code + "0001", ""});
    }
    file.commit();
  }

  void writeRegions() {
    AtomicFileWriter file(o_.out_dir + "/regions.csv");
    CsvWriter csv(file.stream());
    csv.writeRow({"code", "name", "parent_code", "level"});
    csv.writeRow({"430000", "湖南省", "", "province"});
    std::vector<std::string> cities;
    for (const auto& c : counties_) {
      const std::string city = c.substr(0, 4) + "00";
      if (std::find(cities.begin(), cities.end(), city) == cities.end()) cities.push_back(city);
    }
    std::sort(cities.begin(), cities.end());
    for (const auto& city : cities) {
      for (const auto& k : kCities) {
        if (city == k.code) csv.writeRow({city, k.name, "430000", "city"});
      }
    }
    for (size_t i = 0; i < counties_.size(); ++i) {
      csv.writeRow({counties_[i], county_names_[i], counties_[i].substr(0, 4) + "00", "county"});
    }
    file.commit();
  }

  void writeBadRows() {
    AtomicFileWriter file(o_.out_dir + "/roll-bad.csv");
    CsvWriter csv(file.stream());
    csv.writeRow(header(false));
    const size_t primary = by_stage_.at({0, Stage::kPrimary}).front();
    auto good = [&](int age) {
      Student s;
      s.p = person(counties_[0], age);
      s.ethnicity = "汉族";
      s.household = "H" + counties_[0] + "9" + zeroPad(rng_.below(1000000), 6);
      s.hukou = counties_[0];
      Person g = person(counties_[0], 35);
      s.guardian_name = g.name;
      s.guardian_id = g.id;
      placeInSchool(s, 0, age);
      s.school = primary;
      s.stage = Stage::kPrimary;
      s.grade = age - 5;
      s.enroll = *Date::fromYmd(o_.as_of.year() - (s.grade - 1), 9, 1);
      s.account = cardNumber();
      s.bank_code = bankCode(counties_[0]);
      s.holder = s.p.name;
      s.kind = "student_card";
      return s;
    };
    std::vector<std::vector<std::string>> rows;
    rows.push_back(row(good(8)));
    rows.push_back(row(good(9)));
    auto bad = [&](int col, const std::string& value) {
      auto r = row(good(10));
      r[static_cast<size_t>(col)] = value;
      rows.push_back(r);
    };
    {  // wrong check character
      auto r = row(good(7));
      r[0][17] = r[0][17] == '1' ? '2' : '1';
      rows.push_back(r);
    }
    {  // birth date disagrees with the ID
      auto r = row(good(9));
      r[3] = Date::parse(r[3])->addDays(3).str();
      rows.push_back(r);
    }
    {  // sex disagrees with the ID
      auto r = row(good(9));
      r[2] = r[2] == "M" ? "F" : "M";
      rows.push_back(r);
    }
    bad(5, "4399999999");          // unknown school
    bad(7, "9");                   // grade out of range for primary
    bad(22, "6222-ABCD-0000");     // account number with letters
    bad(21, "rich");               // unknown category
    bad(12, "2099-09-01");         // enroll date in the future
    bad(11, "maybe");              // boarding not Y/N
    rows.push_back(rows.front());  // the same student twice
    for (const auto& r : rows) csv.writeRow(r);
    summary_.bad_rows = static_cast<int64_t>(rows.size()) - 2;
    file.commit();
  }

  const SynthOptions& o_;
  Rng rng_;
  SynthSummary summary_;
  std::vector<std::string> counties_, county_names_;
  std::vector<SynthSchool> schools_;
  std::map<std::pair<size_t, Stage>, std::vector<size_t>> by_stage_;
  std::vector<size_t> higher_;
  std::unordered_set<uint64_t> used_ids_;
  std::map<std::string, Roster> rosters_;
  std::map<std::string, Roster> nominations_;
  std::vector<std::string> shared_;
};

}  // namespace

SynthSummary synthesize(const SynthOptions& options) {
  if (options.students < 1) throw Error(ErrorCode::kInvalidInput, "--students must be at least 1");
  if (options.out_dir.empty()) throw Error(ErrorCode::kInvalidInput, "--out DIR is required");
  Generator g(options);
  return g.run();
}

}  // namespace edupay::registry
