#pragma once
// The error types of hetsim. Library code throws these and never exits or prints; only the
// CLI's main catches, prints one message and returns a non-zero code.

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace hetsim {

/// Base of every error hetsim throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where in a scenario source a value came from (1-based; 0 when unknown).
struct SourcePosition {
    std::string file;
    int line = 0;
    int column = 0;
};

/// A bad scenario: file, line:column, key path, what was expected and what was found.
class ScenarioError : public Error {
public:
    ScenarioError(SourcePosition where, std::string key, std::string expected, std::string found)
        : Error(format_message(where, key, expected, found)),
          where_(std::move(where)),
          key_(std::move(key)),
          expected_(std::move(expected)),
          found_(std::move(found)) {}

    /// The file and position of the offending value (or of its table when a key is missing).
    const SourcePosition& where() const { return where_; }
    /// The dotted key path, e.g. "workers.step_time".
    const std::string& key() const { return key_; }
    const std::string& expected() const { return expected_; }
    const std::string& found() const { return found_; }

    /// "file:line:column: key: expected X, found Y" (position parts left out when unknown).
    static std::string format_message(const SourcePosition& where, const std::string& key,
                                      const std::string& expected, const std::string& found) {
        std::string out = where.file;
        if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
        if (!out.empty()) out += ": ";
        if (!key.empty()) out += key + ": ";
        out += "expected " + expected + ", found " + found;
        return out;
    }

private:
    SourcePosition where_;
    std::string key_;
    std::string expected_;
    std::string found_;
};

/// A bad command line (flag, value, or combination).
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Missing, corrupt or unreadable data or output files.
class DataError : public Error {
public:
    using Error::Error;
};

/// A broken internal invariant: a bug in hetsim, never the user's fault.
class InvariantError : public Error {
public:
    using Error::Error;
};

}  // namespace hetsim

/// Throws hetsim::Error with a fmt message when `cond` is false (for conditions a user can
/// cause). The message is only formatted on failure.
#define HETSIM_CHECK(cond, ...)                                                      \
    do {                                                                             \
        if (!(cond)) [[unlikely]] throw ::hetsim::Error(::fmt::format(__VA_ARGS__)); \
    } while (false)

/// Throws hetsim::InvariantError when `cond` is false: a bug. Active in release builds.
#define HETSIM_ASSERT(cond, ...)                                                          \
    do {                                                                                  \
        if (!(cond)) [[unlikely]]                                                         \
            throw ::hetsim::InvariantError(::fmt::format(                                 \
                "internal error, please report: {} ({}:{}): {}", #cond, __FILE__, __LINE__, \
                ::fmt::format(__VA_ARGS__)));                                             \
    } while (false)
