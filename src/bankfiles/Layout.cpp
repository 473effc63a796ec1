#include "bankfiles/Layout.h"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include "common/AtomicFile.h"
#include "common/CodeTable.h"
#include "common/Error.h"

namespace edupay::bankfiles {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

/// Where in a layout file a problem is (a key, a record, a field); none for the file as a whole.
using Where = std::optional<Message>;

[[noreturn]] void bad(const std::string& source, const Message& what) {
  throw Error(ErrorCode::kInvalidInput,
              msg("bank.layout.problem", {arg("file", source), arg("problem", what)}));
}

[[noreturn]] void bad(const std::string& source, const Where& where, const Message& what) {
  if (!where) bad(source, what);
  throw Error(ErrorCode::kInvalidInput,
              msg("bank.layout.problem_at",
                  {arg("file", source), arg("where", *where), arg("problem", what)}));
}

Message atKey(const std::string& key) { return msg("bank.layout.at_key", {arg("key", key)}); }

constexpr std::array<CodeName<FieldValue>, 16> kFieldValues{{
    {FieldValue::kText, "text"},
    {FieldValue::kSeq, "seq"},
    {FieldValue::kAccount, "account"},
    {FieldValue::kHolder, "holder"},
    {FieldValue::kAmount, "amount"},
    {FieldValue::kReference, "reference"},
    {FieldValue::kPurpose, "purpose"},
    {FieldValue::kPayerAccount, "payer_account"},
    {FieldValue::kPayerName, "payer_name"},
    {FieldValue::kTotalCount, "total_count"},
    {FieldValue::kTotalAmount, "total_amount"},
    {FieldValue::kDate, "date"},
    {FieldValue::kBatch, "batch"},
    {FieldValue::kPart, "part"},
    {FieldValue::kParts, "parts"},
    {FieldValue::kBankCode, "bank_code"},
}};

void onlyKeys(const Object& o, const std::set<std::string>& allowed, const std::string& source,
              const Where& where) {
  for (const auto& [k, v] : o) {
    if (!allowed.count(k)) bad(source, where, msg("bank.layout.unknown_key", {arg("key", k)}));
  }
}

std::string text(const Object& o, const std::string& key, const std::string& source,
                 const std::string& fallback = {}, bool required = false) {
  if (!o.has(key)) {
    if (required) bad(source, msg("bank.layout.missing", {arg("key", key)}));
    return fallback;
  }
  const auto v = o.get(key);
  if (!v.isString()) bad(source, msg("bank.layout.not_string", {arg("key", key)}));
  return v.extract<std::string>();
}

int integer(const Object& o, const std::string& key, const std::string& source, int fallback) {
  if (!o.has(key)) return fallback;
  const auto v = o.get(key);
  if (!v.isInteger()) bad(source, msg("bank.layout.not_integer", {arg("key", key)}));
  return v.convert<int>();
}

bool boolean(const Object& o, const std::string& key, const std::string& source) {
  if (!o.has(key)) return false;
  const auto v = o.get(key);
  if (!v.isBoolean()) bad(source, msg("bank.layout.not_boolean", {arg("key", key)}));
  return v.extract<bool>();
}

Field parseField(const Object::Ptr& f, const std::string& source, const Where& where) {
  if (!f) bad(source, where, msg("bank.layout.field_object"));
  onlyKeys(*f, {"value", "text", "width", "align", "pad"}, source, where);
  Field field;
  if (f->has("value") == f->has("text")) bad(source, where, msg("bank.layout.value_or_text"));
  if (f->has("value")) {
    const std::string name = text(*f, "value", source);
    const auto value = parseIn(kFieldValues, name);
    if (!value || *value == FieldValue::kText) {
      std::set<std::string_view> names;  // listed in alphabetical order
      for (const auto& v : kFieldValues)
        if (v.value != FieldValue::kText) names.insert(v.code);
      std::string known;
      for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
      bad(source, where,
          msg("bank.layout.unknown_value", {arg("value", name), arg("known", known)}));
    }
    field.value = *value;
  } else {
    field.text = text(*f, "text", source);
  }
  field.width = integer(*f, "width", source, 0);
  if (field.width < 0 || field.width > 1000) bad(source, where, msg("bank.layout.width"));
  const std::string align = text(*f, "align", source, "left");
  if (align != "left" && align != "right") bad(source, where, msg("bank.layout.align"));
  field.align_right = align == "right";
  const std::string pad = text(*f, "pad", source, " ");
  if (pad != " " && pad != "0") bad(source, where, msg("bank.layout.pad"));
  field.pad = pad[0];
  return field;
}

Record parseRecord(const Array::Ptr& a, const std::string& source, const Message& where) {
  if (!a) bad(source, where, msg("bank.layout.list_of_fields"));
  Record r;
  for (size_t i = 0; i < a->size(); ++i)
    r.push_back(parseField(
        a->getObject(static_cast<unsigned>(i)), source,
        msg("bank.layout.at_field", {arg("where", where), arg("field", std::to_string(i + 1))})));
  if (r.empty()) bad(source, where, msg("bank.layout.empty_record"));
  return r;
}

std::vector<Record> parseRecords(const Object& o, const std::string& key,
                                 const std::string& source) {
  std::vector<Record> out;
  if (!o.has(key)) return out;
  auto a = o.getArray(key);
  if (!a) bad(source, msg("bank.layout.list_of_records", {arg("key", key)}));
  for (size_t i = 0; i < a->size(); ++i)
    out.push_back(parseRecord(
        a->getArray(static_cast<unsigned>(i)), source,
        msg("bank.layout.at_record", {arg("key", key), arg("record", std::to_string(i + 1))})));
  return out;
}

/// A code a bank writes: letters, digits, `-` and `_`, at most 35 characters (ISO 20022
/// Max35Text for a proprietary reason).
bool isReturnCode(const std::string& code) {
  if (code.empty() || code.size() > 35) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

ReturnCodes returnCodesOf(const Object& o, const std::string& source) {
  ReturnCodes out;
  if (!o.has("return_codes")) return out;
  auto codes = o.getObject("return_codes");
  if (!codes) bad(source, msg("bank.layout.return_codes"));
  for (const auto& [code, v] : *codes) {
    const Where where = msg("bank.layout.at_return_code", {arg("code", code)});
    if (!isReturnCode(code)) bad(source, where, msg("bank.layout.return_code_chars"));
    auto t = codes->getObject(code);
    if (!t) bad(source, where, msg("bank.layout.return_code_object"));
    onlyKeys(*t, {"zh", "en"}, source, where);
    ReturnCodeText words{text(*t, "zh", source, {}, true), text(*t, "en", source, {}, true)};
    if (words.zh.empty() || words.en.empty())
      bad(source, where, msg("bank.layout.return_code_texts"));
    out[code] = std::move(words);
  }
  return out;
}

bool isReturnCodeFile(const std::string& file_name) { return file_name == kIsoReturnCodesFile; }

}  // namespace

ReturnCodes parseReturnCodes(std::string_view json, const std::string& source) {
  Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(std::string(json)).extract<Object::Ptr>();
  } catch (const Poco::BadCastException&) {
    bad(source, msg("bank.layout.return_code_file"));
  } catch (const Poco::Exception& e) {
    bad(source, msg("bank.layout.json", {arg("why", e.message())}));
  }
  if (!o) bad(source, msg("bank.layout.return_code_file"));
  onlyKeys(*o, {"description", "return_codes"}, source, std::nullopt);
  return returnCodesOf(*o, source);
}

Message returnReason(const ReturnCodeText* explained, const std::string& code,
                     const std::string& bank_text) {
  if (explained) {
    return msg("bank.return.reason",
               {words("reason", explained->zh, explained->en), arg("code", code)});
  }
  if (code.empty()) return msg("bank.return.reason_text", {arg("text", bank_text)});
  if (bank_text.empty()) return msg("bank.return.reason_code", {arg("code", code)});
  return msg("bank.return.reason_bank", {arg("text", bank_text), arg("code", code)});
}

Layout parseLayout(std::string_view json, const std::string& source) {
  Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(std::string(json)).extract<Object::Ptr>();
  } catch (const Poco::BadCastException&) {
    bad(source, msg("bank.layout.object"));
  } catch (const Poco::Exception& e) {
    bad(source, msg("bank.layout.json", {arg("why", e.message())}));
  }
  if (!o) bad(source, msg("bank.layout.object"));
  onlyKeys(*o,
           {"layout", "description", "kind", "encoding", "line_ending", "delimiter",
            "terminate_fields", "quote", "holder_verbatim", "max_lines", "amount", "header",
            "detail", "trailer", "version", "result", "return_codes"},
           source, std::nullopt);
  Layout l;
  l.name = text(*o, "layout", source, {}, true);
  l.description = text(*o, "description", source);
  const std::string kind = text(*o, "kind", source, {}, true);
  if (kind == "delimited") {
    l.kind = LayoutKind::kDelimited;
  } else if (kind == "fixed") {
    l.kind = LayoutKind::kFixed;
  } else if (kind == "pain.001") {
    l.kind = LayoutKind::kPain001;
  } else {
    bad(source, msg("bank.layout.kind", {arg("kind", kind)}));
  }
  l.max_lines = integer(*o, "max_lines", source, 2000);
  l.return_codes = returnCodesOf(*o, source);
  if (l.max_lines < 1) bad(source, msg("bank.layout.max_lines"));
  if (o->has("result")) {
    auto r = o->getObject("result");
    if (!r) bad(source, msg("bank.layout.result_object"));
    onlyKeys(*r, {"kind"}, source, atKey("result"));
    const std::string rk = text(*r, "kind", source, {}, true);
    if (rk == "pipe-result") {
      l.result = ResultKind::kPipeResult;
    } else if (rk == "pain.002") {
      l.result = ResultKind::kPain002;
    } else {
      bad(source, msg("bank.layout.result_kind", {arg("kind", rk)}));
    }
  }
  if (l.kind == LayoutKind::kPain001) {
    l.version = text(*o, "version", source, {}, true);
    if (l.version != "pain.001.001.09" && l.version != "pain.001.001.03")
      bad(source, msg("bank.layout.version"));
    l.encoding = FileEncoding::kUtf8;
    l.line_ending = "\n";
    l.result = ResultKind::kPain002;
    return l;
  }
  const std::string enc = text(*o, "encoding", source, {}, true);
  if (enc == "GBK") {
    l.encoding = FileEncoding::kGbk;
  } else if (enc == "GB18030") {
    l.encoding = FileEncoding::kGb18030;
  } else if (enc == "UTF-8") {
    l.encoding = FileEncoding::kUtf8;
  } else {
    bad(source, msg("bank.layout.encoding", {arg("encoding", enc)}));
  }
  const std::string le = text(*o, "line_ending", source, "CRLF");
  if (le != "CRLF" && le != "LF") bad(source, msg("bank.layout.line_ending"));
  l.line_ending = le == "CRLF" ? "\r\n" : "\n";
  if (l.kind == LayoutKind::kDelimited) {
    const std::string d = text(*o, "delimiter", source, {}, true);
    if (d.size() != 1 || d[0] == '"' || d[0] == '\r' || d[0] == '\n')
      bad(source, msg("bank.layout.delimiter"));
    l.delimiter = d[0];
  }
  l.terminate_fields = boolean(*o, "terminate_fields", source);
  l.quote = boolean(*o, "quote", source);
  l.holder_verbatim = boolean(*o, "holder_verbatim", source);
  if (o->has("amount")) {
    auto a = o->getObject("amount");
    if (!a) bad(source, msg("bank.layout.amount_object"));
    onlyKeys(*a, {"unit", "decimals"}, source, atKey("amount"));
    const std::string unit = text(*a, "unit", source, "yuan");
    if (unit != "yuan" && unit != "fen") bad(source, msg("bank.layout.amount_unit"));
    l.amount_in_fen = unit == "fen";
    l.amount_decimals = integer(*a, "decimals", source, 2);
    if (!l.amount_in_fen && l.amount_decimals != 2 && l.amount_decimals != 3)
      bad(source, msg("bank.layout.amount_decimals"));
  }
  l.header = parseRecords(*o, "header", source);
  l.trailer = parseRecords(*o, "trailer", source);
  if (!o->has("detail")) bad(source, msg("bank.layout.missing", {arg("key", "detail")}));
  l.detail = parseRecord(o->getArray("detail"), source, atKey("detail"));
  bool has_amount = false, has_account = false;
  for (const auto& f : l.detail) {
    has_amount |= f.value == FieldValue::kAmount;
    has_account |= f.value == FieldValue::kAccount;
    if (f.value == FieldValue::kTotalAmount || f.value == FieldValue::kTotalCount)
      bad(source, atKey("detail"), msg("bank.layout.detail_totals"));
  }
  if (!has_amount || !has_account) bad(source, atKey("detail"), msg("bank.layout.detail_fields"));
  if (l.kind == LayoutKind::kFixed) {
    auto widths = [&](const std::vector<Record>& records, const std::string& where) {
      for (const auto& r : records)
        for (const auto& f : r)
          if (f.width == 0) bad(source, atKey(where), msg("bank.layout.fixed_width"));
    };
    widths({l.detail}, "detail");
    widths(l.header, "header");
    widths(l.trailer, "trailer");
  }
  return l;
}

constexpr uint64_t kMaxLayoutBytes = 1 << 20;

LayoutSet::LayoutSet(const std::string& dir) {
  for (const auto& [file, json] : builtinLayouts()) {
    if (isReturnCodeFile(file)) {
      for (auto& [code, t] : parseReturnCodes(json, "templates/banks/" + file)) iso_[code] = t;
      continue;
    }
    Layout l = parseLayout(json, "templates/banks/" + file);
    layouts_[l.name] = std::move(l);
  }
  if (dir.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(ErrorCode::kNotFound, msg("bank.layout.no_dir", {arg("dir", dir)}));
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    if (isReturnCodeFile(p.filename().string())) {
      const auto codes =
          parseReturnCodes(readFileWithin(dir, p.string(), kMaxLayoutBytes), p.string());
      for (const auto& [code, t] : codes) iso_[code] = t;
      continue;
    }
    // A layout is a page of JSON; the file must be in the folder, not a link out of it.
    Layout l = parseLayout(readFileWithin(dir, p.string(), kMaxLayoutBytes), p.string());
    if (l.name != p.stem().string())
      bad(p.string(), msg("bank.layout.name", {arg("name", p.stem().string())}));
    layouts_[l.name] = std::move(l);
  }
}

const Layout& LayoutSet::get(const std::string& name) const {
  auto it = layouts_.find(name);
  if (it == layouts_.end()) {
    std::string known;
    for (const auto& [k, v] : layouts_) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorCode::kNotFound,
                msg("bank.layout.unknown", {arg("layout", name), arg("known", known)}));
  }
  return it->second;
}

const ReturnCodeText* LayoutSet::explainReturnCode(const std::string& layout,
                                                   const std::string& code) const {
  if (code.empty()) return nullptr;
  if (auto l = layouts_.find(layout); l != layouts_.end()) {
    if (auto it = l->second.return_codes.find(code); it != l->second.return_codes.end())
      return &it->second;
  }
  auto it = iso_.find(code);
  return it == iso_.end() ? nullptr : &it->second;
}

Message LayoutSet::returnReason(const std::string& layout, const std::string& code,
                                const std::string& bank_text) const {
  return bankfiles::returnReason(explainReturnCode(layout, code), code, bank_text);
}

std::vector<std::string> LayoutSet::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : layouts_) out.push_back(k);
  return out;
}

std::string_view code(FieldValue v) { return codeIn(kFieldValues, v); }

}  // namespace edupay::bankfiles
