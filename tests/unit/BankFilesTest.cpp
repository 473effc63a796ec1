#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bankfiles/Layout.h"
#include "bankfiles/Manifest.h"
#include "bankfiles/PaymentFile.h"
#include "bankfiles/Reports.h"
#include "bankfiles/ResultFile.h"
#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Text.h"
#include "disburse/Batches.h"
#include "security/FieldCipher.h"
#include "security/Signing.h"

namespace edupay::bankfiles {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char dir_template[] = "/tmp/edupay-bankfiles-test-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = dir_template;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

FileHeader header(int64_t count, Money total) {
  FileHeader h;
  h.batch = 42;
  h.bank_code = "102";
  h.payer_account = "6212260000000430121";
  h.payer_name = "长沙县教育局学生资助专户";
  h.purpose = "雨露计划2026秋";
  h.date = *Date::fromYmd(2026, 9, 21);
  h.count = count;
  h.total = total;
  return h;
}

std::vector<PaymentLine> samplePayments() {
  return {
      {1, "EDU0000000042000001A1", "6222021234567801234", "张三", Money::fromFen(150000)},
      {2, "EDU0000000042000002A1", "6228480012345678", "阿依古丽·买买提", Money::fromFen(75050)},
      {3, "EDU0000000042000003A2", "6217001234567890123", "欧阳娜娜", Money::fromFen(1)},
  };
}

Money totalOf(const std::vector<PaymentLine>& lines) {
  Money t;
  for (const auto& l : lines) t += l.amount;
  return t;
}

std::string render(const Layout& layout, const std::vector<PaymentLine>& lines,
                   std::string* sha = nullptr) {
  std::ostringstream out;
  auto w = makeWriter(layout, out, header(static_cast<int64_t>(lines.size()), totalOf(lines)));
  for (const auto& l : lines) w->add(l);
  const std::string digest = w->finish();
  if (sha) *sha = digest;
  return out.str();
}

/// Up to and including the first LF.
std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n') + 1); }

std::string golden(const std::string& name) {
  return std::string(EDUPAY_SOURCE_DIR) + "/tests/golden/bankfiles/" + name;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// The Error's message as a Chinese reader sees it.
std::string errorZh(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return i18n::render(e.message(), Lang::kZh);
  }
  return "";
}

std::string isoDir() {
  const char* env = std::getenv("EDUPAY_ISO20022_DIR");
  return env ? env : std::string(EDUPAY_SOURCE_DIR) + "/../shared/iso20022";
}

/// xmllint's verdict on `file` against the official XSD; skips when xmllint or the XSDs are
/// absent (they are always present in CI).
bool validAgainstXsd(const std::string& file, const std::string& xsd_name) {
  const std::string xsd = isoDir() + "/" + xsd_name;
  if (!fs::exists(xsd) || std::system("command -v xmllint >/dev/null 2>&1") != 0) return true;
  const std::string cmd =
      "xmllint --noout --stream --schema '" + xsd + "' '" + file + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// Every built-in layout, byte for byte. To accept a deliberate change of a layout, regenerate
// with EDUPAY_UPDATE_GOLDEN=1 and review the diff.
TEST(BankFileLayouts, EachBuiltInLayoutWritesItsGoldenFileByteForByte) {
  const LayoutSet set;
  ASSERT_GE(set.names().size(), 6u);
  for (const auto& name : set.names()) {
    const Layout& layout = set.get(name);
    std::string sha;
    const std::string bytes = render(layout, samplePayments(), &sha);
    const std::string path = golden(name + layout.extension());
    if (std::getenv("EDUPAY_UPDATE_GOLDEN")) writeFileAtomically(path, bytes);
    ASSERT_TRUE(fs::exists(path)) << "no golden file " << path;
    EXPECT_EQ(bytes, readFile(path)) << "layout " << name << " no longer writes " << path;
    EXPECT_EQ(sha, security::sha256Hex(bytes)) << name;
    // Same input, same bytes.
    EXPECT_EQ(bytes, render(layout, samplePayments())) << name;
  }
}

TEST(BankFileLayouts, EveryLayoutReadsBackWhatItWrote) {
  const LayoutSet set;
  TempDir dir;
  for (const auto& name : set.names()) {
    const Layout& layout = set.get(name);
    const std::string path = dir.file(name + layout.extension());
    writeFileAtomically(path, render(layout, samplePayments()));
    std::vector<PaymentLine> back;
    const auto content =
        readPaymentFile(path, layout, [&](const PaymentLine& l) { back.push_back(l); });
    EXPECT_TRUE(content.problems.empty()) << name << ": " << content.problems.front();
    EXPECT_EQ(content.count, 3) << name;
    EXPECT_EQ(content.total.fen(), 150000 + 75050 + 1) << name;
    ASSERT_EQ(back.size(), 3u) << name;
    const auto want = samplePayments();
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(back[i].account, want[i].account) << name;
      EXPECT_EQ(back[i].holder, want[i].holder) << name;
      EXPECT_EQ(back[i].amount, want[i].amount) << name;
    }
  }
}

TEST(BankFileLayouts, TextLayoutsAreGbkWithTheirLineEndings) {
  const LayoutSet set;
  const std::string pipe = render(set.get("pipe-gbk"), samplePayments());
  EXPECT_EQ(firstLine(gb18030ToUtf8(pipe)),
            "1|6222021234567801234|张三|1500.00|EDU0000000042000001A1|雨露计划2026秋|\r\n");
  EXPECT_NE(pipe.find("\xD5\xC5\xC8\xFD"), std::string::npos) << "张三 in GBK";
  EXPECT_NE(gb18030ToUtf8(pipe).find("汇总|3|2250.51|\r\n"), std::string::npos);
  const std::string header_block =
      gb18030ToUtf8(render(set.get("header-block-gbk"), samplePayments()));
  EXPECT_EQ(
      header_block.rfind("付款账号,6212260000000430121\r\n付款户名,长沙县教育局学生资助专户\r\n"
                         "总笔数,3\r\n总金额,2250.51\r\n日期,20260921\r\n",
                         0),
      0u);
}

TEST(BankFileLayouts, FixedWidthCountsGbkBytesAndNeverCutsACharacter) {
  const LayoutSet set;
  const Layout& abc = set.get("abc-fixed");
  const std::string bytes = render(abc, samplePayments());
  std::istringstream in(bytes);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    EXPECT_EQ(line.size(), 138u) << "line " << n << " must be 60+30+18+30 GBK bytes";
    EXPECT_NE(line.back(), '\r') << "ABC lines end with LF";
  }
  EXPECT_EQ(n, 3);
  // 张三 is 4 GBK bytes, padded with 56 spaces; the amount has 3 decimals.
  EXPECT_EQ(bytes.substr(0, 4), "\xD5\xC5\xC8\xFD");
  EXPECT_EQ(bytes.substr(4, 56), std::string(56, ' '));
  EXPECT_EQ(bytes.substr(90, 18), "1500.000          ");
  // 31 Chinese characters are 62 bytes: more than the 60-byte name field, refused, not cut.
  auto lines = samplePayments();
  lines[1].holder = std::string();
  for (int i = 0; i < 31; ++i) lines[1].holder += "王";
  const std::string e = errorOf([&] { render(abc, lines); });
  EXPECT_NE(e.find("payment 2 (EDU0000000042000002A1)"), std::string::npos) << e;
  EXPECT_NE(e.find("62 bytes in GBK, more than its width 60"), std::string::npos) << e;
  // 30 characters (60 bytes) fit exactly.
  lines[1].holder = lines[1].holder.substr(0, 30 * 3);
  EXPECT_NO_THROW(render(abc, lines));
}

TEST(BankFileLayouts, ACharacterGbkLacksStopsTheExportNamingThePayment) {
  const LayoutSet set;
  auto lines = samplePayments();
  lines[2].holder = "王\xF0\xA0\x80\x80";  // 王 + U+20000 (CJK Extension B: GB18030 only)
  const std::string e = errorOf([&] { render(set.get("pipe-gbk"), lines); });
  EXPECT_NE(e.find("payment 3 (EDU0000000042000003A2)"), std::string::npos) << e;
  EXPECT_NE(e.find("GBK cannot encode"), std::string::npos) << e;
  EXPECT_NE(e.find("GB18030"), std::string::npos) << "the message says what to do: " << e;
  Layout gb18030 = set.get("pipe-gbk");
  gb18030.encoding = FileEncoding::kGb18030;
  EXPECT_NO_THROW(render(gb18030, lines));
}

// 𫖯 is U+2B5AF (CJK Extension C): GB18030 has it, GBK does not.
constexpr const char* kRareName = "王\xF0\xAB\x96\xAF";

TEST(HolderEncoding, NamesEachCharacterGbkCannotWriteOnceWithItsCodePoint) {
  Encoder gbk(FileEncoding::kGbk);
  const auto missing = gbk.unencodable(kRareName);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], "\xF0\xAB\x96\xAF");
  EXPECT_EQ(text::describeCharacters(missing), "\xF0\xAB\x96\xAF (U+2B5AF)");
  // Each character once, in order of first appearance; what GBK has is not named.
  const auto two = gbk.unencodable("\xF0\xAB\x96\xAF张\xF0\xA0\xAE\xB7\xF0\xAB\x96\xAF");
  EXPECT_EQ(text::describeCharacters(two),
            "\xF0\xAB\x96\xAF (U+2B5AF), \xF0\xA0\xAE\xB7 (U+20BB7)");
  EXPECT_TRUE(gbk.unencodable("张三").empty());
  EXPECT_TRUE(gbk.unencodable("阿依古丽·买买提").empty()) << "GBK has the middle dot U+00B7";
  EXPECT_TRUE(gbk.unencodable("Zhang San").empty());
  EXPECT_TRUE(gbk.unencodable("").empty());
  Encoder gb18030(FileEncoding::kGb18030);
  EXPECT_TRUE(gb18030.unencodable(kRareName).empty());
  Encoder utf8(FileEncoding::kUtf8);
  EXPECT_TRUE(utf8.unencodable(kRareName).empty());
}

TEST(HolderEncoding, AgreesWithWhatTheEncoderWrites) {
  for (auto enc : {FileEncoding::kGbk, FileEncoding::kGb18030, FileEncoding::kUtf8}) {
    Encoder e(enc);
    for (const std::string name :
         {std::string(kRareName), std::string("张三"), std::string("热依拉・艾力"),
          std::string("阿依古丽•买买提"), std::string("\xF0\x9F\x98\x80")}) {
      std::string out;
      EXPECT_EQ(e.append(name, out), e.unencodable(name).empty()) << e.name() << " " << name;
    }
  }
}

TEST(HolderEncoding, TheExportNamesTheCharacterAndSaysWhatToDo) {
  const LayoutSet set;
  auto lines = samplePayments();
  lines[1].holder = kRareName;
  const std::string e = errorOf([&] { render(set.get("pipe-gbk"), lines); });
  EXPECT_NE(e.find("(U+2B5AF), which GBK cannot encode"), std::string::npos) << e;
  EXPECT_NE(e.find("return-to-draft"), std::string::npos) << e;
}

TEST(HolderNames, ControlCharactersAndALeadingFormulaSignAreUnsafe) {
  using disburse::unsafeHolderCharacters;
  EXPECT_TRUE(unsafeHolderCharacters("张三").empty());
  EXPECT_TRUE(unsafeHolderCharacters("王-五").empty()) << "only a leading sign starts a formula";
  EXPECT_TRUE(unsafeHolderCharacters(kRareName).empty()) << "a rare character is not unsafe";
  for (const char* lead : {"=", "+", "-", "@"}) {
    const auto found = unsafeHolderCharacters(std::string(lead) + "SUM(A1)");
    ASSERT_EQ(found.size(), 1u) << lead;
    EXPECT_EQ(found[0], lead);
  }
  EXPECT_EQ(unsafeHolderCharacters("王\t五\r\n"), (std::vector<std::string>{"\t", "\r", "\n"}));
  EXPECT_EQ(unsafeHolderCharacters("王\x7F"), (std::vector<std::string>{"\x7F"}));
  EXPECT_EQ(unsafeHolderCharacters("王\xC2\x85"), (std::vector<std::string>{"\xC2\x85"}))
      << "C1 control U+0085";
}

TEST(HolderNames, FindingsNameTheStudentTheCharactersAndWhatToDo) {
  EXPECT_TRUE(disburse::holderFindings("4301**********0077", "张三", "102", std::nullopt).empty());
  const auto f =
      disburse::holderFindings("4301**********0077", kRareName, "102",
                               disburse::Unencodable{"GBK", "pipe-gbk", {"\xF0\xAB\x96\xAF"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "holder_not_encodable");
  for (const char* part :
       {"4301**********0077", kRareName, "(U+2B5AF)", "GBK", "bank 102", "pipe-gbk",
        "correct the account holder", "clear this flag", "请家长到开户行"}) {
    EXPECT_NE(f[0].evidence.find(part), std::string::npos) << part << " in " << f[0].evidence;
  }
  const auto unsafe =
      disburse::holderFindings("4301**********0077", "=王\t五", "102", std::nullopt);
  ASSERT_EQ(unsafe.size(), 1u);
  EXPECT_EQ(unsafe[0].kind, "holder_unsafe_text");
  EXPECT_NE(unsafe[0].evidence.find("= (U+003D), (U+0009)"), std::string::npos)
      << unsafe[0].evidence;
  EXPECT_EQ(unsafe[0].evidence.find('\t'), std::string::npos)
      << "evidence shows no control character";
}

TEST(BankFileLayouts, DelimitersInsideValuesAreQuotedOrRefused) {
  const LayoutSet set;
  auto lines = samplePayments();
  lines[0].holder = "张|三";
  const std::string e = errorOf([&] { render(set.get("pipe-gbk"), lines); });
  EXPECT_NE(e.find("payment 1"), std::string::npos) << e;
  EXPECT_NE(e.find("delimiter"), std::string::npos) << e;
  lines[0].holder = "张,\"三\"";
  TempDir dir;
  const Layout& ccb = set.get("ccb-csv");
  writeFileAtomically(dir.file("ccb.txt"), render(ccb, lines));
  std::vector<PaymentLine> back;
  readPaymentFile(dir.file("ccb.txt"), ccb, [&](const PaymentLine& l) { back.push_back(l); });
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].holder, "张,\"三\"");
}

TEST(BankFileLayouts, TheWriterRefusesLinesThatDoNotAddUpToTheHeader) {
  const LayoutSet set;
  for (const auto& name : set.names()) {
    std::ostringstream out;
    auto w = makeWriter(set.get(name), out, header(3, Money::fromFen(225051)));
    w->add(samplePayments()[0]);
    w->add(samplePayments()[1]);
    EXPECT_THROW(w->finish(), Error) << name;
  }
}

TEST(BankFileLayouts, AmountsInFenAndRightAlignedZeroPaddedSequences) {
  const Layout l = parseLayout(R"({"layout": "fen-test", "kind": "fixed", "encoding": "UTF-8",
      "line_ending": "LF", "amount": {"unit": "fen"},
      "detail": [{"value": "seq", "width": 8, "align": "right", "pad": "0"},
                 {"value": "account", "width": 20}, {"value": "amount", "width": 12, "align": "right"}]})",
                               "fen-test.json");
  const std::string bytes = render(l, samplePayments());
  EXPECT_EQ(firstLine(bytes), "000000016222021234567801234       150000\n");
}

TEST(BankFileLayouts, PainXmlIsValidAgainstTheOfficialSchemas) {
  const LayoutSet set;
  TempDir dir;
  auto lines = samplePayments();
  lines[1].holder = "李<四>&\"'";  // escaped, never breaking the XML
  for (const char* version : {"pain.001.001.09", "pain.001.001.03"}) {
    const std::string path = dir.file(std::string(version) + ".xml");
    writeFileAtomically(path, render(set.get(version), lines));
    EXPECT_TRUE(validAgainstXsd(path, std::string(version) + ".xsd")) << version;
    const std::string xml = readFile(path);
    EXPECT_NE(xml.find("<Nm>李&lt;四&gt;&amp;&quot;&apos;</Nm>"), std::string::npos);
    EXPECT_NE(xml.find("<NbOfTxs>3</NbOfTxs>\n<CtrlSum>2250.51</CtrlSum>"), std::string::npos);
    EXPECT_NE(xml.find("<EndToEndId>EDU0000000042000003A2</EndToEndId>"), std::string::npos);
    std::vector<PaymentLine> back;
    readPaymentFile(path, set.get(version), [&](const PaymentLine& l) { back.push_back(l); });
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[1].holder, "李<四>&\"'");
  }
}

TEST(BankFileLayouts, LayoutFilesAreCheckedStrictly) {
  auto e = [](const std::string& json) {
    return errorOf([&] { parseLayout(json, "banks/x.json"); });
  };
  EXPECT_NE(e(R"({"layout": "x", "kind": "delimited", "encoding": "GBK", "delimiter": "|",
      "detail": [{"value": "account"}, {"value": "amount"}], "max_line": 10})")
                .find("banks/x.json: unknown key \"max_line\""),
            std::string::npos);
  EXPECT_NE(
      e(R"({"layout": "x", "kind": "excel"})").find("\"kind\" is delimited, fixed or pain.001"),
      std::string::npos);
  EXPECT_NE(e(R"({"layout": "x", "kind": "fixed", "encoding": "GBK",
      "detail": [{"value": "account", "width": 30}, {"value": "amount"}]})")
                .find("every field of a fixed layout needs a width"),
            std::string::npos);
  EXPECT_NE(e(R"({"layout": "x", "kind": "delimited", "encoding": "GBK", "delimiter": ",",
      "detail": [{"value": "holder"}, {"value": "amount"}]})")
                .find("needs the account and amount fields"),
            std::string::npos);
  EXPECT_NE(e(R"({"layout": "x", "kind": "delimited", "encoding": "GBK", "delimiter": ",",
      "detail": [{"value": "acount"}, {"value": "amount"}]})")
                .find("unknown value \"acount\""),
            std::string::npos);
  EXPECT_NE(e("{not json").find("banks/x.json: not valid JSON"), std::string::npos);
}

TEST(BankFileLayouts, ANewBankIsANewTemplateFileNotNewCode) {
  TempDir dir;
  writeFileAtomically(dir.file("county-bank.json"), R"({"layout": "county-bank",
      "kind": "delimited", "encoding": "GB18030", "delimiter": "\t",
      "detail": [{"value": "account"}, {"value": "holder"}, {"value": "amount"}],
      "trailer": [[{"text": "TOTAL"}, {"value": "total_count"}, {"value": "total_amount"}]]})");
  const LayoutSet set(dir.file(""));
  ASSERT_TRUE(set.has("county-bank"));
  EXPECT_TRUE(set.has("pipe-gbk")) << "the built-in layouts stay";
  EXPECT_EQ(firstLine(gb18030ToUtf8(render(set.get("county-bank"), samplePayments()))),
            "6222021234567801234\t张三\t1500.00\r\n");
  writeFileAtomically(dir.file("misnamed.json"), R"({"layout": "other", "kind": "delimited",
      "encoding": "GBK", "delimiter": "|", "detail": [{"value": "account"}, {"value": "amount"}]})");
  EXPECT_NE(errorOf([&] { LayoutSet again(dir.file("")); }).find("misnamed.json"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { set.get("no-such-bank"); }).find("known: "), std::string::npos);
}

class ManifestTest : public ::testing::Test {
 protected:
  ManifestTest() {
    security::SigningKey::generate(dir.file("bureau.pem"));
    security::SigningKey::generate(dir.file("other.pem"));
    key.emplace(security::SigningKey::load(dir.file("bureau.pem")));
    file = dir.file("B000042-102-430121-raindew_vocational-2026-autumn-p01.txt");
    write(samplePayments(), 3, totalOf(samplePayments()));
  }
  void write(const std::vector<PaymentLine>& lines, int64_t manifest_count, Money manifest_total) {
    std::string sha;
    writeFileAtomically(file, render(set.get("pipe-gbk"), lines, &sha));
    Manifest m;
    m.batch = 42;
    m.file = fs::path(file).filename().string();
    m.layout = "pipe-gbk";
    m.bank = "102";
    m.payer_account = "6212260000000430121";
    m.count = manifest_count;
    m.total = manifest_total;
    m.sha256 = sha;
    m.created = "2026-09-21";
    m.key_id = key->keyId();
    writeSignedManifest(file, m, *key);
  }
  Verification verify(const std::string& pub) {
    return verifyPaymentFile(file, set, security::VerifyingKey::load(pub));
  }
  std::string problems(const Verification& v) {
    std::string all;
    for (const auto& p : v.problems) all += p + "\n";
    return all;
  }
  TempDir dir;
  LayoutSet set;
  std::optional<security::SigningKey> key;
  std::string file;
};

TEST_F(ManifestTest, AGoodFileVerifies) {
  const auto v = verify(dir.file("bureau.pem.pub"));
  EXPECT_TRUE(v.ok()) << problems(v);
  EXPECT_EQ(v.content.count, 3);
  const std::string m = readFile(manifestPath(file));
  EXPECT_EQ(m.rfind("{\n  \"format\": \"edupay-payment-manifest/1\",\n  \"batch\": 42,\n", 0), 0u);
  EXPECT_NE(m.find("\"total_fen\": 225051,\n  \"total\": \"2250.51\""), std::string::npos);
  // Ed25519 is deterministic: the same manifest, the same signature.
  const std::string sig = readFile(signaturePath(file));
  write(samplePayments(), 3, totalOf(samplePayments()));
  EXPECT_EQ(readFile(signaturePath(file)), sig);
}

TEST_F(ManifestTest, AChangedFileFailsItsDigest) {
  std::string bytes = readFile(file);
  bytes[bytes.find("1500.00")] = '9';
  writeFileAtomically(file, bytes);
  const auto v = verify(dir.file("bureau.pem.pub"));
  EXPECT_FALSE(v.ok());
  EXPECT_NE(problems(v).find("the file was changed after export"), std::string::npos)
      << problems(v);
}

TEST_F(ManifestTest, AChangedManifestOrAnotherKeyFailsTheSignature) {
  const auto other = verify(dir.file("other.pem.pub"));
  EXPECT_NE(problems(other).find("does not verify with key"), std::string::npos) << problems(other);
  std::string m = readFile(manifestPath(file));
  m.replace(m.find("\"count\": 3"), 10, "\"count\": 4");
  writeFileAtomically(manifestPath(file), m);
  const auto v = verify(dir.file("bureau.pem.pub"));
  EXPECT_NE(problems(v).find("does not verify"), std::string::npos) << problems(v);
  EXPECT_NE(problems(v).find("the file has 3 payments, the manifest says 4"), std::string::npos)
      << problems(v);
}

TEST_F(ManifestTest, TotalsInTheFileMustMatchItsLines) {
  // A file whose trailer disagrees with its lines (signed as is) is still caught.
  std::string bytes = gb18030ToUtf8(readFile(file));
  bytes.replace(bytes.find("汇总|3|"), std::string("汇总|3|").size(), "汇总|4|");
  const std::string gbk = utf8ToGb18030(bytes);
  writeFileAtomically(file, gbk);
  Manifest m = parseManifest(readFile(manifestPath(file)), "m");
  m.sha256 = security::sha256Hex(gbk);
  writeSignedManifest(file, m, *key);
  const auto v = verify(dir.file("bureau.pem.pub"));
  EXPECT_NE(problems(v).find("total count says 4, the file has 3 lines"), std::string::npos)
      << problems(v);
}

TEST_F(ManifestTest, MissingManifestOrSignatureIsSaid) {
  fs::remove(signaturePath(file));
  EXPECT_NE(problems(verify(dir.file("bureau.pem.pub"))).find("no signature"), std::string::npos);
  fs::remove(manifestPath(file));
  EXPECT_NE(problems(verify(dir.file("bureau.pem.pub"))).find("no manifest"), std::string::npos);
}

TEST(SigningKey, IsPrivateAndNeverOverwritten) {
  TempDir dir;
  security::SigningKey::generate(dir.file("k.pem"));
  EXPECT_THROW(security::SigningKey::generate(dir.file("k.pem")), Error);
  ::chmod(dir.file("k.pem").c_str(), 0644);
  EXPECT_NE(errorOf([&] { security::SigningKey::load(dir.file("k.pem")); }).find("chmod 600"),
            std::string::npos);
  EXPECT_THROW(security::VerifyingKey::load(dir.file("nope.pub")), Error);
}

std::vector<ResultLine> readAll(const std::string& path, ResultKind kind) {
  std::vector<ResultLine> out;
  readResultFile(path, kind, [&](const ResultLine& l) { out.push_back(l); });
  return out;
}

TEST(ResultFiles, PipeResultsInGbk) {
  TempDir dir;
  const std::string path = dir.file("r.txt");
  writeFileAtomically(
      path,
      utf8ToGb18030("序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n"
                    "1|EDU0000000042000001A1|6222021234567801234|1500.00|S|||B001|\r\n"
                    "2|EDU0000000042000002A1|6228480012345678|750.50|E|E001|户名不符|B002|\r\n"
                    "3|EDU0000000042000003A2|6217001234567890123|0.01|A|||B003|\r\n"
                    "汇总|1|1500.00|1|750.50|\r\n"));
  ASSERT_EQ(detectResultKind(path), ResultKind::kPipeResult);
  const auto lines = readAll(path, ResultKind::kPipeResult);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].outcome, Outcome::kPaid);
  EXPECT_EQ(lines[0].bank_txn_id, "B001");
  EXPECT_EQ(lines[1].outcome, Outcome::kReturned);
  EXPECT_EQ(lines[1].reason_text, "户名不符");
  EXPECT_EQ(lines[1].amount->fen(), 75050);
  EXPECT_EQ(lines[1].line, 3);
  EXPECT_EQ(lines[2].outcome, Outcome::kPending);
}

TEST(ResultFiles, MalformedPipeLinesAreNamed) {
  TempDir dir;
  auto e = [&](const std::string& line) {
    writeFileAtomically(dir.file("r.txt"), utf8ToGb18030(line));
    return errorOf([&] { readAll(dir.file("r.txt"), ResultKind::kPipeResult); });
  };
  EXPECT_NE(e("1|EDU1|6222|1500.00|X||||\r\n").find("r.txt: line 1: status \"X\""),
            std::string::npos);
  EXPECT_NE(e("1|EDU1|6222|1500.00|S|\r\n").find("fields"), std::string::npos);
  EXPECT_NE(e("1|EDU1|6222|1500|S||||\r\n").find("yuan with 2 decimals"), std::string::npos);
  EXPECT_NE(e("1|EDU1|6222|1500.00|E||||\r\n").find("needs the bank's reason"), std::string::npos);
  EXPECT_NE(e("1||6222|1500.00|S||||\r\n").find("reference"), std::string::npos);
}

const char* kPain002 = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
<CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-09-25T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>EDUPAY-B42-P1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>EDUPAY-B42-P1</OrgnlPmtInfId>
<TxInfAndSts><OrgnlInstrId>1</OrgnlInstrId><OrgnlEndToEndId>EDU0000000042000001A1</OrgnlEndToEndId><TxSts>ACSC</TxSts><AcctSvcrRef>B001</AcctSvcrRef>
<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">1500.00</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>EDU0000000042000002A1</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>账户已销户</AddtlInf></StsRsnInf></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>EDU0000000042000003A2</OrgnlEndToEndId><TxSts>PDNG</TxSts></TxInfAndSts>
</OrgnlPmtInfAndSts>
</CstmrPmtStsRpt>
</Document>
)";

TEST(ResultFiles, Pain002StatusReports) {
  TempDir dir;
  writeFileAtomically(dir.file("r.xml"), kPain002);
  ASSERT_EQ(detectResultKind(dir.file("r.xml")), ResultKind::kPain002);
  const auto lines = readAll(dir.file("r.xml"), ResultKind::kPain002);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].outcome, Outcome::kPaid);
  EXPECT_EQ(lines[0].amount->fen(), 150000);
  EXPECT_EQ(lines[0].bank_txn_id, "B001");
  EXPECT_EQ(lines[1].outcome, Outcome::kReturned);
  EXPECT_EQ(lines[1].reason_code, "AC04");
  EXPECT_EQ(lines[1].reason_text, "账户已销户");
  EXPECT_EQ(lines[2].outcome, Outcome::kPending);
}

TEST(ResultFiles, XmlWithExternalEntitiesOrEntityExpansionIsRefusedCleanly) {
  TempDir dir;
  writeFileAtomically(dir.file("secret.txt"), "TOP SECRET");
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM \"file://" +
      dir.file("secret.txt") +
      "\">]>\n<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><CstmrPmtStsRpt>"
      "<OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>&x;</"
      "OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts>"
      "</CstmrPmtStsRpt></Document>\n";
  writeFileAtomically(dir.file("xxe.xml"), xxe);
  std::vector<ResultLine> seen;
  const std::string e1 = errorOf([&] {
    readResultFile(dir.file("xxe.xml"), ResultKind::kPain002,
                   [&](const ResultLine& l) { seen.push_back(l); });
  });
  EXPECT_NE(e1.find("document type declaration"), std::string::npos) << e1;
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(e1.find("TOP SECRET"), std::string::npos);

  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j)
      laughs += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    laughs += "\">\n";
  }
  laughs += "]>\n<Document>&lol9;</Document>\n";
  writeFileAtomically(dir.file("laughs.xml"), laughs);
  const std::string e2 = errorOf([&] { readAll(dir.file("laughs.xml"), ResultKind::kPain002); });
  EXPECT_NE(e2.find("document type declaration"), std::string::npos) << e2;
}

TEST(ResultFiles, MalformedOrForeignXmlIsRefused) {
  TempDir dir;
  writeFileAtomically(dir.file("broken.xml"), std::string(kPain002).substr(0, 400));
  EXPECT_NE(errorOf([&] {
              readAll(dir.file("broken.xml"), ResultKind::kPain002);
            }).find("not a readable pain.002 status report"),
            std::string::npos);
  writeFileAtomically(dir.file("other.xml"),
                      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"/>");
  EXPECT_NE(errorOf([&] {
              readAll(dir.file("other.xml"), ResultKind::kPain002);
            }).find("not a pain.002 document"),
            std::string::npos);
  std::string no_status = kPain002;
  no_status.replace(no_status.find("<TxSts>ACSC</TxSts>"), 19, "");
  writeFileAtomically(dir.file("nostatus.xml"), no_status);
  EXPECT_NE(errorOf([&] {
              readAll(dir.file("nostatus.xml"), ResultKind::kPain002);
            }).find("transaction 1: no TxSts"),
            std::string::npos);
}

const std::string kFieldCases = std::string(EDUPAY_SOURCE_DIR) + "/tests/golden/field-cases/turn2/";

ResultSummary readSummary(const std::string& path, std::vector<ResultLine>* lines = nullptr) {
  return readResultFile(path, ResultKind::kPain002, [&](const ResultLine& l) {
    if (lines) lines->push_back(l);
  });
}

TEST(ResultFiles, AGroupRejectionWithoutLinesAppliesToTheWholeMessage) {
  std::vector<ResultLine> lines;
  const auto s = readSummary(kFieldCases + "c06-pain002-group-rjct.xml", &lines);
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(s.message_id, "EDUPAY-B1-P1");
  ASSERT_EQ(s.blocks.size(), 1u);
  const BlockStatus& g = s.blocks[0];
  EXPECT_TRUE(g.group);
  EXPECT_EQ(g.original_id, "EDUPAY-B1-P1");
  EXPECT_EQ(g.status, "RJCT");
  EXPECT_EQ(g.outcome, Outcome::kReturned);
  EXPECT_TRUE(g.applies);
  EXPECT_EQ(g.reason_code, "AM04");
  EXPECT_EQ(g.reason_text, "付款账户余额不足，整批未处理");
  EXPECT_EQ(g.count, 5);
  EXPECT_EQ(g.total->fen(), 575000);
}

TEST(ResultFiles, AGroupStatusOverTransactionLinesDoesNotApply) {
  std::vector<ResultLine> lines;
  const auto s = readSummary(kFieldCases + "c11b-pain002-late-return.xml", &lines);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].reference, "EDU0000000001000002A1");
  EXPECT_EQ(lines[0].outcome, Outcome::kReturned);
  EXPECT_EQ(lines[0].reason_code, "AC04");
  EXPECT_EQ(lines[0].message_id, "EDUPAY-B1-P1");
  EXPECT_EQ(lines[0].block_id, "EDUPAY-B1-P1");
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_EQ(s.blocks[0].status, "RJCT");
  EXPECT_FALSE(s.blocks[0].applies) << "a group status over lines is a summary";
  EXPECT_FALSE(s.blocks[1].group);
  EXPECT_FALSE(s.blocks[1].applies) << "so is a block status over lines";
}

TEST(ResultFiles, ABlockStatusWithoutLinesAppliesToItsBlockNotTheGroup) {
  TempDir dir;
  writeFileAtomically(
      dir.file("r.xml"),
      R"(<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<OrgnlGrpInfAndSts><OrgnlMsgId>EDUPAY-B7-P2</OrgnlMsgId><GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>EDUPAY-B7-P2</OrgnlPmtInfId><PmtInfSts>ACSC</PmtInfSts></OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>)");
  const auto s = readSummary(dir.file("r.xml"));
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_FALSE(s.blocks[0].applies) << "the block has a status of its own";
  EXPECT_TRUE(s.blocks[1].applies);
  EXPECT_EQ(s.blocks[1].outcome, Outcome::kPaid);
  EXPECT_EQ(s.blocks[1].original_id, "EDUPAY-B7-P2");
}

TEST(ResultFiles, AnAcceptedOrReceivedGroupStatusIsPending) {
  TempDir dir;
  for (const char* status : {"ACSP", "ACTC", "ACCP", "PDNG", "RCVD", "PART"}) {
    writeFileAtomically(dir.file("r.xml"),
                        std::string("<Document "
                                    "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\">"
                                    "<CstmrPmtStsRpt><OrgnlGrpInfAndSts><OrgnlMsgId>EDUPAY-B1-P1<"
                                    "/OrgnlMsgId><GrpSts>") +
                            status + "</GrpSts></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>");
    const auto s = readSummary(dir.file("r.xml"));
    ASSERT_EQ(s.blocks.size(), 1u) << status;
    EXPECT_EQ(s.blocks[0].outcome, Outcome::kPending) << status;
  }
}

TEST(ResultFiles, ARejectedMessageWithoutLinesNeedsTheBanksReason) {
  TempDir dir;
  std::string body = readFile(kFieldCases + "c06-pain002-group-rjct.xml");
  const size_t from = body.find("<StsRsnInf>");
  body.erase(from, body.find("</StsRsnInf>") + 12 - from);
  writeFileAtomically(dir.file("r.xml"), body);
  EXPECT_NE(errorOf([&] { readSummary(dir.file("r.xml")); }).find("needs StsRsnInf"),
            std::string::npos);
}

TEST(ResultFiles, AProprietaryReasonCodeIsTheReason) {
  std::vector<ResultLine> lines;
  readSummary(kFieldCases + "c08-min-prtry.xml", &lines);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].outcome, Outcome::kReturned);
  EXPECT_EQ(lines[0].reason_code, "E0217");
  lines.clear();
  readSummary(kFieldCases + "c08-pain002-prtry-reason.xml", &lines);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[4].reason_code, "E0217");
  EXPECT_EQ(lines[4].bank_txn_id, "BOC000005A1");
  EXPECT_EQ(lines[0].outcome, Outcome::kPaid);
}

TEST(ResultFiles, IsoAmountsAreReadByValue) {
  for (const char* text :
       {"1150", "1150.0", "1150.00", "1150.000", "1150.00000", "+1150.00", "01150.00", "1150."}) {
    Message why;
    const auto m = parseIsoAmount(text, &why);
    ASSERT_TRUE(m) << text << ": " << i18n::render(why, Lang::kEn);
    EXPECT_EQ(m->fen(), 115000) << text;
  }
  EXPECT_EQ(parseIsoAmount(".5", nullptr)->fen(), 50);
  EXPECT_EQ(parseIsoAmount("0.01", nullptr)->fen(), 1);
  for (const char* text : {"1150.001", "1150.0050", "-1150.00", "", ".", "1,150.00", "1150.00 ",
                           "1e3", "12345678901234567.00"}) {
    Message why;
    EXPECT_FALSE(parseIsoAmount(text, &why)) << text;
    EXPECT_FALSE(i18n::render(why, Lang::kEn).empty()) << text;
  }
  Message why;
  parseIsoAmount("1150.001", &why);
  EXPECT_NE(i18n::render(why, Lang::kEn).find("not a whole number of fen"), std::string::npos)
      << i18n::render(why, Lang::kEn);
}

TEST(ResultFiles, Pain002AmountsInAnySchemaFormButPipeResultsStayAtTwoDecimals) {
  TempDir dir;
  std::string xml = kPain002;
  xml.replace(xml.find(">1500.00<"), 9, ">1500<");
  writeFileAtomically(dir.file("r.xml"), xml);
  EXPECT_EQ(readAll(dir.file("r.xml"), ResultKind::kPain002)[0].amount->fen(), 150000);
  xml.replace(xml.find(">1500<"), 6, ">1500.004<");
  writeFileAtomically(dir.file("r.xml"), xml);
  EXPECT_NE(errorOf([&] {
              readAll(dir.file("r.xml"), ResultKind::kPain002);
            }).find("transaction 1: amount \"1500.004\" is not a whole number of fen"),
            std::string::npos);
  writeFileAtomically(dir.file("r.txt"), utf8ToGb18030("1|EDU1|6222|1500.000|S||||\r\n"));
  EXPECT_NE(errorOf([&] {
              readAll(dir.file("r.txt"), ResultKind::kPipeResult);
            }).find("yuan with 2 decimals"),
            std::string::npos);
}

}  // namespace
}  // namespace edupay::bankfiles

namespace edupay::bankfiles {
namespace {

TEST(ReportDimensions, StageAndCategoryComeFromTheStoredReason) {
  const std::string roster =
      "stage=primary; status=active since 2024-09-01; boarding=day student; category=dibao@rural "
      "(civil_affairs roster since 2020-01-01); rate=2019-autumn primary: 500.00/yr";
  EXPECT_EQ(stageOfReason(roster), "primary");
  EXPECT_EQ(categoryOfReason(roster), "dibao");
  const std::string level =
      "stage=undergrad; status=active since 2024-09-01; difficulty=household category implies "
      "difficult; rate=2024-autumn difficult: 3700.00/yr";
  EXPECT_EQ(categoryOfReason(level), "difficulty:difficult");
  EXPECT_EQ(categoryOfReason("stage=preschool; rate=2025-autumn: 2400.00/yr"), "none");
  EXPECT_EQ(stageOfReason("!grade=7 (programme: 1-6)"), "unknown");
  EXPECT_EQ(parseDimension("category"), Dimension::kCategory);
  EXPECT_FALSE(parseDimension("colour"));
}

// Issue 14: a delimited bank file is a CSV someone may open in a spreadsheet.
TEST(BankFileLayouts, ALeadingFormulaCharacterIsNeutralisedUnlessTheLayoutKeepsNamesVerbatim) {
  const LayoutSet set;
  auto lines = samplePayments();
  lines[0].holder = "=HYPERLINK(1)";
  lines[1].holder = "@张三";
  for (const char* name : {"ccb-csv", "pipe-gbk"}) {
    const std::string bytes = gb18030ToUtf8(render(set.get(name), lines));
    EXPECT_NE(bytes.find("'=HYPERLINK(1)"), std::string::npos) << name << ":\n" << bytes;
    EXPECT_NE(bytes.find("'@张三"), std::string::npos) << name;
    EXPECT_NE(bytes.find("欧阳娜娜"), std::string::npos) << "other names untouched";
    EXPECT_EQ(bytes.find("'0.01"), std::string::npos) << "amounts untouched";
  }
  Layout verbatim = set.get("pipe-gbk");
  verbatim.holder_verbatim = true;
  const std::string e = errorOf([&] { render(verbatim, lines); });
  EXPECT_NE(e.find("payment 1"), std::string::npos) << e;
  EXPECT_NE(e.find("must carry names unchanged"), std::string::npos) << e;
  const std::string zh = errorZh([&] { render(verbatim, lines); });
  EXPECT_NE(zh.find("户名以公式字符开头"), std::string::npos) << zh;
  // The key is read from layout files, strictly.
  const Layout parsed =
      parseLayout(R"({"layout": "v", "kind": "delimited", "encoding": "GBK", "delimiter": "|",
                     "holder_verbatim": true, "detail": [{"value": "account"}, {"value": "holder"},
                     {"value": "amount"}]})",
                  "banks/v.json");
  EXPECT_TRUE(parsed.holder_verbatim);
  // Fixed-width files are not CSV: the name goes as it is (the build flag holder_unsafe_text
  // stops it before approval).
  const std::string fixed = gb18030ToUtf8(render(set.get("abc-fixed"), lines));
  EXPECT_NE(fixed.find("=HYPERLINK(1)"), std::string::npos);
  EXPECT_EQ(fixed.find("'=HYPERLINK"), std::string::npos);
}

TEST(ResultFiles, APipeResultWithoutItsSummaryOrDisagreeingWithItIsRefusedWholeAsCutShort) {
  TempDir dir;
  const std::string body =
      "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n"
      "1|EDU0000000042000001A1|6222021234567801234|1500.00|S|||B001|\r\n"
      "2|EDU0000000042000002A1|6228480012345678|750.50|E|E001|户名不符|B002|\r\n";
  auto e = [&](const std::string& text) {
    writeFileAtomically(dir.file("r.txt"), utf8ToGb18030(text));
    return errorOf([&] { readAll(dir.file("r.txt"), ResultKind::kPipeResult); });
  };
  auto zh = [&](const std::string& text) {
    writeFileAtomically(dir.file("r.txt"), utf8ToGb18030(text));
    return errorZh([&] { readAll(dir.file("r.txt"), ResultKind::kPipeResult); });
  };
  const std::string missing = e(body);
  EXPECT_NE(missing.find("r.txt: the file is refused whole as cut short"), std::string::npos)
      << missing;
  EXPECT_NE(missing.find("no 汇总 line"), std::string::npos);
  const std::string missing_zh = zh(body);
  EXPECT_NE(missing_zh.find("文件不完整"), std::string::npos) << missing_zh;
  EXPECT_NE(missing_zh.find("缺少汇总行"), std::string::npos) << missing_zh;
  const std::string wrong_count = e(body + "汇总|2|3000.00|1|750.50|\r\n");
  EXPECT_NE(wrong_count.find("line 4 (汇总) says 2 paid, 3000.00 yuan"), std::string::npos)
      << wrong_count;
  EXPECT_NE(wrong_count.find("the lines above it give 1 paid, 1500.00 yuan"), std::string::npos);
  // The totals mismatch in Chinese: what the 汇总 line says, what the lines give, what to do.
  const std::string wrong_count_zh = zh(body + "汇总|2|3000.00|1|750.50|\r\n");
  EXPECT_NE(wrong_count_zh.find("第 4 行汇总为成功 2 笔 3000.00 元"), std::string::npos)
      << wrong_count_zh;
  EXPECT_NE(wrong_count_zh.find("明细合计为成功 1 笔 1500.00 元"), std::string::npos)
      << wrong_count_zh;
  EXPECT_NE(wrong_count_zh.find("明细与汇总行不符；请向银行索取完整文件"), std::string::npos)
      << wrong_count_zh;
  EXPECT_NE(e(body + "汇总|1|1500.00|1|750.51|\r\n").find("cut short"), std::string::npos);
  EXPECT_NE(e(body + "汇总|1|1500.00|1|750.50|\r\n3|EDU3|6222|1.00|S|||B3|\r\n")
                .find("line 5: a line after the 汇总 line (line 4)"),
            std::string::npos);
  EXPECT_NE(e(body + "汇总|1|1500.00|\r\n").find("fields in the 汇总 line"), std::string::npos);
  writeFileAtomically(dir.file("r.txt"), utf8ToGb18030(body + "汇总|1|1500.00|1|750.50|\r\n"));
  EXPECT_EQ(readAll(dir.file("r.txt"), ResultKind::kPipeResult).size(), 2u);
}

TEST(ResultFiles, AHugeAttributeOrDeepNestingIsRefusedBeforeTheParserSeesIt) {
  TempDir dir;
  auto e = [&](const std::string& xml) {
    writeFileAtomically(dir.file("r.xml"), xml);
    return errorOf([&] { readAll(dir.file("r.xml"), ResultKind::kPain002); });
  };
  const std::string open =
      "<?xml version=\"1.0\"?>\n<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><CstmrPmtStsRpt>";
  // 16 MiB in one attribute: refused by the linear pre-check (bench/xml-token.sh times it).
  const std::string huge = e(open + "<OrgnlGrpInfAndSts x=\"" + std::string(16 << 20, 'a') +
                             "\"/></CstmrPmtStsRpt></Document>");
  EXPECT_NE(huge.find("r.xml: line 2: a tag with its name and attributes longer than 1 MiB"),
            std::string::npos)
      << huge.substr(0, 300);
  std::string deep = open;
  for (int i = 0; i < 70; ++i) deep += "<a>";
  EXPECT_NE(e(deep).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_NE(e(open + "<!--" + std::string((1 << 20) + 1, 'c') + "-->").find("a comment longer"),
            std::string::npos);
  EXPECT_NE(e(open + "<Nm>" + std::string((1 << 20) + 1, 't') + "</Nm>").find("text longer"),
            std::string::npos);
}

TEST(ResultFiles, AFileWeSentIsNamedForWhatItIsWhenUploadedAsTheAnswer) {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& body) {
    std::ofstream(dir.file(name), std::ios::binary) << body;
    return dir.file(name);
  };
  const std::string pipe_payment =
      write("B000001-102.txt",
            "1|6260062933259219443|宋静霞|500.00|EDU0000000001000001A1|寄宿生生活补助2026秋|\r\n");
  const std::string pain001 = write(
      "B000002-104.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn/></Document>\n");
  const std::string manifest = write("B000001-102.txt.manifest.json",
                                     "{\n  \"format\": \"edupay-payment-manifest/1\",\n}\n");
  const std::string annex =
      write("B000003-105.txt.students.csv",
            "\xEF\xBB\xBF序号 seq,参考号 reference,学校标识码 school_code,学校名称 school\r\n");
  for (const auto& [file, words] :
       std::vector<std::pair<std::string, std::string>>{{pipe_payment, "payment file"},
                                                        {pain001, "pain.001"},
                                                        {manifest, "manifest"},
                                                        {annex, "list of students"}}) {
    const auto what = notAResultFile(file);
    ASSERT_TRUE(what.has_value()) << file;
    const std::string en = i18n::render(*what, Lang::kEn), zh = i18n::render(*what, Lang::kZh);
    EXPECT_NE(en.find(words), std::string::npos) << en;
    EXPECT_NE(zh.find("回盘"), std::string::npos) << "said in Chinese too: " << zh;
  }
  // The bank's answers themselves are read as answers (and refused line by line if broken).
  const std::string pipe_result =
      write("answer.txt",
            "序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n"
            "1|EDU0000000001000001A1|6260062933259219443|500.00|S|||SIM0001|\r\n");
  const std::string no_header =
      write("answer2.txt", "1|EDU0000000001000001A1|6260062933259219443|500.00|S|||SIM0001|\r\n");
  const std::string pain002 =
      write("answer.xml",
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"></Document>\n");
  for (const auto& f : {pipe_result, no_header, pain002})
    EXPECT_FALSE(notAResultFile(f).has_value()) << f;
}

TEST(ResultFiles, AWrongKindOfFileIsNamedInChinese) {
  TempDir dir;
  const std::string pain001 = dir.file("B000002-104.xml");
  writeFileAtomically(pain001,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document "
                      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"></Document>\n");
  const auto what = notAResultFile(pain001);
  ASSERT_TRUE(what.has_value());
  EXPECT_EQ(what->code(), "bank.result.kind.pain001");
  const std::string zh = i18n::render(*what, Lang::kZh);
  EXPECT_NE(zh.find("这是支付文件（pain.001），不是银行回盘文件"), std::string::npos) << zh;
  EXPECT_NE(zh.find("请上传银行返回的回盘文件"), std::string::npos) << zh;
  EXPECT_EQ(zh.find("payment file"), std::string::npos) << "no English in the Chinese: " << zh;
}

// Return codes: the shared ISO 20022 set (templates/banks/iso20022-return-codes.json) and each
// layout's own codes, explained in the reader's language with the code beside it.
TEST(ReturnCodes, AnIsoCodeIsExplainedInChineseAndEnglishWithTheCodeBesideIt) {
  const LayoutSet set;
  for (const char* code : {"AC01", "AC04", "AC06", "AM04", "AG01", "BE01", "MD07", "RC01"})
    EXPECT_NE(set.explainReturnCode("pain.001.001.09", code), nullptr) << code;
  const Message ac04 = set.returnReason("pain.001.001.09", "AC04", "收款账户已销户，资金退回");
  EXPECT_EQ(i18n::render(ac04, Lang::kZh), "账户已销户（原因码 AC04）");
  EXPECT_EQ(i18n::render(ac04, Lang::kEn), "account closed (AC04)");
  // Every layout shares the ISO codes; a text layout's own codes come from its file.
  EXPECT_EQ(i18n::render(set.returnReason("pipe-gbk", "AM04", ""), Lang::kEn),
            "insufficient funds (AM04)");
  EXPECT_EQ(i18n::render(set.returnReason("pipe-gbk", "E002", "账户已销户"), Lang::kZh),
            "账户已销户（原因码 E002）");
  EXPECT_EQ(set.explainReturnCode("pain.001.001.09", "E002"), nullptr) << "the pipe banks' own";
  // A code nobody explains keeps the bank's words, or says the code plainly.
  EXPECT_EQ(i18n::render(set.returnReason("pain.001.001.09", "E0217", "户名不符"), Lang::kEn),
            "户名不符 (E0217)");
  EXPECT_NE(i18n::render(set.returnReason("pain.001.001.09", "E0217", ""), Lang::kZh)
                .find("原因码 E0217"),
            std::string::npos);
  EXPECT_EQ(i18n::render(set.returnReason("pipe-gbk", "", "户名不符"), Lang::kZh),
            "银行说明：户名不符");
  // Every explanation has both texts.
  for (const auto& [code, t] : set.isoReturnCodes()) {
    EXPECT_FALSE(t.zh.empty()) << code;
    EXPECT_FALSE(t.en.empty()) << code;
  }
}

TEST(ReturnCodes, ALayoutsOwnCodesAreReadStrictly) {
  const std::string base =
      R"({"layout": "v", "kind": "delimited", "encoding": "GBK", "delimiter": "|",
          "detail": [{"value": "account"}, {"value": "amount"}], "return_codes": )";
  const Layout l = parseLayout(
      base + R"({"E0217": {"zh": "户名不符", "en": "name does not match"}}})", "banks/v.json");
  ASSERT_EQ(l.return_codes.count("E0217"), 1u);
  EXPECT_EQ(l.return_codes.at("E0217").zh, "户名不符");
  EXPECT_NE(errorOf([&] {
              parseLayout(base + R"({"E0217": {"zh": "户名不符"}}})", "banks/v.json");
            }).find("\"en\""),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseLayout(base + R"({"E 1": {"zh": "a", "en": "b"}}})", "banks/v.json");
            }).find("E 1"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              parseLayout(base + R"({"E1": {"zh": "a", "en": "b", "fr": "c"}}})", "banks/v.json");
            }).find("unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace edupay::bankfiles
