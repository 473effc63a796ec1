// The eligibility engine alone (no database): evaluations per second over a mix of students of
// every stage, category and account situation, against the shipped Hunan policy.
//   edupay_engine_bench [STUDENTS] [POLICY_FILE]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "rules/Engine.h"

using namespace edupay;

namespace {

std::vector<rules::StudentFacts> templates() {
  std::vector<rules::StudentFacts> out;
  const domain::Stage stages[] = {
      domain::Stage::kPreschool, domain::Stage::kPrimary, domain::Stage::kJunior,
      domain::Stage::kSenior,    domain::Stage::kSecVoc,  domain::Stage::kHigherVoc,
      domain::Stage::kUndergrad, domain::Stage::kMaster,  domain::Stage::kPhd};
  const domain::Category cats[] = {domain::Category::kPovertyExited, domain::Category::kDibao,
                                   domain::Category::kMonitoredEdge,
                                   domain::Category::kDisabledStudent};
  int n = 0;
  for (auto stage : stages) {
    for (int variant = 0; variant < 12; ++variant) {
      rules::StudentFacts f;
      f.person_id = ++n;
      f.display = "4301**********0000";
      f.school_id = 1;
      f.school_code = "1430121001";
      f.school_region = "430121";
      f.hukou_region = variant % 5 == 0 ? "430221" : "430121";
      f.rural_hukou = variant % 3 != 0;
      f.stage = stage;
      f.grade = 1 + variant % domain::gradeRange(stage).max;
      f.enroll_date = *Date::fromYmd(2026 - f.grade + 1, 9, 1);
      f.boarding = variant % 2 == 0;
      f.agri_major = variant % 4 == 0;
      if (variant % 3 == 0)
        f.statuses.push_back({cats[variant % 4], "poverty", "430121", "2021-01-01", ""});
      if (variant % 7 == 0)
        f.statuses.push_back({domain::Category::kDibao, "claimed", "1430121001", "2026-09-01", ""});
      if (variant % 2 == 1) f.difficulty = static_cast<domain::DifficultyLevel>(variant % 4);
      if (variant != 11) f.accounts.push_back({1, domain::AccountKind::kStudentCard, "student"});
      if (variant % 3 == 0) f.accounts.push_back({2, domain::AccountKind::kOneCard, "guardian"});
      if (variant == 4) f.nominations.insert("higher_national_scholarship");
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const long students = argc > 1 ? std::stol(argv[1]) : 1000000;
  const std::string file =
      argc > 2 ? argv[2] : std::string(EDUPAY_SOURCE_DIR) + "/policies/hunan.json";
  const rules::Policy policy = rules::loadPolicyFile(file);
  const Term term = Term::parse("2026-autumn");
  const auto facts = templates();
  long eligible = 0, decisions = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < students; ++i) {
    for (const auto& d : rules::evaluate(policy, term, facts[static_cast<size_t>(i) % facts.size()],
                                         nullptr, rules::TraceMode::kRun)) {
      ++decisions;
      eligible += d.status == rules::Status::kEligible;
      // The run stores each decision's trace as one line: include that cost.
      if (d.status != rules::Status::kNotApplicable) (void)d.reason();
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "engine: %ld students x %zu programmes = %ld evaluations in %.2f s: %.0f students/s, %.0f "
      "evaluations/s "
      "(%ld eligible)\n",
      students, policy.programmes.size(), decisions, s, students / s, decisions / s, eligible);
  return 0;
}
