#pragma once
// Include this first in every test that uses Torch: Debian's LibTorch defines a glog CHECK
// macro, and doctest's CHECK must be defined after it (../shared/TOOLCHAIN.md).
#include <torch/torch.h>

#include <doctest/doctest.h>
