#pragma once
// The synthetic province's building blocks (Synth.cpp): a portable random sequence, the names,
// cities and banks it draws from, and the records it writes. Not part of the module's interface.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/Date.h"
#include "domain/Codes.h"
#include "registry/Model.h"

namespace edupay::registry::synth {

using domain::Stage;

/// splitmix64: tiny, fast, and the same sequence on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  bool chance(int per_10000) { return below(10000) < per_10000; }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[static_cast<size_t>(below(N))];
  }

 private:
  uint64_t state_;
};

inline constexpr std::array<const char*, 40> kSurnames{
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余"};
inline constexpr std::array<const char*, 48> kGiven{
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "建", "文", "斌",
    "宇", "浩", "凯", "欣", "怡", "佳", "子", "涵", "梓", "轩", "雨", "晨", "思", "嘉", "博", "瑶"};
inline constexpr std::array<const char*, 6> kEthnic{"汉族",   "汉族", "汉族",
                                                    "土家族", "苗族", "侗族"};

struct City {
  const char* code;
  const char* name;
};
inline constexpr std::array<City, 14> kCities{{{"430100", "长沙市"},
                                               {"430200", "株洲市"},
                                               {"430300", "湘潭市"},
                                               {"430400", "衡阳市"},
                                               {"430500", "邵阳市"},
                                               {"430600", "岳阳市"},
                                               {"430700", "常德市"},
                                               {"430800", "张家界市"},
                                               {"430900", "益阳市"},
                                               {"431000", "郴州市"},
                                               {"431100", "永州市"},
                                               {"431200", "怀化市"},
                                               {"431300", "娄底市"},
                                               {"433100", "湘西土家族苗族自治州"}}};
// CNAPS bank codes start with the bank's 3-digit code: ICBC, ABC, BOC, CCB, rural credit union.
inline constexpr std::array<const char*, 5> kBanks{"102", "103", "104", "105", "402"};

struct SynthSchool {
  std::string code, name, region;
  std::vector<Stage> stages;
  bool is_public = true;
  bool chinese_gbk = false;  // this school's roll export uses Chinese headers and GBK
};

struct Status {
  std::string category, from, to;
};

struct Person {
  std::string id, name;
  Date birth;
  Sex sex = Sex::kMale;
};

struct Student {
  Person p;
  std::string ethnicity;
  Stage stage = Stage::kPrimary;
  int grade = 1;
  size_t school = 0;
  std::string class_name, major;
  bool agri = false, boarding = false;
  std::string status = "active", status_date;
  std::string household, hukou;
  bool rural = true;
  std::string guardian_name, guardian_id;
  std::string difficulty = "none";
  std::string categories;
  std::string account, bank_code, holder, kind;
  Date enroll;
};

}  // namespace edupay::registry::synth
