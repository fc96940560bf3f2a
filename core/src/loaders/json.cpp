#include "loaders/json.h"

#include <cstdlib>
#include <stdexcept>

namespace attention::json {

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::Object) return nullptr;
  const Value* found = nullptr;
  for (const auto& member : object) {
    if (member.first == key) found = &member.second;
  }
  return found;
}

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return "a boolean";
    case Value::Kind::Number: return "a number";
    case Value::Kind::String: return "a string";
    case Value::Kind::Array: return "an array";
    case Value::Kind::Object: return "an object";
  }
  return "?";
}

namespace {

class Parser {
 public:
  Parser(const char* text, std::size_t size, const std::string& file)
      : p_(text), begin_(text), end_(text + size), file_(file) {}

  Value document() {
    Value value = parse_value(0);
    skip_space();
    if (p_ != end_) fail("unexpected text after the JSON value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(file_ + ": " + what + " at byte " +
                                std::to_string(static_cast<long long>(p_ - begin_)));
  }

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  void expect_word(const char* word) {
    for (const char* w = word; *w; ++w, ++p_) {
      if (p_ == end_ || *p_ != *w) fail(std::string("expected '") + word + "'");
    }
  }

  Value parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth));
    skip_space();
    if (p_ == end_) fail("unexpected end of file");
    Value value;
    switch (*p_) {
      case '{': parse_object(value, depth); break;
      case '[': parse_array(value, depth); break;
      case '"': value.kind = Value::Kind::String; value.string = parse_string(); break;
      case 't': expect_word("true"); value.kind = Value::Kind::Bool; value.boolean = true; break;
      case 'f': expect_word("false"); value.kind = Value::Kind::Bool; break;
      case 'n': expect_word("null"); break;
      default: value.kind = Value::Kind::Number; value.number = parse_number(); break;
    }
    return value;
  }

  void parse_object(Value& value, int depth) {
    value.kind = Value::Kind::Object;
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == '}') { ++p_; return; }
    for (;;) {
      skip_space();
      if (p_ == end_ || *p_ != '"') fail("expected a member name");
      std::string key = parse_string();
      skip_space();
      if (p_ == end_ || *p_ != ':') fail("expected ':'");
      ++p_;
      value.object.emplace_back(std::move(key), parse_value(depth + 1));
      skip_space();
      if (p_ != end_ && *p_ == ',') { ++p_; continue; }
      if (p_ != end_ && *p_ == '}') { ++p_; return; }
      fail("expected ',' or '}'");
    }
  }

  void parse_array(Value& value, int depth) {
    value.kind = Value::Kind::Array;
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == ']') { ++p_; return; }
    for (;;) {
      value.array.push_back(parse_value(depth + 1));
      skip_space();
      if (p_ != end_ && *p_ == ',') { ++p_; continue; }
      if (p_ != end_ && *p_ == ']') { ++p_; return; }
      fail("expected ',' or ']'");
    }
  }

  // RFC 8259 number grammar checked first, so strtod never reads past it.
  double parse_number() {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') fail("expected a value");
    if (*p_ == '0') ++p_;
    else while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') fail("expected a digit after '.'");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') fail("expected a digit in the exponent");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    const std::string digits(start, p_);
    return std::strtod(digits.c_str(), nullptr);
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      if (p_ == end_) fail("unexpected end of file in a \\u escape");
      const char c = *p_;
      code <<= 4;
      if (c >= '0' && c <= '9') code |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') code |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') code |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad hex digit in a \\u escape");
    }
    return code;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    ++p_;  // opening quote
    std::string out;
    for (;;) {
      if (p_ == end_) fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') { ++p_; return out; }
      if (c < 0x20) fail("control character in a string");
      if (c != '\\') { out += static_cast<char>(c); ++p_; continue; }
      ++p_;
      if (p_ == end_) fail("unterminated escape");
      const char e = *p_++;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          // A surrogate pair is one code point; a lone surrogate becomes
          // U+FFFD, as a JS string holding one would when encoded to UTF-8.
          if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* save = p_;
            p_ += 2;
            const unsigned low = hex4();
            if (low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else p_ = save;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
          append_utf8(out, cp);
          break;
        }
        default: --p_; fail("unknown escape");
      }
    }
  }

  const char* p_;
  const char* begin_;
  const char* end_;
  const std::string& file_;
};

}  // namespace

Value parse(const char* text, std::size_t size, const std::string& file_name) {
  return Parser(text, size, file_name).document();
}

}  // namespace attention::json
