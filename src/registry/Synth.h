#pragma once
// A synthetic province for the demo, the tests and the benchmarks: rolls, rosters, schools and
// regions shaped like real exports, with no real person in them.

#include <cstdint>
#include <functional>
#include <string>

#include "common/Date.h"

namespace edupay::registry {

struct SynthOptions {
  int64_t students = 1000;
  uint64_t seed = 1;
  std::string out_dir;
  /// Facts (ages, grades, statuses) are as of this date; fixed by default so output is
  /// reproducible byte for byte.
  Date as_of = *Date::fromYmd(2026, 9, 1);
  /// One roll.csv for the whole province instead of roll/<school>.csv per school.
  bool single_file = false;
  /// Write roll-bad.csv with deliberately broken rows (for the demo's error report).
  bool bad_rows = true;
  std::function<void(int64_t students)> progress;
};

/// What synthesize() wrote: counts of students, households, schools, counties, roster rows, roll
/// files and deliberately broken rows.
struct SynthSummary {
  int64_t students = 0, households = 0, schools = 0, counties = 0;
  int64_t roster_rows = 0, roll_files = 0, bad_rows = 0;
};

/// Writes a reproducible synthetic province (Hunan-like codes) to `out_dir`: regions.csv,
/// schools.csv, the roll (per school, every third school in Chinese headers and GBK as some
/// student-record exports are), rosters/{poverty,civil_affairs,disabled,orphan}.csv,
/// nominations/<programme>-<year>.csv for the scholarships, and roll-bad.csv. Students have valid
/// resident IDs consistent with their age, stage and sex; households carry status histories
/// (registered-poor -> poverty-exited, monitored, dibao ...); a few claims are missing from the
/// rosters, a few bank accounts are shared by unrelated students, some fail Luhn, and some roster
/// households have a school-age child on no roll. Same options, same bytes.
SynthSummary synthesize(const SynthOptions& options);

}  // namespace edupay::registry
