// The safetensors format, read by the format and not by the model:
//
//   bytes 0..7    n, the header's length, unsigned 64-bit little-endian
//   bytes 8..8+n  a JSON object: { "<tensor>": { "dtype": "F32" | "F16" | "BF16",
//                 "shape": [d0, d1, ...], "data_offsets": [begin, end] }, ...,
//                 "__metadata__": { "<key>": "<string>" } (optional) }
//   the rest      the data section; each tensor's bytes are [begin, end) of it,
//                 little-endian, row-major, tensors not overlapping.
//
// Loading is two steps so that nothing larger than the file is allocated
// before the file is known to be sound and the caller knows the tensors are
// the ones it needs: parse_safetensors_header() checks every number of the
// header against the file (header length, offsets inside the data section and
// not overlapping, byte size = elements x dtype size, known dtype, shapes that
// fit the file); decode_safetensors_f32() then converts one tensor to float32
// (F16 and BF16 widened exactly), refusing NaN and infinities. Every error is
// a std::invalid_argument naming the file, the tensor and what was expected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attention {

enum class SafetensorsDtype { F32, F16, BF16 };

struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<std::int64_t> shape;
  std::size_t elements = 0;
  std::size_t begin = 0, end = 0;  // byte range in the data section
};

struct SafetensorsHeader {
  std::string file_name;
  std::size_t data_offset = 0;  // where the data section starts in the file (8 + n)
  std::size_t data_size = 0;
  std::vector<SafetensorsTensor> tensors;  // in the header's order

  const SafetensorsTensor* find(const std::string& name) const;
};

// The longest header the reader takes (the format's own limit).
constexpr std::size_t kSafetensorsMaxHeaderBytes = std::size_t{100} << 20;

const char* safetensors_dtype_name(SafetensorsDtype dtype);
std::size_t safetensors_dtype_size(SafetensorsDtype dtype);
// "[2, 3]"
std::string shape_text(const std::vector<std::int64_t>& shape);

SafetensorsHeader parse_safetensors_header(const std::uint8_t* data, std::size_t size, const std::string& file_name);

// out [tensor.elements] float32 from the tensor's bytes in the file the header
// was parsed from (data, size: the whole file, as given to the parser).
void decode_safetensors_f32(float* out, const SafetensorsHeader& header, const SafetensorsTensor& tensor,
                            const std::uint8_t* data, std::size_t size);

// The float32 value of IEEE half and bfloat16 bits (exact: both widen).
float f16_to_f32(std::uint16_t bits);
float bf16_to_f32(std::uint16_t bits);

}  // namespace attention
