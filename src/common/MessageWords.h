#pragma once
// Helpers over a message's words: one change applied to every text of a message, and a code's
// word in each language from a small table.

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "common/Message.h"

namespace edupay {

/// `m` with `change` applied to its literal text, or to each argument's Chinese and English words
/// (masking, naming a file as its sender knows it). The code and the argument names stay.
Message mapWords(const Message& m, const std::function<std::string(const std::string&)>& change);

/// A code as a message argument: its Chinese word from `zh` (code → word), the code itself in
/// English and where `zh` has no word for it.
MessageArg codeWords(std::string name, const std::string& code,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> zh);

}  // namespace edupay
