// Universal Sentence Encoder lite as a transformer the core runs: its graph's
// weights and constants (loaders/use_lite.h) put into a TransformerConfig and
// TransformerWeights. docs/models/use-lite.md says what each field stands for.
#pragma once

#include "attention/loaders/use_lite.h"
#include "attention/transformer.h"

namespace attention {

// Takes the graph (its tensors become the model's storage).
TransformerModel use_lite_model(UseLiteGraph graph);

}  // namespace attention
