#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/ServerApplication.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "api/Service.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Log.h"

namespace {

/// edupayd: reads its configuration once, migrates the database, serves until SIGTERM/SIGINT.
class Daemon : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(
        Poco::Util::Option("config", "c", "properties file (http.port, db.url, ...)")
            .required(false)
            .argument("FILE")
            .callback(Poco::Util::OptionCallback<Daemon>(this, &Daemon::handleConfig)));
    options.addOption(Poco::Util::Option("help", "h", "show this help")
                          .callback(Poco::Util::OptionCallback<Daemon>(this, &Daemon::handleHelp)));
  }
  /// The properties file is read like any file named from outside: a regular file, bounded.
  void handleConfig(const std::string&, const std::string& value) {
    std::istringstream in(edupay::readFile(value, 1 << 20));
    config().add(new Poco::Util::PropertyFileConfiguration(in), PRIO_APPLICATION, false);
  }
  void handleHelp(const std::string&, const std::string&) {
    Poco::Util::HelpFormatter f(options());
    f.setCommand(commandName());
    f.setUsage("[--config FILE.properties]");
    f.format(std::cout);
    stopOptionsProcessing();
    help_ = true;
  }

  int main(const std::vector<std::string>&) override {
    if (help_) return EXIT_OK;
    edupay::api::ServiceConfig c;
    const auto& p = config();
    c.address = p.getString("http.address", c.address);
    c.port = static_cast<uint16_t>(p.getInt("http.port", c.port));
    c.threads = p.getInt("http.threads", c.threads);
    c.max_body_bytes = static_cast<size_t>(
        p.getInt64("http.max_body_bytes", static_cast<int64_t>(c.max_body_bytes)));
    c.db_url = p.getString("db.url", c.db_url);
    c.key_file = p.getString("key.file", c.key_file);
    c.signing_key = p.getString("signing.key", c.signing_key);
    c.files_dir = p.getString("files.dir", c.files_dir);
    c.layouts_dir = p.getString("layouts.dir", c.layouts_dir);
    c.tls_certificate = p.getString("tls.certificate", c.tls_certificate);
    c.tls_private_key = p.getString("tls.private_key", c.tls_private_key);
    c.session_minutes = p.getInt("session.minutes", c.session_minutes);
    c.max_uploads = p.getInt("http.max_uploads", c.max_uploads);
    c.lookups_per_address = p.getInt("family.lookups_per_address", c.lookups_per_address);
    c.lookups_per_id = p.getInt("family.lookups_per_id", c.lookups_per_id);
    c.complaints_per_address = p.getInt("family.complaints_per_address", c.complaints_per_address);
    c.lookup_min_ms = p.getInt("family.lookup_min_ms", c.lookup_min_ms);
    c.complaint_due_days = p.getInt("family.complaint_due_days", c.complaint_due_days);
    c.contact = p.getString("family.contact", c.contact);
    c.public_url = p.getString("family.public_url", c.public_url);
    c.notice_contact = p.getString("notice.contact", c.notice_contact);
    {
      Poco::Util::AbstractConfiguration::Keys counties;
      p.keys("family.contact", counties);
      for (const auto& county : counties)
        c.county_contacts[county] = p.getString("family.contact." + county);
    }
    try {
      // log.level (notice: requests, state changes, files), log.file (default standard error),
      // log.format (plain or json); the environment's EDUPAY_LOG_* when the file says nothing.
      const char* env_level = std::getenv("EDUPAY_LOG_LEVEL");
      const char* env_file = std::getenv("EDUPAY_LOG_FILE");
      const char* env_format = std::getenv("EDUPAY_LOG_FORMAT");
      edupay::log::configure(p.getString("log.level", env_level ? env_level : "notice"),
                             p.getString("log.file", env_file ? env_file : "console"),
                             p.getString("log.format", env_format ? env_format : "plain"));
      edupay::api::Service service(c);
      service.start();
      std::cerr << "edupayd: listening on " << (c.tls_certificate.empty() ? "http" : "https")
                << "://" << c.address << ":" << service.port() << "\n";
      waitForTerminationRequest();
      service.stop();
    } catch (const edupay::Error& e) {
      std::cerr << "edupayd: " << e.what() << (e.detail().empty() ? "" : " (" + e.detail() + ")")
                << "\n";
      return EXIT_UNAVAILABLE;
    } catch (const std::exception& e) {
      std::cerr << "edupayd: cannot start: " << e.what() << "\n";
      return EXIT_SOFTWARE;
    }
    return EXIT_OK;
  }

 private:
  bool help_ = false;
};

}  // namespace

POCO_SERVER_MAIN(Daemon)
