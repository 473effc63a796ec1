#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <thread>

#include "api/Env.h"
#include "api/Service.h"
#include "store/Migrations.h"
#include "store/TestDb.h"

namespace edupay::testing {
namespace {

struct Reply {
  int status;
  std::string body;
  std::string content_type;
};

Reply request(uint16_t port, const std::string& method, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  std::string body;
  Poco::StreamCopier::copyToString(in, body);
  return {static_cast<int>(resp.getStatus()), body, resp.getContentType()};
}

class ServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  ServiceTest() : scratch(GetParam()) {}
  ScratchDatabase scratch;
};

TEST_P(ServiceTest, StartsMigratesAndAnswersHealth) {
  api::ServiceConfig config;
  config.port = 0;
  config.db_url = scratch.url();
  api::Service service(config);
  service.start();
  ASSERT_NE(service.port(), 0);

  const auto health = request(service.port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.content_type.find("application/json"), std::string::npos);
  EXPECT_NE(health.body.find("\"status\":\"ok\""), std::string::npos) << health.body;
  auto db = scratch.open();
  EXPECT_EQ(store::currentSchemaVersion(*db), store::latestSchemaVersion(db->dialect()));

  const auto missing = request(service.port(), "GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"error\""), std::string::npos) << missing.body;
  const auto wrong_method = request(service.port(), "POST", "/health");
  EXPECT_EQ(wrong_method.status, 405);
  service.stop();
}

TEST_P(ServiceTest, RefusesToStartOnAnUnreachableDatabase) {
  api::ServiceConfig config;
  config.port = 0;
  config.db_url = "sqlite:/nonexistent-dir/x/y.db";
  api::Service service(config);
  EXPECT_THROW(service.start(), std::exception);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(testBackends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace edupay::testing

namespace edupay::testing {
namespace {

TEST(ServiceJobs, FinishedJobsAreJoinedAndForgottenAfterTheirRetention) {
  api::Jobs jobs(std::chrono::seconds(0));
  for (int i = 0; i < 300; ++i) {
    jobs.start("test", "officer", [](api::Job& j) {
      j.progress = 1;
      return std::string("{}");
    });
  }
  // Wait for the last ones to finish; nothing finished is kept past a zero retention.
  for (int i = 0; i < 500 && jobs.held().first > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(jobs.held(), std::make_pair(size_t{0}, size_t{0}));

  // With a retention, a finished job can still be read, and its thread is already joined.
  api::Jobs kept(std::chrono::hours(1));
  const auto job =
      kept.start("test", "officer", [](api::Job&) { return std::string("{\"ok\":1}"); });
  for (int i = 0; i < 500 && kept.get(job->id)->status == "running"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(kept.get(job->id)->result_json, "{\"ok\":1}");
  EXPECT_EQ(kept.held(), std::make_pair(size_t{1}, size_t{0}));
}

}  // namespace
}  // namespace edupay::testing
