#pragma once
// One JSON shape for the identification's rounds and cases, shared by the CLI (`--json`) and the
// API, so both say the same thing. Masked: a case shows the masked resident ID, never the family
// situation (that is `revealFamily`, for the school, the county and auditors).

#include <Poco/JSON/Object.h>

#include "identify/Identify.h"

namespace edupay::api {

Poco::JSON::Object::Ptr roundJson(const identify::Round& r);
Poco::JSON::Object::Ptr caseJson(const identify::Case& c);
Poco::JSON::Object::Ptr familyJson(const identify::FamilySituation& f);
Poco::JSON::Object::Ptr spotCheckJson(const identify::SpotCheck& s);
Poco::JSON::Object::Ptr objectionJson(const identify::Objection& o);

}  // namespace edupay::api
