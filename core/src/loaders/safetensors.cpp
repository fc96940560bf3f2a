#include "loaders/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "loaders/json.h"

namespace attention {

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::invalid_argument(file + ": " + what);
}

std::string quoted(const std::string& name) {
  return "tensor \"" + (name.size() > 120 ? name.substr(0, 120) + "..." : name) + "\"";
}

// A JSON number that is a whole number from 0 to max, else the error says which.
std::uint64_t whole_number(const json::Value& v, std::uint64_t max, const std::string& file, const std::string& what) {
  if (!v.is_number() || !(v.number >= 0) || v.number != std::floor(v.number) || v.number > static_cast<double>(max)) {
    fail(file, what + ": expected a whole number from 0 to " + std::to_string(max));
  }
  return static_cast<std::uint64_t>(v.number);
}

}  // namespace

const SafetensorsTensor* SafetensorsHeader::find(const std::string& name) const {
  for (const SafetensorsTensor& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const char* safetensors_dtype_name(SafetensorsDtype dtype) {
  switch (dtype) {
    case SafetensorsDtype::F32: return "F32";
    case SafetensorsDtype::F16: return "F16";
    case SafetensorsDtype::BF16: return "BF16";
  }
  return "?";
}

std::size_t safetensors_dtype_size(SafetensorsDtype dtype) { return dtype == SafetensorsDtype::F32 ? 4 : 2; }

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

SafetensorsHeader parse_safetensors_header(const std::uint8_t* data, std::size_t size, const std::string& file) {
  if (size < 8 || !data) {
    fail(file, std::to_string(size) + " bytes; expected a safetensors file (an 8-byte header length, a JSON header, the data)");
  }
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
  if (n > size - 8) {
    fail(file, "the header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size) +
                   " bytes, so at most " + std::to_string(size - 8) + ")");
  }
  if (n > kSafetensorsMaxHeaderBytes) {
    fail(file, "the header length " + std::to_string(n) + " is over the format's limit of " +
                   std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
  }
  if (n < 2 || data[8] != '{') fail(file, "the header is not a JSON object (expected '{' at byte 8)");
  const json::Value root = json::parse(reinterpret_cast<const char*>(data + 8), static_cast<std::size_t>(n), file + " header");
  if (!root.is_object()) fail(file, "the header is not a JSON object");

  SafetensorsHeader h;
  h.file_name = file;
  h.data_offset = 8 + static_cast<std::size_t>(n);
  h.data_size = size - h.data_offset;
  for (const auto& [name, spec] : root.object) {
    if (name == "__metadata__") {
      if (!spec.is_object()) fail(file, "__metadata__: expected an object of strings");
      continue;
    }
    const std::string at = quoted(name);
    if (!spec.is_object()) fail(file, at + ": expected an object with dtype, shape and data_offsets");
    const json::Value* dtype = spec.find("dtype");
    const json::Value* shape = spec.find("shape");
    const json::Value* offsets = spec.find("data_offsets");
    if (!dtype || !dtype->is_string()) fail(file, at + ": dtype missing; expected \"F32\", \"F16\" or \"BF16\"");
    SafetensorsTensor t;
    t.name = name;
    if (dtype->string == "F32") t.dtype = SafetensorsDtype::F32;
    else if (dtype->string == "F16") t.dtype = SafetensorsDtype::F16;
    else if (dtype->string == "BF16") t.dtype = SafetensorsDtype::BF16;
    else {
      fail(file, at + ": dtype \"" + dtype->string.substr(0, 20) +
                     "\" is not one the loader reads; expected \"F32\", \"F16\" or \"BF16\" (floating-point weights)");
    }
    if (!shape || !shape->is_array() || shape->array.size() > 8) {
      fail(file, at + ": shape missing; expected an array of at most 8 dimensions");
    }
    // The product is bounded by the data section at every step, so it cannot overflow.
    const std::size_t dsize = safetensors_dtype_size(t.dtype);
    std::size_t elements = 1;
    for (std::size_t d = 0; d < shape->array.size(); ++d) {
      const std::uint64_t dim = whole_number(shape->array[d], std::uint64_t{1} << 40, file,
                                             at + " shape[" + std::to_string(d) + "]");
      t.shape.push_back(static_cast<std::int64_t>(dim));
      if (dim != 0 && elements > h.data_size / dsize / dim) {
        fail(file, at + ": shape " + shape_text(t.shape) + (d + 1 < shape->array.size() ? "..." : "") +
                       " holds more " + safetensors_dtype_name(t.dtype) + " values than the data section's " +
                       std::to_string(h.data_size) + " bytes");
      }
      elements *= static_cast<std::size_t>(dim);
    }
    t.elements = elements;
    if (!offsets || !offsets->is_array() || offsets->array.size() != 2) {
      fail(file, at + ": data_offsets missing; expected [begin, end]");
    }
    t.begin = static_cast<std::size_t>(whole_number(offsets->array[0], UINT64_MAX >> 12, file, at + " data_offsets[0]"));
    t.end = static_cast<std::size_t>(whole_number(offsets->array[1], UINT64_MAX >> 12, file, at + " data_offsets[1]"));
    if (t.begin > t.end || t.end > h.data_size) {
      fail(file, at + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                     "] leave the data section; expected begin <= end <= " + std::to_string(h.data_size));
    }
    if (t.end - t.begin != elements * dsize) {
      fail(file, at + ": " + std::to_string(t.end - t.begin) + " bytes, but shape " + shape_text(t.shape) + " of " +
                     safetensors_dtype_name(t.dtype) + " takes " + std::to_string(elements * dsize));
    }
    h.tensors.push_back(std::move(t));
  }
  std::vector<const SafetensorsTensor*> order;
  for (const SafetensorsTensor& t : h.tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const SafetensorsTensor* a, const SafetensorsTensor* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  for (std::size_t i = 1; i < order.size(); ++i) {
    const SafetensorsTensor& a = *order[i - 1];
    const SafetensorsTensor& b = *order[i];
    if (b.begin < a.end && b.begin != b.end && a.begin != a.end) {
      fail(file, quoted(b.name) + ": data_offsets [" + std::to_string(b.begin) + ", " + std::to_string(b.end) +
                     "] overlap " + quoted(a.name) + "'s [" + std::to_string(a.begin) + ", " + std::to_string(a.end) +
                     "]; expected each tensor's bytes to be its own");
    }
  }
  return h;
}

float f16_to_f32(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal half: shift the mantissa up until its leading one is the implicit bit.
    exponent = 113;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_f32(std::uint16_t h) {
  const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void decode_safetensors_f32(float* out, const SafetensorsHeader& h, const SafetensorsTensor& t,
                            const std::uint8_t* data, std::size_t size) {
  if (size != h.data_offset + h.data_size) fail(h.file_name, "changed size since its header was read");
  const std::uint8_t* bytes = data + h.data_offset + t.begin;
  switch (t.dtype) {
    case SafetensorsDtype::F32:
      for (std::size_t i = 0; i < t.elements; ++i) {
        const std::uint32_t bits = static_cast<std::uint32_t>(bytes[4 * i]) | static_cast<std::uint32_t>(bytes[4 * i + 1]) << 8 |
                                   static_cast<std::uint32_t>(bytes[4 * i + 2]) << 16 |
                                   static_cast<std::uint32_t>(bytes[4 * i + 3]) << 24;
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    case SafetensorsDtype::F16:
      for (std::size_t i = 0; i < t.elements; ++i) out[i] = f16_to_f32(static_cast<std::uint16_t>(bytes[2 * i] | bytes[2 * i + 1] << 8));
      break;
    case SafetensorsDtype::BF16:
      for (std::size_t i = 0; i < t.elements; ++i) out[i] = bf16_to_f32(static_cast<std::uint16_t>(bytes[2 * i] | bytes[2 * i + 1] << 8));
      break;
  }
  for (std::size_t i = 0; i < t.elements; ++i) {
    if (!std::isfinite(out[i])) {
      fail(h.file_name, quoted(t.name) + ": element " + std::to_string(i) + " is " +
                            (std::isnan(out[i]) ? "NaN" : "infinite") + "; expected finite weights");
    }
  }
}

}  // namespace attention
