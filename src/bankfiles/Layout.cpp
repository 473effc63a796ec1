#include "bankfiles/Layout.h"

#include <Poco/JSON/Parser.h>

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

[[noreturn]] void bad(const std::string& source, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, source + ": " + what);
}

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
              const std::string& where) {
  for (const auto& [k, v] : o) {
    if (!allowed.count(k)) bad(source, where + "unknown key \"" + k + "\"");
  }
}

std::string text(const Object& o, const std::string& key, const std::string& source,
                 const std::string& fallback = {}, bool required = false) {
  if (!o.has(key)) {
    if (required) bad(source, "missing \"" + key + "\"");
    return fallback;
  }
  const auto v = o.get(key);
  if (!v.isString()) bad(source, "\"" + key + "\" must be a string");
  return v.extract<std::string>();
}

int integer(const Object& o, const std::string& key, const std::string& source, int fallback) {
  if (!o.has(key)) return fallback;
  const auto v = o.get(key);
  if (!v.isInteger()) bad(source, "\"" + key + "\" must be an integer");
  return v.convert<int>();
}

bool boolean(const Object& o, const std::string& key, const std::string& source) {
  if (!o.has(key)) return false;
  const auto v = o.get(key);
  if (!v.isBoolean()) bad(source, "\"" + key + "\" must be true or false");
  return v.extract<bool>();
}

Field parseField(const Object::Ptr& f, const std::string& source, const std::string& where) {
  if (!f) bad(source, where + "a field must be an object");
  onlyKeys(*f, {"value", "text", "width", "align", "pad"}, source, where);
  Field field;
  if (f->has("value") == f->has("text"))
    bad(source, where + "a field has either \"value\" or \"text\"");
  if (f->has("value")) {
    const std::string name = text(*f, "value", source);
    const auto value = parseIn(kFieldValues, name);
    if (!value || *value == FieldValue::kText) {
      std::set<std::string_view> names;  // listed in alphabetical order
      for (const auto& v : kFieldValues)
        if (v.value != FieldValue::kText) names.insert(v.code);
      std::string known;
      for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
      bad(source, where + "unknown value \"" + name + "\"; one of: " + known);
    }
    field.value = *value;
  } else {
    field.text = text(*f, "text", source);
  }
  field.width = integer(*f, "width", source, 0);
  if (field.width < 0 || field.width > 1000) bad(source, where + "width must be 1..1000");
  const std::string align = text(*f, "align", source, "left");
  if (align != "left" && align != "right") bad(source, where + "align is \"left\" or \"right\"");
  field.align_right = align == "right";
  const std::string pad = text(*f, "pad", source, " ");
  if (pad != " " && pad != "0") bad(source, where + "pad is \" \" or \"0\"");
  field.pad = pad[0];
  return field;
}

Record parseRecord(const Array::Ptr& a, const std::string& source, const std::string& where) {
  if (!a) bad(source, where + "must be a list of fields");
  Record r;
  for (size_t i = 0; i < a->size(); ++i)
    r.push_back(parseField(a->getObject(static_cast<unsigned>(i)), source,
                           where + "field " + std::to_string(i + 1) + ": "));
  if (r.empty()) bad(source, where + "a record needs at least one field");
  return r;
}

std::vector<Record> parseRecords(const Object& o, const std::string& key,
                                 const std::string& source) {
  std::vector<Record> out;
  if (!o.has(key)) return out;
  auto a = o.getArray(key);
  if (!a) bad(source, "\"" + key + "\" must be a list of records");
  for (size_t i = 0; i < a->size(); ++i)
    out.push_back(parseRecord(a->getArray(static_cast<unsigned>(i)), source,
                              key + " record " + std::to_string(i + 1) + ": "));
  return out;
}

}  // namespace

Layout parseLayout(std::string_view json, const std::string& source) {
  Object::Ptr o;
  try {
    o = Poco::JSON::Parser().parse(std::string(json)).extract<Object::Ptr>();
  } catch (const Poco::BadCastException&) {
    bad(source, "a layout is a JSON object");
  } catch (const Poco::Exception& e) {
    bad(source, "not valid JSON: " + e.message());
  }
  if (!o) bad(source, "a layout is a JSON object");
  onlyKeys(*o,
           {"layout", "description", "kind", "encoding", "line_ending", "delimiter",
            "terminate_fields", "quote", "holder_verbatim", "max_lines", "amount", "header",
            "detail", "trailer", "version", "result"},
           source, "");
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
    bad(source, "\"kind\" is delimited, fixed or pain.001, not \"" + kind + "\"");
  }
  l.max_lines = integer(*o, "max_lines", source, 2000);
  if (l.max_lines < 1) bad(source, "\"max_lines\" must be at least 1");
  if (o->has("result")) {
    auto r = o->getObject("result");
    if (!r) bad(source, "\"result\" must be an object");
    onlyKeys(*r, {"kind"}, source, "result: ");
    const std::string rk = text(*r, "kind", source, {}, true);
    if (rk == "pipe-result") {
      l.result = ResultKind::kPipeResult;
    } else if (rk == "pain.002") {
      l.result = ResultKind::kPain002;
    } else {
      bad(source, "result kind is pipe-result or pain.002, not \"" + rk + "\"");
    }
  }
  if (l.kind == LayoutKind::kPain001) {
    l.version = text(*o, "version", source, {}, true);
    if (l.version != "pain.001.001.09" && l.version != "pain.001.001.03")
      bad(source, "\"version\" is pain.001.001.09 or pain.001.001.03");
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
    bad(source, "\"encoding\" is GBK, GB18030 or UTF-8, not \"" + enc + "\"");
  }
  const std::string le = text(*o, "line_ending", source, "CRLF");
  if (le != "CRLF" && le != "LF") bad(source, "\"line_ending\" is CRLF or LF");
  l.line_ending = le == "CRLF" ? "\r\n" : "\n";
  if (l.kind == LayoutKind::kDelimited) {
    const std::string d = text(*o, "delimiter", source, {}, true);
    if (d.size() != 1 || d[0] == '"' || d[0] == '\r' || d[0] == '\n')
      bad(source, "\"delimiter\" must be one character (not a quote or line break)");
    l.delimiter = d[0];
  }
  l.terminate_fields = boolean(*o, "terminate_fields", source);
  l.quote = boolean(*o, "quote", source);
  l.holder_verbatim = boolean(*o, "holder_verbatim", source);
  if (o->has("amount")) {
    auto a = o->getObject("amount");
    if (!a) bad(source, "\"amount\" must be an object");
    onlyKeys(*a, {"unit", "decimals"}, source, "amount: ");
    const std::string unit = text(*a, "unit", source, "yuan");
    if (unit != "yuan" && unit != "fen") bad(source, "amount unit is yuan or fen");
    l.amount_in_fen = unit == "fen";
    l.amount_decimals = integer(*a, "decimals", source, 2);
    if (!l.amount_in_fen && l.amount_decimals != 2 && l.amount_decimals != 3)
      bad(source, "amount decimals are 2 or 3");
  }
  l.header = parseRecords(*o, "header", source);
  l.trailer = parseRecords(*o, "trailer", source);
  if (!o->has("detail")) bad(source, "missing \"detail\"");
  l.detail = parseRecord(o->getArray("detail"), source, "detail: ");
  bool has_amount = false, has_account = false;
  for (const auto& f : l.detail) {
    has_amount |= f.value == FieldValue::kAmount;
    has_account |= f.value == FieldValue::kAccount;
    if (f.value == FieldValue::kTotalAmount || f.value == FieldValue::kTotalCount)
      bad(source, "detail: totals belong in the header or trailer");
  }
  if (!has_amount || !has_account) bad(source, "detail: needs the account and amount fields");
  if (l.kind == LayoutKind::kFixed) {
    auto widths = [&](const std::vector<Record>& records, const std::string& where) {
      for (const auto& r : records)
        for (const auto& f : r)
          if (f.width == 0) bad(source, where + ": every field of a fixed layout needs a width");
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
    Layout l = parseLayout(json, "templates/banks/" + file);
    layouts_[l.name] = std::move(l);
  }
  if (dir.empty()) return;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(ErrorCode::kNotFound, "layout directory " + dir + " not found");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    // A layout is a page of JSON; the file must be in the folder, not a link out of it.
    Layout l = parseLayout(readFileWithin(dir, p.string(), kMaxLayoutBytes), p.string());
    if (l.name != p.stem().string())
      bad(p.string(), "\"layout\" must be the file name without .json (" + p.stem().string() + ")");
    layouts_[l.name] = std::move(l);
  }
}

const Layout& LayoutSet::get(const std::string& name) const {
  auto it = layouts_.find(name);
  if (it == layouts_.end()) {
    std::string known;
    for (const auto& [k, v] : layouts_) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorCode::kNotFound, "no bank file layout \"" + name + "\"; known: " + known);
  }
  return it->second;
}

std::vector<std::string> LayoutSet::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : layouts_) out.push_back(k);
  return out;
}

std::string_view code(FieldValue v) { return codeIn(kFieldValues, v); }

}  // namespace edupay::bankfiles
