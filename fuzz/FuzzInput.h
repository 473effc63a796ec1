#pragma once

// Helpers shared by the fuzz targets: the parsers under test read files, so each input is written
// to one scratch file per process; every edupay::Error is an expected refusal, anything else that
// escapes is a bug the fuzzer reports.
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/Error.h"
#include "registry/RegistryStore.h"
#include "security/FieldCipher.h"

namespace edupay::fuzz {

/// Writes the input to this process's scratch file and returns its path.
inline const std::string& inputFile(const uint8_t* data, size_t size, const char* suffix = "") {
  static const std::string path =
      "/tmp/edupay-fuzz-" + std::to_string(::getpid()) + std::string(suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

/// Runs `parse`; an edupay::Error is a refusal (fine), anything else escapes to the fuzzer.
template <typename F>
void refusalsAreFine(F&& parse) {
  try {
    parse();
  } catch (const Error&) {
  }
}

/// A field-encryption key for the importers (fixed: nothing is stored).
inline const security::FieldCipher& cipher() {
  static const security::FieldCipher c([] {
    std::array<uint8_t, security::FieldCipher::kKeyBytes> key{};
    key.fill(1);
    return key;
  }());
  return c;
}

/// A registry that stores nothing and knows one school of every stage, so the importers parse
/// and validate everything and write nowhere.
class NullRegistryStore : public registry::RegistryStore {
 public:
  class NullTransaction : public StoreTransaction {
   public:
    void commit() override {}
  };
  std::unique_ptr<StoreTransaction> transaction() override {
    return std::make_unique<NullTransaction>();
  }
  void checkKeyFingerprint(const std::string&) override {}
  std::pair<int64_t, int64_t> upsertRegions(const std::vector<registry::Region>& r) override {
    return {static_cast<int64_t>(r.size()), 0};
  }
  std::pair<int64_t, int64_t> upsertSchools(const std::vector<registry::School>& s) override {
    return {static_cast<int64_t>(s.size()), 0};
  }
  std::vector<registry::School> listSchools() override {
    std::vector<registry::School> out;
    for (const char* code : {"1430121001", "1430121002", "1430121003", "1430121004", "1430121005",
                             "1430181001", "4301210001"}) {
      registry::School s;
      s.code = code;
      s.name = "school";
      s.region_code = std::string(code).substr(0, 6) == "430121" ? "430121" : code + 1;
      s.stages = {domain::Stage::kPreschool, domain::Stage::kPrimary, domain::Stage::kJunior,
                  domain::Stage::kSenior,    domain::Stage::kSecVoc,  domain::Stage::kHigherVoc,
                  domain::Stage::kUndergrad, domain::Stage::kMaster,  domain::Stage::kPhd};
      s.bank_code = "102551000011";
      out.push_back(std::move(s));
    }
    return out;
  }
  int64_t beginImportRun(const std::string&, const std::string&, const std::string&,
                         const Date&) override {
    return 1;
  }
  void finishImportRun(int64_t, int64_t, int64_t, int64_t) override {}
  registry::ApplyCounts applyRollChunk(const registry::ImportContext&,
                                       const std::vector<registry::RollRecord>&,
                                       std::vector<registry::Issue>&) override {
    return {};
  }
  registry::RosterCounts applyRoster(const std::string&, int64_t,
                                     const std::vector<registry::RosterRow>&) override {
    return {};
  }
  std::vector<std::string> replaceNominations(const std::string&, int,
                                              const std::vector<std::string>&) override {
    return {};
  }
  std::vector<registry::MissingChild> rosterChildrenNotEnrolled(const Date&, int, int) override {
    return {};
  }
  int64_t replaceAccount(int64_t, const AccountUpdate&) override { return 1; }
  std::string setDifficulty(int64_t, int, const std::string&, const std::string&) override {
    return "none";
  }
  std::optional<registry::StudentRecord> studentById(int64_t) override { return std::nullopt; }
  void replaceIdentifier(int64_t, const registry::Protected&, const std::string&,
                         const std::string&) override {}
  registry::MergeCounts mergePersons(int64_t, int64_t, const std::string&) override { return {}; }
  std::string schoolRegion(const std::string&) override { return "430121"; }
  std::vector<StudentRow> studentsAt(const std::string&, int64_t, size_t) override { return {}; }
  std::optional<registry::StudentRecord> findStudent(const std::optional<std::string>&,
                                                     const std::string&) override {
    return std::nullopt;
  }
};

}  // namespace edupay::fuzz
