#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/ResidentId.h"
#include "registry/RollImporter.h"
#include "security/FieldCipher.h"
#include "store/Database.h"
#include "store/Migrations.h"
#include "store/SqlRegistryStore.h"
#include "store/TestDb.h"

namespace edupay::testing {

/// A valid 18-character resident ID for a region, birth date and sequence (odd = male).
inline std::string makeId(const std::string& region, const std::string& yyyymmdd, int seq) {
  std::string s = std::to_string(seq);
  std::string first17 = region + yyyymmdd + std::string(3 - s.size(), '0') + s;
  return first17 + ResidentId::checkCharacter(first17);
}

/// Builds roll CSV text row by row: `RollBuilder().student(...).set("grade", "3")...`.
class RollBuilder {
 public:
  static const std::vector<std::string>& columns() {
    static const std::vector<std::string> kColumns = {"resident_id",
                                                      "name",
                                                      "sex",
                                                      "birth_date",
                                                      "ethnicity",
                                                      "school_code",
                                                      "stage",
                                                      "grade",
                                                      "class",
                                                      "major",
                                                      "agri_major",
                                                      "boarding",
                                                      "enroll_date",
                                                      "status",
                                                      "status_date",
                                                      "household_id",
                                                      "hukou_region",
                                                      "hukou_type",
                                                      "guardian_name",
                                                      "guardian_id",
                                                      "difficulty_level",
                                                      "claimed_categories",
                                                      "bank_account",
                                                      "bank_code",
                                                      "account_holder",
                                                      "account_kind"};
    return kColumns;
  }
  /// A primary-school pupil born in 2017 (seq odd -> male) at school 4301210001.
  RollBuilder& student(int seq, const std::string& name = "张三") {
    std::map<std::string, std::string> r;
    r["resident_id"] = makeId("430121", "20170315", seq);
    r["name"] = name;
    r["sex"] = seq % 2 ? "M" : "F";
    r["birth_date"] = "2017-03-15";
    r["ethnicity"] = "汉族";
    r["school_code"] = "4301210001";
    r["stage"] = "primary";
    r["grade"] = "4";
    r["class"] = "4年级1班";
    r["agri_major"] = "N";
    r["boarding"] = "N";
    r["enroll_date"] = "2023-09-01";
    r["status"] = "active";
    r["household_id"] = "H" + std::to_string(seq);
    r["hukou_region"] = "430121";
    r["hukou_type"] = "rural";
    r["guardian_name"] = "张父" + std::to_string(seq);
    r["guardian_id"] = makeId("430121", "19850101", seq);
    r["difficulty_level"] = "difficult";
    r["claimed_categories"] = "dibao";
    r["bank_account"] = "6222021234567890128";
    r["bank_code"] = "102551000011";
    r["account_holder"] = name;
    r["account_kind"] = "student_card";
    rows_.push_back(r);
    return *this;
  }
  RollBuilder& set(const std::string& column, const std::string& value) {
    rows_.back()[column] = value;
    return *this;
  }
  RollBuilder& repeatLast() {
    rows_.push_back(rows_.back());
    return *this;
  }
  std::string csv() const {
    std::string out;
    for (size_t i = 0; i < columns().size(); ++i) out += (i ? "," : "") + columns()[i];
    out += "\n";
    for (const auto& r : rows_) {
      for (size_t i = 0; i < columns().size(); ++i) {
        auto it = r.find(columns()[i]);
        out += (i ? "," : "") + (it == r.end() ? std::string() : it->second);
      }
      out += "\n";
    }
    return out;
  }

 private:
  std::vector<std::map<std::string, std::string>> rows_;
};

/// A migrated scratch database with a key, a region and two primary schools.
class RegistryFixture {
 public:
  explicit RegistryFixture(const std::string& backend)
      : scratch(backend), db(scratch.open()), store(*db), cipher(key(1)) {
    store::migrate(*db);
    const std::string schools = writeFile(scratch.dir(), "schools.csv",
                                          "school_code,name,region_code,stages,ownership\n"
                                          "4301210001,一小,430121,primary;junior,public\n"
                                          "4301210002,二小,430121,primary,public\n"
                                          "4301210003,一幼,430121,preschool,private\n");
    (void)registry::importSchools(store, schools);
  }

  static security::FieldCipher key(uint8_t fill) {
    std::array<uint8_t, security::FieldCipher::kKeyBytes> k{};
    k.fill(fill);
    return security::FieldCipher(k);
  }

  registry::RollImportResult import(const std::string& csv,
                                    registry::RollImportOptions options = {}) {
    const std::string path =
        writeFile(scratch.dir(), "roll" + std::to_string(files_++) + ".csv", csv);
    if (options.as_of == Date::today()) options.as_of = *Date::fromYmd(2026, 10, 8);
    return registry::importRoll(store, cipher, path, options);
  }

  int64_t count(const std::string& table, const std::string& where = "1=1") {
    return store::queryInt(*db, "SELECT COUNT(*) FROM " + table + " WHERE " + where);
  }

  ScratchDatabase scratch;
  std::unique_ptr<store::Database> db;
  store::SqlRegistryStore store;
  security::FieldCipher cipher;

 private:
  int files_ = 0;
};

}  // namespace edupay::testing
