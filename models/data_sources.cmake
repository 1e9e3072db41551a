# The data layer (models/data/): corpora, tokenizers, partitions and the dataset factory.
# Included from models/CMakeLists.txt, so paths are relative to models/.
# These files use no Torch: skipping the precompiled <torch/torch.h> keeps them at ~1 s each
# instead of ~4 s (../shared/TOOLCHAIN.md).
set(hetsim_data_plain_sources
    data/data_random.cpp
    data/data_store.cpp
    data/brown_corpus.cpp
    data/tokenizer.cpp
    data/bpe_tokenizer.cpp
    data/partition.cpp
    data/read_order.cpp
)
set_source_files_properties(${hetsim_data_plain_sources} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
set(HETSIM_DATA_SOURCES
    ${hetsim_data_plain_sources}
    data/lm_dataset.cpp
    data/labelled_dataset.cpp
    data/mnist.cpp
    data/synthetic_data.cpp
    data/brown_dataset.cpp
    data/dataset_factory.cpp
)

# Debian's libsentencepiece-dev (0.1.97) for the BPE tokenizer, in a module that
# bpe_tokenizer.cpp loads with dlopen: libsentencepiece exports its own protobuf-lite, and a
# program that links it next to LibTorch's libprotobuf crashes at start-up
# (data/sentencepiece_api.hpp). hetsim_models itself links only libdl.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
add_library(hetsim_sentencepiece MODULE data/sentencepiece_module.cpp)
target_include_directories(hetsim_sentencepiece PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(hetsim_sentencepiece PRIVATE PkgConfig::SENTENCEPIECE hetsim_warnings)
set_target_properties(hetsim_sentencepiece PROPERTIES CXX_VISIBILITY_PRESET hidden
                                                      VISIBILITY_INLINES_HIDDEN ON)
set_source_files_properties(data/bpe_tokenizer.cpp PROPERTIES COMPILE_DEFINITIONS
    "HETSIM_SENTENCEPIECE_MODULE=\"$<TARGET_FILE:hetsim_sentencepiece>\"")
# hetsim_models is created after this file is included: add the build order at the end.
cmake_language(DEFER CALL add_dependencies hetsim_models hetsim_sentencepiece)
set(HETSIM_DATA_LIBS ${CMAKE_DL_LIBS})

