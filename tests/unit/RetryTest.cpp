#include <gtest/gtest.h>

#include "common/Retry.h"

using edupay::Error;
using edupay::ErrorCode;
using edupay::RetryPolicy;
using edupay::retryUnit;
using edupay::TransientError;

namespace {

TransientError conflict() {
  return TransientError(TransientError::Kind::kConflict, ErrorCode::kConflict,
                        edupay::Message::literal("busy"), "Deadlock found (MySQL error 1213)");
}

RetryPolicy fast(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.first_backoff = std::chrono::milliseconds(1);
  p.max_backoff = std::chrono::milliseconds(2);
  return p;
}

}  // namespace

TEST(RetryUnit, RunsTheWholeUnitAgainAfterATransientFailure) {
  const auto before = edupay::retryCounts();
  int runs = 0;
  const int result = retryUnit(
      "test.unit",
      [&] {
        if (++runs < 3) throw conflict();
        return 42;
      },
      fast(5));
  EXPECT_EQ(result, 42);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(edupay::retryCounts().conflicts - before.conflicts, 2);
}

TEST(RetryUnit, GivesUpAfterTheBoundAndRethrowsTheSameError) {
  const auto before = edupay::retryCounts();
  int runs = 0;
  try {
    retryUnit(
        "test.unit",
        [&] {
          ++runs;
          throw TransientError(TransientError::Kind::kConnectionLost, ErrorCode::kUnavailable,
                               edupay::Message::literal("unreachable"),
                               "Lost connection (MySQL error 2013)");
        },
        fast(4));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(edupay::retryCounts().connections_lost - before.connections_lost, 4);
  EXPECT_EQ(edupay::retryCounts().gave_up - before.gave_up, 1);
}

TEST(RetryUnit, OtherFailuresAreNotRetried) {
  int runs = 0;
  EXPECT_THROW(retryUnit(
                   "test.unit",
                   [&] {
                     ++runs;
                     throw Error(ErrorCode::kConflict, "a user named x already exists");
                   },
                   fast(5)),
               Error);
  EXPECT_EQ(runs, 1);
}

TEST(RetryUnit, VoidUnits) {
  int runs = 0;
  retryUnit(
      "test.unit",
      [&] {
        if (++runs == 1) throw conflict();
      },
      fast(3));
  EXPECT_EQ(runs, 2);
}
