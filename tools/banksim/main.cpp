// edupay-banksim: a strict bank for the end-to-end tests and the demo. Reads a payment file with
// its signed manifest, refuses the whole file on any problem (exit 3, nothing written) or pays it
// and writes the bank's result file. See README.md beside this file.

#include "Bank.h"
#include "Pain001.h"
#include "Results.h"
#include "TextFiles.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <unordered_map>

namespace {

using namespace edupay::banksim;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRefused = 3;

constexpr const char* kUsage =
    "usage: edupay-banksim --in PAYMENT_FILE --public-key PUB.pem --out RESULT_FILE\n"
    "                      [--fail-rate 0.05] [--seed 1] [--max-lines N] [--date YYYY-MM-DD]\n"
    "                      [--fail REFERENCE=CODE ...] [--pending-rate 0] [--schema XSD]\n"
    "Reads PAYMENT_FILE with PAYMENT_FILE.manifest.json and .manifest.sig, refuses it whole\n"
    "(exit 3) or pays it and writes RESULT_FILE (pipe-result, or pain.002 for pain.001).\n"
    "CODE is E001 户名不符, E002 账户已销户, E003 账户冻结 or E004 账户状态异常.\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string in, public_key, out, date, schema;
  double fail_rate = 0.05;
  double pending_rate = 0;
  uint64_t seed = 1;
  std::optional<uint64_t> max_lines;
  std::unordered_map<std::string, size_t> forced;
};

template <typename Number>
Number parseNumber(const std::string& option, const std::string& text) {
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError(option + ": " + text + " is not a number");
  }
  return value;
}

double parseRate(const std::string& option, const std::string& text) {
  const auto rate = parseNumber<double>(option, text);
  if (!(rate >= 0 && rate <= 1)) throw UsageError(option + " must be between 0 and 1");
  return rate;
}

Options parseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(kExitOk);
    }
    if (!value) {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      value = argv[++i];
    }
    if (arg == "--in") {
      options.in = *value;
    } else if (arg == "--public-key") {
      options.public_key = *value;
    } else if (arg == "--out") {
      options.out = *value;
    } else if (arg == "--fail-rate") {
      options.fail_rate = parseRate(arg, *value);
    } else if (arg == "--pending-rate") {
      options.pending_rate = parseRate(arg, *value);
    } else if (arg == "--seed") {
      options.seed = parseNumber<uint64_t>(arg, *value);
    } else if (arg == "--max-lines") {
      options.max_lines = parseNumber<uint64_t>(arg, *value);
      if (*options.max_lines == 0) throw UsageError("--max-lines must be at least 1");
    } else if (arg == "--date") {
      if (!isDate(*value, true)) throw UsageError("--date " + *value + " is not YYYY-MM-DD");
      options.date = *value;
    } else if (arg == "--schema") {
      options.schema = *value;
    } else if (arg == "--fail") {
      const size_t eq = value->rfind('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--fail takes REFERENCE=CODE");
      const std::string code = value->substr(eq + 1);
      size_t reason = kReasons.size();
      for (size_t r = 0; r < kReasons.size(); ++r) {
        if (kReasons[r].code == code) reason = r;
      }
      if (reason == kReasons.size()) {
        throw UsageError("--fail " + *value + ": the code is one of E001, E002, E003, E004");
      }
      options.forced[value->substr(0, eq)] = reason;
    } else {
      throw UsageError("unknown option " + arg);
    }
  }
  if (options.in.empty() || options.public_key.empty() || options.out.empty()) {
    throw UsageError("--in, --public-key and --out are required");
  }
  if (options.in == options.out) throw UsageError("--out must not be the payment file");
  if (options.fail_rate + options.pending_rate > 1) {
    throw UsageError("--fail-rate and --pending-rate add up to more than 1");
  }
  return options;
}

void reportRefusal(const std::string& file, const Problems& problems) {
  for (const auto& [line, what] : problems.kept()) {
    if (line > 0) {
      std::cerr << file << ":" << line << ": " << what << "\n";
    } else {
      std::cerr << file << ": " << what << "\n";
    }
  }
  if (problems.count() > problems.kept().size()) {
    std::cerr << file << ": ... and " << problems.count() - problems.kept().size()
              << " more problems\n";
  }
  std::cerr << "banksim: " << file << ": refused (" << problems.count() << " problem"
            << (problems.count() == 1 ? "" : "s") << "); no result written\n";
}

/// `SIM` + date + batch (6 digits) + part (2 digits): unique per file; the running number follows.
std::string txnPrefix(const std::string& date, const Manifest& manifest) {
  char text[64];
  std::snprintf(text, sizeof text, "SIM%s%s%s%06lld%02lld", date.substr(0, 4).c_str(),
                date.substr(5, 2).c_str(), date.substr(8, 2).c_str(),
                static_cast<long long>(manifest.batch), static_cast<long long>(manifest.part));
  return text;
}

int run(const Options& options) {
  FileSource file(options.in);  // opened first: a missing payment file is not a refusal
  Problems problems;
  const std::optional<Manifest> manifest = readManifest(options.in, options.public_key, problems);
  if (!manifest) {
    reportRefusal(options.in, problems);
    return kExitRefused;
  }
  const std::optional<Layout> layout = layoutFromName(manifest->layout);
  if (!layout) {
    problems.add(0, "layout " + quoted(manifest->layout) +
                        " is not one this bank takes (pipe-gbk, header-block-gbk, abc-fixed, "
                        "ccb-csv, pain.001.001.09, pain.001.001.03)");
    reportRefusal(options.in, problems);
    return kExitRefused;
  }

  const std::string date = options.date.empty() ? manifest->created : options.date;
  const std::string txn_prefix = isDate(date, true) ? txnPrefix(date, *manifest) : "SIM";
  Decider decider(options.seed, options.fail_rate, options.pending_rate, options.forced);
  std::unique_ptr<ResultWriter> writer;
  Pain002Writer* pain002 = nullptr;
  if (isPain001(*layout)) {
    auto pain_writer = std::make_unique<Pain002Writer>(options.out, *layout, date);
    pain002 = pain_writer.get();
    writer = std::move(pain_writer);
  } else {
    writer = makePipeResultWriter(options.out);
  }

  Tally tally;
  uint64_t running = 0;
  auto pay = [&](const Payment& payment) {
    const Outcome outcome = decider.decide(payment.reference);
    char number[24];
    std::snprintf(number, sizeof number, "%08llu", static_cast<unsigned long long>(++running));
    writer->add(payment, outcome, txn_prefix + number);
    tally.add(outcome, payment.amount_fen);
  };
  Intake::Options intake_options;
  intake_options.max_lines = options.max_lines.value_or(defaultMaxLines(*layout));
  intake_options.check_seq = *layout != Layout::kAbcFixed && !isPain001(*layout);
  intake_options.first_seq_is_one = manifest->part == 1;
  intake_options.expected_lines = static_cast<uint64_t>(std::max<int64_t>(manifest->count, 0));
  Intake intake(problems, intake_options, pay);

  if (isPain001(*layout)) {
    readPain001(file, *layout, *manifest, options.schema, intake, problems,
                [&](const PainHeader& header) { pain002->begin(header); });
  } else {
    readTextFile(file, *layout, *manifest, intake, problems);
  }

  if (file.finish() != manifest->sha256) {
    problems.add(0,
                 "the file's SHA-256 is not the manifest's sha256 (the file changed after it "
                 "was signed, or the manifest belongs to another file)");
  }
  if (isPain001(*layout) && file.firstCrLine() != 0) {
    problems.add(file.firstCrLine(), "a CR byte; pain.001 files end their lines with LF alone");
  }
  if (intake.complete() && static_cast<uint64_t>(manifest->count) != intake.count()) {
    problems.add(0, "the manifest says " + std::to_string(manifest->count) +
                        " payments but the file holds " + std::to_string(intake.count()));
  }
  if (intake.totalKnown() && manifest->total_fen != intake.totalFen()) {
    problems.add(0, "the manifest says the total is " + formatFen(manifest->total_fen) +
                        " but the payments add up to " + formatFen(intake.totalFen()));
  }
  if (!problems.empty()) {
    reportRefusal(options.in, problems);
    return kExitRefused;  // `writer` removes its temporary file
  }

  writer->finish(tally);
  std::cout << "banksim: " << options.in << ": " << intake.count() << " lines, paid " << tally.paid
            << " (" << formatFen(tally.paid_fen) << " yuan), failed " << tally.failed << " ("
            << formatFen(tally.failed_fen) << " yuan), pending " << tally.pending << "\n";
  for (const std::string& reference : decider.unusedForced()) {
    std::cerr << "banksim: note: --fail " << reference << ": no payment in " << options.in
              << " has this reference\n";
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parseArgs(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "edupay-banksim: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  try {
    return run(options);
  } catch (const IoError& e) {
    std::cerr << "edupay-banksim: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "edupay-banksim: unexpected error: " << e.what() << "\n";
    return kExitFailure;
  }
}
