#pragma once

// Helpers shared by the fuzz targets: the parsers under test read files, so each input is written
// to one in-memory file per process; every edupay::Error is an expected refusal, anything else that
// escapes is a bug the fuzzer reports.
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/Error.h"
#include "registry/RegistryStore.h"
#include "security/FieldCipher.h"

namespace edupay::fuzz {

/// Puts the input in this process's in-memory file (nothing is left on disk) and returns a path
/// that opens it.
inline const std::string& inputFile(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("edupay-fuzz-input", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
    std::abort();
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
  SchoolAccountChange replaceSchoolAccount(const std::string&,
                                           const SchoolAccountUpdate&) override {
    return {};
  }
  std::optional<SchoolAccountView> schoolAccount(const std::string&) override {
    return std::nullopt;
  }
  std::string schoolRegion(const std::string&) override { return "430121"; }
  std::vector<StudentRow> studentsAt(const std::string&, int64_t, size_t) override { return {}; }
  std::optional<registry::StudentRecord> findStudent(const std::optional<std::string>&,
                                                     const std::string&) override {
    return std::nullopt;
  }
};

}  // namespace edupay::fuzz
