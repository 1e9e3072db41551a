#pragma once
// The interface between hetsim and its SentencePiece module (sentencepiece_module.cpp, built as
// libhetsim_sentencepiece.so). Why a module: Debian's libsentencepiece.so.0 carries its own
// copy of protobuf-lite and exports its symbols; LibTorch links the system libprotobuf.so.32,
// and a program linking both crashes while loading (libprotobuf's initialisers bind to
// SentencePiece's copy). bpe_tokenizer.cpp therefore dlopens the module with RTLD_LOCAL |
// RTLD_DEEPBIND, so that SentencePiece and its protobuf stay private to it. Both sides share
// one libstdc++, so the table below passes C++ types.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hetsim::models {

/// Bumped whenever SentencePieceApi changes, so that a stale module is refused.
inline constexpr int kSentencePieceApiVersion = 1;

/// Function table of the module. Every call that can fail returns false (or nullptr) and
/// fills `error`.
struct SentencePieceApi {
    int version;
    /// Trains on `lines` with SentencePiece trainer `options` (name, value); the model comes
    /// back serialized.
    bool (*train)(const std::vector<std::string>& lines,
                  const std::vector<std::pair<std::string, std::string>>& options,
                  std::string& model, std::string& error);
    /// A processor for a serialized model, or nullptr.
    void* (*load)(const std::string& model, std::string& error);
    void (*release)(void* processor);
    bool (*encode)(const void* processor, std::string_view text, std::vector<int>& ids,
                   std::string& error);
    bool (*decode)(const void* processor, const std::vector<int>& ids, std::string& text,
                   std::string& error);
    int (*piece_size)(const void* processor);
    int (*piece_to_id)(const void* processor, const std::string& piece);
    int (*unk_id)(const void* processor);
};

}  // namespace hetsim::models

/// The module's only exported symbol.
extern "C" const hetsim::models::SentencePieceApi* hetsim_sentencepiece_api();
