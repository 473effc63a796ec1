#include "common/Catalogue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/Error.h"

namespace edupay {
namespace {

bool hasChinese(const std::string& s) {
  // UTF-8 lead bytes of the CJK Unified Ideographs block (U+4E00..U+9FFF) are E4..E9.
  for (unsigned char c : s)
    if (c >= 0xE4 && c <= 0xE9) return true;
  return false;
}

TEST(Catalogue, IsSound) {
  for (const auto& p : i18n::catalogueProblems()) ADD_FAILURE() << p;
  EXPECT_FALSE(i18n::catalogue().empty());
}

TEST(Catalogue, EveryCodeHasChineseAndEnglishWithTheSameArguments) {
  for (const auto& e : i18n::catalogue()) {
    EXPECT_TRUE(hasChinese(e.zh)) << e.file << ": " << e.code << ": the zh text is not Chinese";
    EXPECT_FALSE(e.en.empty()) << e.code;
    EXPECT_EQ(e.args, e.en_args) << e.file << ": " << e.code;
  }
}

/// Every code the sources build a message with is in the catalogue, so no person ever reads a
/// bare code. (Arguments are checked when the message is rendered: every test runs with
/// assertions on, where a missing or extra argument throws.)
TEST(Catalogue, EveryCodeTheSourcesUseIsInIt) {
  std::set<std::string> known;
  for (const auto& e : i18n::catalogue()) known.insert(e.code);
  const std::regex use(R"re(\bmsg\(\s*"([a-z0-9_.]+)")re");
  int uses = 0;
  for (const auto& f :
       std::filesystem::recursive_directory_iterator(std::string(EDUPAY_SOURCE_DIR) + "/src")) {
    const auto ext = f.path().extension();
    if (ext != ".cpp" && ext != ".h") continue;
    std::ifstream in(f.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    for (std::sregex_iterator it(text.begin(), text.end(), use), end; it != end; ++it) {
      ++uses;
      EXPECT_TRUE(known.count((*it)[1]))
          << f.path().filename() << ": " << (*it)[1] << " is not in messages/*.json";
    }
  }
  EXPECT_GT(uses, 10);
}

TEST(Catalogue, RendersNamedArgumentsInEachLanguage) {
  const Message m = msg("api.no_endpoint", {arg("path", "/api/v1/nothing")});
  EXPECT_EQ(i18n::render(m, Lang::kZh), "没有这个接口：/api/v1/nothing");
  EXPECT_EQ(i18n::render(m, Lang::kEn), "no such endpoint: /api/v1/nothing");
}

TEST(Catalogue, WordsAndNestedMessagesFollowTheLanguage) {
  const Message inner = msg("db.busy");
  const Message m = msg("api.role_refused", {words("role", "学校管理员", "school administrator"),
                                             arg("action", inner)});
  EXPECT_NE(i18n::render(m, Lang::kZh).find("学校管理员"), std::string::npos);
  EXPECT_NE(i18n::render(m, Lang::kZh).find("其他人正在修改"), std::string::npos);
  EXPECT_NE(i18n::render(m, Lang::kEn).find("a school administrator may not someone else"),
            std::string::npos);
}

TEST(Catalogue, CountsAreGroupedPerLanguage) {
  const Message m = msg("api.uploads_busy", {arg("count", int64_t{12345})});
  EXPECT_NE(i18n::render(m, Lang::kEn).find("12,345 other uploads"), std::string::npos);
  EXPECT_NE(i18n::render(m, Lang::kZh).find("12,345 个"), std::string::npos);
}

TEST(Catalogue, AMissingOrExtraArgumentIsABugInTests) {
  EXPECT_THROW((void)i18n::render(msg("api.no_endpoint"), Lang::kZh), Error);
  EXPECT_THROW(
      (void)i18n::render(msg("api.no_endpoint", {arg("path", "/x"), arg("more", "y")}), Lang::kEn),
      Error);
  EXPECT_THROW((void)i18n::render(msg("no.such.code"), Lang::kZh), Error);
}

TEST(Catalogue, ALiteralIsTheSameInBothLanguages) {
  const Message m = Message::literal("as it was");
  EXPECT_EQ(i18n::render(m, Lang::kZh), "as it was");
  EXPECT_EQ(i18n::render(m, Lang::kEn), "as it was");
}

TEST(Catalogue, AnErrorCarriesItsMessageAndSaysItInEnglishForLogs) {
  const Error e(ErrorCode::kNotFound, msg("api.no_page", {arg("path", "/x")}));
  EXPECT_STREQ(e.what(), "no such page: /x");
  EXPECT_EQ(e.message().code(), "api.no_page");
  EXPECT_EQ(i18n::render(e.message(), Lang::kZh), "没有这个页面：/x");
}

TEST(Lang, AcceptLanguagePicksTheBestOfChineseAndEnglish) {
  EXPECT_EQ(langFromAcceptLanguage(""), Lang::kZh);
  EXPECT_EQ(langFromAcceptLanguage("en-US,en;q=0.9"), Lang::kEn);
  EXPECT_EQ(langFromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8"), Lang::kZh);
  EXPECT_EQ(langFromAcceptLanguage("fr-FR, en;q=0.5, zh;q=0.7"), Lang::kZh);
  EXPECT_EQ(langFromAcceptLanguage("de"), Lang::kZh);
  EXPECT_EQ(langFromAcceptLanguage("zh-Hant-TW;q=0.2, en-GB;q=0.3"), Lang::kEn);
}

TEST(Lang, ParsesOptionValuesAndLocales) {
  EXPECT_EQ(parseLang("zh"), Lang::kZh);
  EXPECT_EQ(parseLang("zh_CN.UTF-8"), Lang::kZh);
  EXPECT_EQ(parseLang("EN"), Lang::kEn);
  EXPECT_EQ(parseLang("en_US.UTF-8"), Lang::kEn);
  EXPECT_EQ(parseLang("fr"), std::nullopt);
  EXPECT_EQ(parseLang(""), std::nullopt);
}

// What the database keeps of a message reads back as the same sentence in each language, and the
// same message is always kept as the same text.
TEST(Catalogue, AStoredMessageReadsBackTheSame) {
  const Message m = msg("rules.fact.grade",
                        {arg("grade", "3"), words("min", "一", "1"), arg("max", int64_t{12345})});
  const std::string kept = storedForm(m);
  EXPECT_EQ(kept, storedForm(m));
  const Message back = fromStoredForm(kept);
  EXPECT_EQ(back.code(), "rules.fact.grade");
  EXPECT_EQ(i18n::render(back, Lang::kZh), i18n::render(m, Lang::kZh));
  EXPECT_EQ(i18n::render(back, Lang::kEn), i18n::render(m, Lang::kEn));
  EXPECT_EQ(storedForm(back), kept);
  const Message lit = fromStoredForm(storedForm(Message::literal("as \"it\" was")));
  EXPECT_TRUE(lit.isLiteral());
  EXPECT_EQ(lit.literalText(), "as \"it\" was");
  // A text kept before messages were: itself, as a literal.
  EXPECT_EQ(fromStoredForm("plain English").literalText(), "plain English");
  EXPECT_EQ(fromStoredForm("{not json").literalText(), "{not json");
  EXPECT_TRUE(fromStoredForm("").empty());
}

// A term or a programme given as a plain code reads by its name in Chinese; English keeps the
// code, as the API and the files do.
TEST(Catalogue, TermsAndProgrammesGivenAsCodesReadByNameInChinese) {
  const Message m = msg("rules.problem.no_local_rate",
                        {arg("programme", "x_programme"), arg("term", "2026-autumn")});
  EXPECT_NE(i18n::render(m, Lang::kZh).find("x_programme在2026年秋季学期"), std::string::npos)
      << i18n::render(m, Lang::kZh);
  i18n::setCodeNames("programme", {{"x_programme", "某某资助"}});
  EXPECT_NE(i18n::render(m, Lang::kZh).find("某某资助在2026年秋季学期"), std::string::npos)
      << i18n::render(m, Lang::kZh);
  EXPECT_NE(i18n::render(m, Lang::kEn).find("x_programme in 2026-autumn"), std::string::npos)
      << i18n::render(m, Lang::kEn);
  // Words already given in each language are kept; so is a value that is not a code.
  const Message w = msg("rules.problem.no_local_rate",
                        {words("programme", "寄宿生生活补助", "x_programme"), arg("term", "秋季")});
  EXPECT_NE(i18n::render(w, Lang::kZh).find("寄宿生生活补助在秋季"), std::string::npos)
      << i18n::render(w, Lang::kZh);
  i18n::setCodeNames("programme", {});
  EXPECT_NE(i18n::render(m, Lang::kZh).find("x_programme"), std::string::npos);
}

}  // namespace
}  // namespace edupay
