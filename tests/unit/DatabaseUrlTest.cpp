#include <gtest/gtest.h>

#include <cstdlib>

#include "common/Error.h"
#include "store/Database.h"
#include "store/MySQLDatabase.h"

using edupay::Error;
using edupay::ErrorCode;
using edupay::store::MySQLDatabase;

namespace {

std::string errorOf(const std::string& url) {
  try {
    (void)MySQLDatabase::parseUrl(url);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput) << url;
    return e.what();
  }
  ADD_FAILURE() << url << " was accepted";
  return "";
}

}  // namespace

TEST(DatabaseUrl, OneHostWithPort) {
  const auto o = MySQLDatabase::parseUrl("mysql://u:p@db.example:3307/edupay");
  ASSERT_EQ(o.hosts.size(), 1u);
  EXPECT_EQ(o.hosts[0].host, "db.example");
  EXPECT_EQ(o.hosts[0].port, 3307);
  EXPECT_EQ(o.user, "u");
  EXPECT_EQ(o.password, "p");
  EXPECT_EQ(o.database, "edupay");
}

TEST(DatabaseUrl, PortDefaultsTo3306) {
  const auto o = MySQLDatabase::parseUrl("mariadb://u:p@db/edupay");
  ASSERT_EQ(o.hosts.size(), 1u);
  EXPECT_EQ(o.hosts[0].port, 3306);
}

TEST(DatabaseUrl, SeveralHostsKeepTheirOrder) {
  const auto o =
      MySQLDatabase::parseUrl("mysql://u:p@10.0.0.1:3306,10.0.0.2,[::1]:4407/edupay_test");
  ASSERT_EQ(o.hosts.size(), 3u);
  EXPECT_EQ(o.hosts[0].host, "10.0.0.1");
  EXPECT_EQ(o.hosts[0].port, 3306);
  EXPECT_EQ(o.hosts[1].host, "10.0.0.2");
  EXPECT_EQ(o.hosts[1].port, 3306);
  EXPECT_EQ(o.hosts[2].host, "::1");
  EXPECT_EQ(o.hosts[2].port, 4407);
  EXPECT_EQ(o.database, "edupay_test");
}

TEST(DatabaseUrl, PasswordMayHoldAtAndColon) {
  const auto o = MySQLDatabase::parseUrl("mysql://u:p@ss:w@h1:1,h2:2/db");
  EXPECT_EQ(o.password, "p@ss:w");
  ASSERT_EQ(o.hosts.size(), 2u);
}

TEST(DatabaseUrl, PasswordFromTheEnvironmentWhenAbsent) {
  ::setenv("EDUPAY_DB_PASSWORD", "from-env", 1);
  const auto o = MySQLDatabase::parseUrl("mysql://u@h1:1,h2:2/db");
  ::unsetenv("EDUPAY_DB_PASSWORD");
  EXPECT_EQ(o.password, "from-env");
}

TEST(DatabaseUrl, BadUrlsSayWhatIsWrongAndShowTheShape) {
  EXPECT_NE(errorOf("mysql://u:p@h1:1,,h3:3/db").find("host 2 is empty"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:1,h2:2,/db").find("host 3 is empty"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:x/db").find("bad port `x`"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:1,h2:70000/db").find("host 2 has a bad port `70000`"),
            std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:/db").find("bad port"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:0/db").find("bad port `0`"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@:3306/db").find("no host name"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:1").find("no `/database`"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@h1:1/").find("no `/database`"), std::string::npos);
  EXPECT_NE(errorOf("mysql://h1:1/db").find("no `user@`"), std::string::npos);
  EXPECT_NE(errorOf("mysql://:p@h1:1/db").find("no user name"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@/db").find("no host"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@::1:3306/db").find("IPv6 address in []"), std::string::npos);
  EXPECT_NE(errorOf("mysql://u:p@[::1:3306/db").find("no closing `]`"), std::string::npos);
  // Every refusal shows the expected shape, the cluster's included, and never the password.
  const std::string e = errorOf("mysql://u:secret@h1:1,,h3:3/db");
  EXPECT_NE(e.find("host1:port1,host2:port2,host3:port3"), std::string::npos);
  EXPECT_EQ(e.find("secret"), std::string::npos);
}

TEST(DatabaseUrl, UnknownSchemeIsRefused) {
  try {
    (void)edupay::store::openDatabase("postgres://u:p@h/db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}
