#include "models/data/data_store.hpp"

#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <cstdlib>
#include <fstream>

namespace hetsim::models {

std::string DataPackage::folder() const { return fmt::format("{}-{}", name, version); }

std::filesystem::path default_data_dir() {
    if (const char* dir = std::getenv("HETSIM_DATA"); dir != nullptr && *dir != '\0') return dir;
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
        return std::filesystem::path(home) / ".cache" / "hetsim";
    return std::filesystem::path(".cache") / "hetsim";
}

std::filesystem::path verified_package_folder(const std::filesystem::path& data_dir,
                                              const DataPackage& package) {
    const std::filesystem::path folder = data_dir / package.folder();
    const std::string fetch = fmt::format(
        "run tools/fetch-data{} to download and verify it",
        data_dir == default_data_dir() ? "" : fmt::format(" --data-dir {}", data_dir.string()));
    if (!std::filesystem::is_directory(folder))
        throw DataError(fmt::format("data folder {} is missing ({}@{}); {}", folder.string(),
                                    package.name, package.version, fetch));
    std::ifstream in(folder / kStampFile);
    std::string stamp;
    std::getline(in, stamp);
    if (!in && stamp.empty())
        throw DataError(fmt::format("data folder {} has no {} stamp (incomplete or not made by "
                                    "tools/fetch-data); {}",
                                    folder.string(), kStampFile, fetch));
    if (stamp != package.integrity)
        throw DataError(fmt::format("data folder {} was verified against {}, expected {}; {}",
                                    folder.string(), stamp, package.integrity, fetch));
    return folder;
}

}  // namespace hetsim::models
