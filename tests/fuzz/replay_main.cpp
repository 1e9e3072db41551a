// Replays the fuzz corpus through the fuzz target's entry point with any compiler: every file
// in the directories given (tests/data/fuzz/, with the crashers found so far) must load or be
// refused with a hetsim::Error, as under libFuzzer. Built in every configuration (test
// fuzz_corpus, label unit), so past crashers stay fixed without clang.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    std::size_t inputs = 0;
    for (int i = 1; i < argc; ++i) {
        std::set<std::filesystem::path> files;  // sorted: the same order on every machine
        for (const auto& entry : std::filesystem::directory_iterator(argv[i]))
            if (entry.is_regular_file()) files.insert(entry.path());
        for (const auto& file : files) {
            std::ifstream in(file, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
            // A crash aborts the process (the test fails); the file is named first.
            std::cerr << file.filename().string() << '\n';
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size());
            ++inputs;
        }
    }
    std::cout << "replayed " << inputs << " fuzz inputs\n";
    return inputs > 0 ? 0 : 1;
}
