// A budget allocation file (programme,region,fiscal_year,source,allocated).
#include "FuzzInput.h"
#include "disburse/Batches.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  security::User officer;
  officer.name = "officer";
  officer.role = security::Role::kBureauOfficer;
  officer.scope = "43";
  fuzz::refusalsAreFine([&] { (void)disburse::readBudgetFile(officer, path); });
  return 0;
}
