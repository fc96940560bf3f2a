// The TF.js graph-model loader: USE lite's real files load whole, and every
// kind of bad input (truncated JSON or shard, a manifest that disagrees with
// the shards, an unknown op, NaN in the weights, a hostile size) is refused
// before the weights are allocated, with a message naming file, tensor and
// what was expected.
#include <attention/loaders/tfjs_graph.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "model_files.h"

namespace {

using attention::load_tfjs_weights;
using attention::parse_tfjs_model_json;
using attention::TfjsGraphManifest;
using attention::TfjsShard;
using attention::TfjsWeights;
using attention_test::read_bytes;
using attention_test::use_lite_path;

std::string error_of(const std::function<void()>& step) {
  try {
    step();
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

#define EXPECT_MENTIONS(message, part) \
  EXPECT_NE((message).find(part), std::string::npos) << "message: " << (message) << "\nlacks: " << (part)

struct RealFiles {
  std::vector<char> model_json;
  std::vector<std::vector<std::uint8_t>> shards;
  std::vector<std::string> names;

  RealFiles() {
    model_json = read_bytes(use_lite_path("model.json"));
    for (int i = 1; i <= 7; ++i) {
      names.push_back("group1-shard" + std::to_string(i) + "of7");
      const std::vector<char> bytes = read_bytes(use_lite_path(names.back()));
      shards.emplace_back(bytes.begin(), bytes.end());
    }
  }
  std::vector<TfjsShard> views() const {
    std::vector<TfjsShard> out;
    for (std::size_t i = 0; i < shards.size(); ++i) out.push_back({names[i], shards[i].data(), shards[i].size()});
    return out;
  }
  TfjsGraphManifest manifest() const { return parse_tfjs_model_json(model_json.data(), model_json.size(), "model.json"); }
};

const RealFiles& real() {
  static const RealFiles files;
  return files;
}

const std::string kEmbeddings = "module/Embeddings_en";

TEST(TfjsGraphLoader, LoadsUseLiteWholeWithEveryTensorWhereTheManifestPutsIt) {
  const TfjsGraphManifest manifest = real().manifest();
  EXPECT_EQ(manifest.nodes.size(), 317u);
  ASSERT_EQ(manifest.groups.size(), 1u);
  EXPECT_EQ(manifest.groups[0].paths.size(), 7u);
  EXPECT_EQ(manifest.groups[0].total_bytes, 27903656u);
  EXPECT_EQ(manifest.tensors.size(), 61u);
  const TfjsWeights weights = load_tfjs_weights(manifest, real().views());
  const float* embeddings = weights.f32(kEmbeddings, {8002, 256}, "token embedding");
  // The embedding is the manifest's 40th tensor: its first float sits at the
  // byte offset the manifest implies, in whichever shard that falls.
  const auto& spec = weights.spec(kEmbeddings);
  const std::size_t shard = spec.byte_offset / 4194304, within = spec.byte_offset % 4194304;
  float first;
  std::memcpy(&first, real().shards[shard].data() + within, 4);
  EXPECT_EQ(embeddings[0], first);
  EXPECT_EQ(weights.i32_scalar("module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y", "length limit"), 128);
  EXPECT_FLOAT_EQ(weights.f32_scalar("module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y", "l2 floor"), 1e-12f);
}

TEST(TfjsGraphLoader, ATruncatedShardNamesTheShardTheTensorAndTheBytesNeeded) {
  std::vector<TfjsShard> shards = real().views();
  shards[6].size -= 100;
  const std::string message = error_of([&] { load_tfjs_weights(real().manifest(), shards); });
  EXPECT_MENTIONS(message, "group1-shard7of7: the shards of model.json's weightsManifest[0] hold 27903556 bytes");
  EXPECT_MENTIONS(message, "the manifest's tensors need 27903656");
  EXPECT_MENTIONS(message, "tensor '");
  EXPECT_MENTIONS(message, "the shards end at 27903556");
}

TEST(TfjsGraphLoader, AShardLongerThanTheManifestSaysIsRefusedToo) {
  std::vector<std::uint8_t> longer = real().shards[6];
  longer.resize(longer.size() + 8);
  std::vector<TfjsShard> shards = real().views();
  shards[6] = {"group1-shard7of7", longer.data(), longer.size()};
  EXPECT_MENTIONS(error_of([&] { load_tfjs_weights(real().manifest(), shards); }),
                  "8 bytes after the last tensor are not in the manifest");
}

TEST(TfjsGraphLoader, AMissingShardIsNamed) {
  std::vector<TfjsShard> shards = real().views();
  shards.erase(shards.begin() + 2);
  EXPECT_EQ(error_of([&] { load_tfjs_weights(real().manifest(), shards); }),
            "group1-shard3of7: shard missing (model.json lists it in weightsManifest[0])");
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("fixture text not found: " + from);
  return text.replace(at, from.size(), to);
}

TEST(TfjsGraphLoader, AManifestWhoseShapesDisagreeWithTheShardsNamesTheFirstTensorThatDoesNotFit) {
  const std::string json(real().model_json.begin(), real().model_json.end());
  // The embedding grows by one column (8002 floats, 32008 bytes): its bytes and
  // every later tensor's move, and the last ones no longer fit.
  const std::string entry = "\"name\": \"module/Embeddings_en\",\n          \"shape\": [\n            8002,\n            256";
  const std::string changed = replace_once(json, entry, entry.substr(0, entry.size() - 3) + "257");
  const TfjsGraphManifest manifest = parse_tfjs_model_json(changed.data(), changed.size(), "model.json");
  const std::string message = error_of([&] { load_tfjs_weights(manifest, real().views()); });
  EXPECT_MENTIONS(message, "the manifest's tensors need 27935664");
  EXPECT_MENTIONS(message, "hold 27903656 bytes (group1-shard1of7 4194304,");
  EXPECT_MENTIONS(message, "tensor '");
}

TEST(TfjsGraphLoader, ATruncatedModelJsonNamesTheFileAndTheByte) {
  const std::size_t half = real().model_json.size() / 2;
  const std::string message = error_of([&] { parse_tfjs_model_json(real().model_json.data(), half, "model.json"); });
  EXPECT_MENTIONS(message, "model.json: ");
  EXPECT_MENTIONS(message, " at byte ");
}

TEST(TfjsGraphLoader, AnUnknownOpIsRefusedByNodeAndOpName) {
  const std::string json(real().model_json.begin(), real().model_json.end());
  const std::string changed = replace_once(json, "\"op\": \"Tanh\"", "\"op\": \"Selu\"");
  EXPECT_EQ(error_of([&] { parse_tfjs_model_json(changed.data(), changed.size(), "model.json"); }),
            "model.json: node 'module_apply_default/Encoder_en/hidden_layers/tanh_layer_0/Tanh' uses op 'Selu', "
            "which the loader does not know (it knows 49 ops)");
}

TEST(TfjsGraphLoader, NaNInTheWeightsNamesTheShardTheTensorAndTheElement) {
  const TfjsGraphManifest manifest = real().manifest();
  const auto* spec = manifest.find_tensor(kEmbeddings);
  ASSERT_NE(spec, nullptr);
  RealFiles files = real();
  const std::size_t at = spec->byte_offset + 4 * 1000;  // element 1000 of the embedding
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(files.shards[at / 4194304].data() + at % 4194304, &nan, 4);
  const std::string message = error_of([&] { load_tfjs_weights(manifest, files.views()); });
  EXPECT_MENTIONS(message, "group1-shard" + std::to_string(at / 4194304 + 1) + "of7: tensor 'module/Embeddings_en' [8002, 256] holds NaN at element 1000");
  EXPECT_MENTIONS(message, "weights must be finite");
}

TEST(TfjsGraphLoader, EveryTruncationOrCorruptedByteOfModelJsonIsAnErrorOrAModelNeverACrash) {
  const std::vector<char>& json = real().model_json;
  std::uint64_t state = 14;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t cut = next() % json.size();
    EXPECT_THROW(parse_tfjs_model_json(json.data(), cut, "model.json"), std::invalid_argument) << "cut at " << cut;
  }
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<char> changed = json;
    changed[next() % changed.size()] = static_cast<char>(next() & 0xFF);
    try {
      const TfjsGraphManifest manifest = parse_tfjs_model_json(changed.data(), changed.size(), "model.json");
      load_tfjs_weights(manifest, real().views());
    } catch (const std::invalid_argument&) {
    }
  }
}

TEST(TfjsGraphLoader, AfterARefusalTheSameFilesLoadAsIfNothingHadHappened) {
  std::vector<TfjsShard> truncated = real().views();
  truncated[0].size -= 1;
  EXPECT_THROW(load_tfjs_weights(real().manifest(), truncated), std::invalid_argument);
  const TfjsWeights weights = load_tfjs_weights(real().manifest(), real().views());
  // 35 float32 tensors of 6 975 877 floats, and 37 int32 elements in 26 tensors.
  EXPECT_EQ(weights.float_count(), 6975877u);
}

// A small model.json, for the cases the real files cannot show.
std::string tiny_model(const std::string& weights, const std::string& paths = R"(["s1", "s2"])",
                       const std::string& op = "Const") {
  return R"({"modelTopology": {"node": [{"name": "w", "op": ")" + op + R"("}]}, "weightsManifest": [{"paths": )" +
         paths + R"(, "weights": [)" + weights + "]}]}";
}

TEST(TfjsGraphLoader, ATensorMayStraddleTwoShards) {
  const std::string json = tiny_model(R"({"name": "a", "shape": [3], "dtype": "float32"}, {"name": "b", "shape": [2], "dtype": "int32"})");
  const TfjsGraphManifest manifest = parse_tfjs_model_json(json.data(), json.size(), "m.json");
  const float a[3] = {1.5f, -2.0f, 3.25f};
  const std::int32_t b[2] = {7, -9};
  std::vector<std::uint8_t> all(20);
  std::memcpy(all.data(), a, 12);
  std::memcpy(all.data() + 12, b, 8);
  const std::vector<TfjsShard> shards = {{"s1", all.data(), 6}, {"s2", all.data() + 6, 14}};
  const TfjsWeights weights = load_tfjs_weights(manifest, shards);
  const float* got = weights.f32("a", {3}, "test");
  EXPECT_EQ(got[0], 1.5f);
  EXPECT_EQ(got[1], -2.0f);
  EXPECT_EQ(got[2], 3.25f);
  EXPECT_EQ(weights.spec("b").byte_offset, 12u);
}

TEST(TfjsGraphLoader, DequantizesUint8Uint16AndFloat16) {
  const std::string json = tiny_model(
      R"({"name": "u8", "shape": [2], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},)"
      R"({"name": "u16", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint16", "scale": 0.25, "min": 0}},)"
      R"({"name": "f16", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16"}})",
      R"(["s1"])");
  const TfjsGraphManifest manifest = parse_tfjs_model_json(json.data(), json.size(), "m.json");
  // u8 {0, 4} -> {-1, 1}; u16 {0x0102} -> 258 * 0.25; f16 {0x3C00, 0xC100} -> {1, -2.5}
  const std::vector<std::uint8_t> bytes = {0, 4, 0x02, 0x01, 0x00, 0x3C, 0x00, 0xC1};
  const TfjsWeights weights = load_tfjs_weights(manifest, {{"s1", bytes.data(), bytes.size()}});
  EXPECT_EQ(weights.f32("u8", {2}, "t")[0], -1.0f);
  EXPECT_EQ(weights.f32("u8", {2}, "t")[1], 1.0f);
  EXPECT_EQ(weights.f32("u16", {1}, "t")[0], 64.5f);
  EXPECT_EQ(weights.f32("f16", {2}, "t")[0], 1.0f);
  EXPECT_EQ(weights.f32("f16", {2}, "t")[1], -2.5f);
}

TEST(TfjsGraphLoader, AHostileShapeIsRefusedFromTheManifestAlone) {
  const std::string json = tiny_model(R"({"name": "huge", "shape": [100000, 100000], "dtype": "float32"})");
  EXPECT_MENTIONS(error_of([&] { parse_tfjs_model_json(json.data(), json.size(), "m.json"); }),
                  "m.json: tensor 'huge' is larger than the loader's limit of 1073741824 bytes");
  const std::string negative = tiny_model(R"({"name": "neg", "shape": [-1], "dtype": "float32"})");
  EXPECT_EQ(error_of([&] { parse_tfjs_model_json(negative.data(), negative.size(), "m.json"); }),
            "m.json: tensor 'neg' has a dimension that is not a whole number >= 0");
  const std::string many = tiny_model(R"({"name": "a", "shape": [60000, 4096], "dtype": "float32"}, {"name": "b", "shape": [60000, 4096], "dtype": "float32"})");
  EXPECT_MENTIONS(error_of([&] { parse_tfjs_model_json(many.data(), many.size(), "m.json"); }),
                  "m.json: the manifest's tensors up to 'b' need more than the loader's limit");
}

TEST(TfjsGraphLoader, AnUnsupportedDtypeIsNamed) {
  const std::string json = tiny_model(R"({"name": "s", "shape": [1], "dtype": "string"})");
  EXPECT_EQ(error_of([&] { parse_tfjs_model_json(json.data(), json.size(), "m.json"); }),
            "m.json: tensor 's' has dtype 'string'; the loader reads float32 and int32");
}

TEST(TfjsGraphLoader, AskingForTheWrongShapeNamesBothShapesAndTheRole) {
  const std::string json = tiny_model(R"({"name": "a", "shape": [2, 3], "dtype": "float32"})", R"(["s1"])");
  const TfjsGraphManifest manifest = parse_tfjs_model_json(json.data(), json.size(), "m.json");
  const std::vector<std::uint8_t> bytes(24, 0);
  const TfjsWeights weights = load_tfjs_weights(manifest, {{"s1", bytes.data(), bytes.size()}});
  EXPECT_EQ(error_of([&] { weights.f32("a", {3, 2}, "query kernel"); }),
            "m.json: tensor 'a' (the query kernel) has shape [2, 3], expected [3, 2]");
  EXPECT_EQ(error_of([&] { weights.f32("zz", {1}, "bias"); }),
            "m.json: no tensor 'zz' (the bias) in the weights manifest");
}

TEST(TfjsGraphLoader, AnInfinityIsRefusedLikeNaN) {
  const std::string json = tiny_model(R"({"name": "a", "shape": [2], "dtype": "float32"})", R"(["s1"])");
  const TfjsGraphManifest manifest = parse_tfjs_model_json(json.data(), json.size(), "m.json");
  const float values[2] = {0.0f, -std::numeric_limits<float>::infinity()};
  std::vector<std::uint8_t> bytes(8);
  std::memcpy(bytes.data(), values, 8);
  EXPECT_EQ(error_of([&] { load_tfjs_weights(manifest, {{"s1", bytes.data(), bytes.size()}}); }),
            "s1: tensor 'a' [2] holds an infinity at element 1 (byte 4 of the shard); weights must be finite");
}

}  // namespace
