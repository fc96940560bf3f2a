// A small JSON reader for the model files the loaders take (TF.js model.json,
// SentencePiece vocab.json): RFC 8259 values into a tree, with errors that
// name the file and the byte offset. Numbers are kept as doubles (strtod's
// correctly rounded value, the same double JavaScript's JSON.parse gives);
// strings are UTF-8 with every escape decoded. Nesting is limited so a hostile
// file cannot exhaust the stack.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attention::json {

struct Value {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<Value> array;
  // Object members in file order (duplicates keep the last, as JSON.parse).
  std::vector<std::pair<std::string, Value>> object;

  bool is_object() const { return kind == Kind::Object; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_string() const { return kind == Kind::String; }
  bool is_number() const { return kind == Kind::Number; }
  // The member named key, or nullptr (objects only; nullptr for other kinds).
  const Value* find(const std::string& key) const;
};

constexpr int kMaxDepth = 256;

// Parses the whole of text (one value, optional surrounding whitespace).
// Throws std::invalid_argument "<file_name>: <what> at byte <offset>".
Value parse(const char* text, std::size_t size, const std::string& file_name);

const char* kind_name(Value::Kind kind);

}  // namespace attention::json
