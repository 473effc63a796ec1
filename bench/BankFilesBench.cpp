// The bank-file formats alone, without the database: writes N payments as pipe-delimited GBK and
// as pain.001.001.09, and reads N-line result files (pipe-result in GBK and pain.002), reporting
// lines per second. `bench/bank-files.sh` measures the commands end to end.
//   edupay_bankfile_bench [N] [DIR]      default 1000000, /tmp
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "bankfiles/Layout.h"
#include "bankfiles/PaymentFile.h"
#include "bankfiles/ResultFile.h"
#include "common/Csv.h"

namespace {

using namespace edupay;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long peakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

const char* kNames[] = {"张三", "李四", "王小明", "欧阳娜娜", "阿依古丽·买买提", "赵六"};

bankfiles::PaymentLine line(int64_t i) {
  bankfiles::PaymentLine l;
  l.seq = i;
  char ref[40];
  std::snprintf(ref, sizeof ref, "EDU%010d%06dA1", 1, static_cast<int>(i % 1000000));
  l.reference = ref;
  l.account = "62220212345" + std::to_string(10000000 + i % 90000000);
  l.holder = kNames[i % 6];
  l.amount = Money::fromFen(25000 + (i % 7) * 5000);
  return l;
}

void write(const bankfiles::Layout& layout, int64_t n, const std::string& path) {
  bankfiles::FileHeader h;
  h.batch = 1;
  h.bank_code = "102";
  h.payer_account = "6212260000000430121";
  h.payer_name = "长沙县教育局学生资助专户";
  h.purpose = "雨露计划2026秋";
  h.date = *Date::fromYmd(2026, 9, 21);
  h.count = n;
  for (int64_t i = 1; i <= n; ++i) h.total += line(i).amount;
  std::ofstream out(path, std::ios::binary);
  const auto t = Clock::now();
  auto w = bankfiles::makeWriter(layout, out, h);
  for (int64_t i = 1; i <= n; ++i) w->add(line(i));
  w->finish();
  out.close();
  const double s = since(t);
  std::printf("write %-16s %8lld payments in %6.2f s: %9.0f lines/s (peak RSS %ld MB so far)\n",
              layout.name.c_str(), static_cast<long long>(n), s, n / s, peakRssMb());
}

void read(const std::string& what, const std::string& path, bankfiles::ResultKind kind, int64_t n) {
  int64_t lines = 0;
  const auto t = Clock::now();
  bankfiles::readResultFile(path, kind, [&](const bankfiles::ResultLine&) { ++lines; });
  const double s = since(t);
  std::printf("read  %-16s %8lld lines    in %6.2f s: %9.0f lines/s (peak RSS %ld MB so far)\n",
              what.c_str(), static_cast<long long>(lines), s, lines / s, peakRssMb());
  if (lines != n) std::printf("  expected %lld lines\n", static_cast<long long>(n));
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::stoll(argv[1]) : 1000000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  const bankfiles::LayoutSet layouts;
  write(layouts.get("pipe-gbk"), n, dir + "/bench-pipe-gbk.txt");
  write(layouts.get("abc-fixed"), n, dir + "/bench-abc-fixed.txt");
  write(layouts.get("pain.001.001.09"), n, dir + "/bench-pain001.xml");

  {
    std::ofstream out(dir + "/bench-result.txt", std::ios::binary);
    out << utf8ToGb18030("序号|参考号|账号|金额|状态|原因码|原因|银行流水号|\r\n");
    const std::string failed = utf8ToGb18030("E|E001|户名不符");
    for (int64_t i = 1; i <= n; ++i) {
      const auto l = line(i);
      out << i << '|' << l.reference << '|' << l.account << '|' << l.amount.toYuan() << '|'
          << (i % 50 == 0 ? failed : "S||") << "|SIM" << i << "|\r\n";
    }
  }
  read("pipe-result", dir + "/bench-result.txt", bankfiles::ResultKind::kPipeResult, n);
  {
    std::ofstream out(dir + "/bench-pain002.xml", std::ios::binary);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document "
           "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.10\"><CstmrPmtStsRpt>"
           "<OrgnlPmtInfAndSts>\n";
    for (int64_t i = 1; i <= n; ++i) {
      const auto l = line(i);
      out << "<TxInfAndSts><OrgnlEndToEndId>" << l.reference << "</OrgnlEndToEndId><TxSts>"
          << (i % 50 == 0 ? "RJCT</TxSts><StsRsnInf><Rsn><Cd>BE01</Cd></Rsn></StsRsnInf>"
                          : "ACSC</TxSts>")
          << "<AcctSvcrRef>SIM" << i << "</AcctSvcrRef><OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">"
          << l.amount.toYuan() << "</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n";
    }
    out << "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n";
  }
  read("pain.002", dir + "/bench-pain002.xml", bankfiles::ResultKind::kPain002, n);
  return 0;
}
