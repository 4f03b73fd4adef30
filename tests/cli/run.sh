#!/usr/bin/env bash
# Tests of the `memprof` command (bin/memprof).
#
#   bash tests/cli/run.sh
#
# Runs every command against the fixture profiles in tests/cli/fixtures
# (made by tests/cli/make_fixture.php; go_heap.pb.gz is a real Go heap
# profile) and checks exact numbers, lines and error handling. Also:
#   - the flame graph page in headless Chromium, if installed (else SKIP);
#   - `memprof run` of examples/leaky_worker.php (leak kept to the end) and
#     examples/enrich_consumer.php (cache gone before the end: the peak
#     leads), `memprof diff` of a short and a long consumer run, if the
#     extension is built (modules/memprof.so or $MEMPROF_EXTENSION; else SKIP);
#   - our numbers against `go tool pprof`, if Go is installed (else SKIP).
# Prints "ok - NAME" / "not ok - NAME" per test and "N passed, N failed,
# N skipped" at the end; exits non-zero if any test failed.

set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
PHP=${PHP:-php}
MEMPROF=(${PHP} -n "$ROOT/bin/memprof")
FIX=tests/cli/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
skipped=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }
not_ok() {
    echo "not ok - $1"
    shift
    local line
    for line in "$@"; do printf '#   %s\n' "$line"; done
    failed=$((failed + 1))
}

# run_memprof ARGS... : runs bin/memprof; sets $rc, $TMP/out, $TMP/err
run_memprof() {
    "${MEMPROF[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# Output with runs of spaces squeezed and each line trimmed, for exact matching.
squeezed() { sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' "$TMP/out"; }

# line_no TEXT : line number of the first output line equal to TEXT (squeezed), or 0
line_no() {
    local n
    n=$(squeezed | grep -nxF -- "$1" | head -1 | cut -d: -f1)
    echo "${n:-0}"
}

dump() {
    sed 's/^/#   | /' "$TMP/out" | head -40
    sed 's/^/#   stderr: /' "$TMP/err" | head -5
}

# expect NAME EXITCODE LINE... : the command exited with EXITCODE, wrote nothing
# on stderr, and its output has every LINE (squeezed), in that order.
expect() {
    local name=$1 code=$2 line n last=0 bad=""
    shift 2
    if [ "$rc" != "$code" ]; then
        bad="exit status $rc, expected $code"
    elif [ -s "$TMP/err" ]; then
        bad="unexpected stderr: $(head -1 "$TMP/err")"
    else
        for line in "$@"; do
            n=$(line_no "$line")
            if [ "$n" = 0 ]; then bad="missing line: $line"; break; fi
            if [ "$n" -le "$last" ]; then bad="out of order: $line"; break; fi
            last=$n
        done
    fi
    if [ -z "$bad" ]; then ok "$name"; else not_ok "$name" "$bad"; dump; fi
}

# expect_error NAME EXITCODE PATTERN : failed with EXITCODE, exactly one stderr
# line starting "memprof: " and matching the extended regexp PATTERN, no stdout.
expect_error() {
    local name=$1 code=$2 pattern=$3 lines
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" != "$code" ]; then
        not_ok "$name" "exit status $rc, expected $code"; dump
    elif [ "$lines" != 1 ]; then
        not_ok "$name" "$lines lines on stderr, expected 1"; dump
    elif ! grep -qE -- "^memprof: .*$pattern" "$TMP/err"; then
        not_ok "$name" "stderr does not match /$pattern/: $(cat "$TMP/err")"
    elif [ -s "$TMP/out" ]; then
        not_ok "$name" "unexpected stdout"; dump
    else
        ok "$name"
    fi
}

# ---------------------------------------------------------------------------
# help and version

run_memprof --help
expect "help" 0 "Usage:" "memprof run [-o FILE] [-n N] [--metric inuse|alloc|peak] [-d KEY=VALUE]... script.php [args...]" \
    "memprof flamegraph [--metric inuse|alloc|peak] -o OUT.html FILE"
for cmd in run top report diff flamegraph; do
    run_memprof "$cmd" --help
    expect "help of $cmd" 0 "Usage: memprof $cmd [options] $(case $cmd in run) echo 'script.php [args...]';; diff) echo 'BASE NEW';; flamegraph) echo 'FILE -o OUT.html';; *) echo FILE;; esac)"
done
run_memprof help diff
expect "help COMMAND" 0 "Usage: memprof diff [options] BASE NEW"
run_memprof --version
expect "version" 0 "memprof (command) 0.1.0"
if [ -x bin/memprof ] && head -1 bin/memprof | grep -qx '#!/usr/bin/env php'; then
    ok "bin/memprof is an executable php script"
else
    not_ok "bin/memprof is an executable php script" "missing x bit or shebang"
fi

# ---------------------------------------------------------------------------
# top

run_memprof top "$FIX/new.pb.gz"
expect "top by line (default), in-use" 0 \
    "File: $FIX/new.pb.gz" \
    "Metric: in-use bytes (inuse_space), total 1.50 MiB in 1,066 blocks" \
    "Showing 11 of 11 lines, sorted by self" \
    "self self% blocks inclusive incl% blocks function where" \
    "1.46 MiB 97.5% 1,000 1.46 MiB 97.5% 1,000 str_repeat internal, called at /app/worker.php:25" \
    "32.0 KiB 2.1% 1 1.50 MiB 99.6% 1,001 Worker::handle /app/worker.php:25" \
    "4.00 KiB 0.3% 10 4.00 KiB 0.3% 10 main /app/worker.php /app/worker.php:5" \
    "1.56 KiB 0.1% 50 1.56 KiB 0.1% 50 {closure} /app/lib.php:7" \
    "1.00 KiB 0.1% 1 2.56 KiB 0.2% 51 array_map internal, called at /app/worker.php:23" \
    "256 B 0.0% 4 256 B 0.0% 4 fib /app/lib.php:52" \
    "0 B 0.0% 0 1.50 MiB 99.7% 1,052 Worker::run /app/worker.php:14"

run_memprof top --exact "$FIX/new.pb.gz"
expect "top by line, exact; recursion counted once" 0 \
    "Metric: in-use bytes (inuse_space), total 1575744 in 1066 blocks" \
    "1536000 97.5% 1000 1536000 97.5% 1000 str_repeat internal, called at /app/worker.php:25" \
    "32768 2.1% 1 1568768 99.6% 1001 Worker::handle /app/worker.php:25" \
    "0 0.0% 0 1571392 99.7% 1052 Worker::run /app/worker.php:14" \
    "0 0.0% 0 2624 0.2% 51 Worker::handle /app/worker.php:23" \
    "0 0.0% 0 256 0.0% 4 fib /app/lib.php:53" \
    "0 0.0% 0 256 0.0% 4 main /app/worker.php /app/worker.php:42"

run_memprof top --by function --exact "$FIX/new.pb.gz"
expect "top by function, exact" 0 \
    "Showing 7 of 7 functions, sorted by self" \
    "1536000 97.5% 1000 1536000 97.5% 1000 str_repeat php:internal" \
    "32768 2.1% 1 1571392 99.7% 1052 Worker::handle /app/worker.php" \
    "4096 0.3% 10 1575744 100.0% 1066 main /app/worker.php /app/worker.php" \
    "1600 0.1% 50 1600 0.1% 50 {closure} /app/lib.php" \
    "1024 0.1% 1 2624 0.2% 51 array_map php:internal" \
    "256 0.0% 4 256 0.0% 4 fib /app/lib.php" \
    "0 0.0% 0 1571392 99.7% 1052 Worker::run /app/worker.php"

run_memprof top --by=function --metric alloc --exact -n 3 "$FIX/new.pb.gz"
expect "top --metric alloc" 0 \
    "Metric: allocated bytes (alloc_space), total 6790128 in 57029 blocks" \
    "Showing 3 of 8 functions, sorted by self" \
    "2560000 37.7% 5000 2560000 37.7% 5000 json_decode php:internal" \
    "1600000 23.6% 50000 1600000 23.6% 50000 {closure} /app/lib.php" \
    "1536000 22.6% 1000 1536000 22.6% 1000 str_repeat php:internal"

run_memprof top --metric peak -n2 "$FIX/new.pb.gz"
expect "top --metric peak, -nN" 0 \
    "Metric: bytes live at peak (peak_space), total 1.51 MiB in 1,122 blocks" \
    "Showing 2 of 13 lines, sorted by self" \
    "1.46 MiB 97.2% 1,000 1.46 MiB 97.2% 1,000 str_repeat internal, called at /app/worker.php:25" \
    "32.0 KiB 2.1% 1 1.50 MiB 99.2% 1,001 Worker::handle /app/worker.php:25"

run_memprof top --metric inuse_objects -n 1 "$FIX/new.pb.gz"
expect "top --metric SAMPLE_TYPE" 0 \
    "Metric: inuse_objects (count) (inuse_objects), total 1,066" \
    "1,000 93.8% 1,000 93.8% str_repeat internal, called at /app/worker.php:25"

run_memprof top --sort inclusive -n 3 "$FIX/new.pb.gz"
expect "top --sort inclusive" 0 \
    "0 B 0.0% 0 1.50 MiB 99.7% 1,052 Worker::run /app/worker.php:14" \
    "0 B 0.0% 0 1.50 MiB 99.7% 1,052 main /app/worker.php /app/worker.php:40" \
    "32.0 KiB 2.1% 1 1.50 MiB 99.6% 1,001 Worker::handle /app/worker.php:25"

run_memprof top --exact --by function "$FIX/base.pb.gz"
expect "top reads unpacked fields, other ids" 0 \
    "Metric: in-use bytes (inuse_space), total 644928 in 485 blocks" \
    "614400 95.3% 400 614400 95.3% 400 str_repeat php:internal" \
    "24576 3.8% 21 640576 99.3% 471 Worker::handle /app/worker.php"

gzip -dc "$FIX/new.pb.gz" >"$TMP/raw.pb"
run_memprof top --by function --exact -n 1 "$TMP/raw.pb"
expect "top reads an uncompressed profile" 0 \
    "1536000 97.5% 1000 1536000 97.5% 1000 str_repeat php:internal"

bin/memprof top --by function --exact -n 1 "$FIX/new.pb.gz" >"$TMP/out" 2>"$TMP/err"
rc=$?
expect "bin/memprof runs directly, with php.ini" 0 \
    "1536000 97.5% 1000 1536000 97.5% 1000 str_repeat php:internal"

run_memprof top -n 3 "$FIX/go_heap.pb.gz"
expect "top of a Go heap profile (4 sample types, inlined frames)" 0 \
    "Metric: in-use bytes (inuse_space), total 1.29 MiB in 808 blocks" \
    "1012 KiB 76.6% 501 1012 KiB 76.6% 501 main.leak /tmp/goheap/main.go:16" \
    "300 KiB 22.7% 300 300 KiB 22.7% 300 strings.(*Builder).grow /usr/lib/go-1.19/src/strings/builder.go:68" \
    "8.00 KiB 0.6% 1 308 KiB 23.3% 301 main.strs /tmp/goheap/main.go:33"

run_memprof top --metric peak "$FIX/go_heap.pb.gz"
expect_error "missing metric is a clear error" 1 "has no peak_space sample type, so no 'peak' metric \(it has: alloc_objects, alloc_space, inuse_objects, inuse_space\)"

# ---------------------------------------------------------------------------
# report (what `run` prints)

run_memprof report "$FIX/new.pb.gz"
expect "report" 0 \
    "Total in-use bytes: 1.50 MiB in 1,066 blocks; peak 1.51 MiB" \
    "Top 5 of 5 lines by in-use bytes:" \
    "1. 1.50 MiB 99.6% 1,001 /app/worker.php:25 Worker::handle (via str_repeat)" \
    "main /app/worker.php:40 > Worker::run:14 > Worker::handle:25 > str_repeat (+1 more call path)" \
    "2. 4.00 KiB 0.3% 10 /app/worker.php:5 main /app/worker.php" \
    "3. 1.56 KiB 0.1% 50 /app/lib.php:7 {closure}" \
    "main /app/worker.php:40 > Worker::run:14 > Worker::handle:23 > array_map > {closure} (/app/lib.php:7)" \
    "4. 1.00 KiB 0.1% 1 /app/worker.php:23 Worker::handle (via array_map)" \
    "5. 256 B 0.0% 4 /app/lib.php:52 fib" \
    "main /app/worker.php:42 > fib (/app/lib.php:53) > fib:53 > fib:52"

run_memprof report --metric alloc -n 1 --exact "$FIX/new.pb.gz"
expect "report --metric alloc" 0 \
    "Total allocated bytes: 6790128 in 57029 blocks" \
    "Top 1 of 6 lines by allocated bytes:" \
    "1. 2560000 37.7% 5000 /app/worker.php:22 Worker::handle (via json_decode)"

# ---------------------------------------------------------------------------
# report: the end or the peak first

# no_line TEXT : no output line contains TEXT
no_line() { ! grep -qF -- "$1" "$TMP/out"; }

run_memprof report "$FIX/scoped.pb.gz"
expect "report leads with the peak when under a quarter of it is left" 0 \
    "File: $FIX/scoped.pb.gz" \
    "memprof: only 4.25 KiB of the 4.52 MiB peak is still in use at the end; showing what was live at the peak (--metric inuse for the end)" \
    "Total bytes live at peak: 4.52 MiB in 3,016 blocks" \
    "Top 4 of 4 lines by bytes live at peak:" \
    "1. 4.52 MiB 99.9% 3,001 /app/worker.php:25 Worker::handle (via str_repeat)" \
    "2. 4.00 KiB 0.1% 10 /app/worker.php:5 main /app/worker.php"

run_memprof report --metric inuse "$FIX/scoped.pb.gz"
expect "report --metric inuse: the end, as asked" 0 \
    "Total in-use bytes: 4.25 KiB in 14 blocks; peak 4.52 MiB" \
    "Top 2 of 2 lines by in-use bytes:" \
    "1. 4.00 KiB 94.1% 10 /app/worker.php:5 main /app/worker.php"
if no_line "memprof: only" && no_line "The top lines at the peak"; then ok "report --metric inuse: no reason line, no peak table"; else not_ok "report --metric inuse: no reason line, no peak table"; dump; fi

run_memprof report "$FIX/spike.pb.gz"
expect "report leads with the end and adds the peak's top lines when they differ" 0 \
    "Total in-use bytes: 620 KiB in 411 blocks; peak 1.61 MiB" \
    "Top 2 of 2 lines by in-use bytes:" \
    "1. 616 KiB 99.4% 401 /app/worker.php:25 Worker::handle (via str_repeat)" \
    "2. 4.00 KiB 0.6% 10 /app/worker.php:5 main /app/worker.php" \
    "The top lines at the peak (1.61 MiB) differ (--metric peak for the whole view):" \
    "# at peak share blocks line and function" \
    "1. 1.00 MiB 62.3% 1 /app/worker.php:22 Worker::handle (via json_decode)" \
    "2. 616 KiB 37.5% 401 /app/worker.php:25 Worker::handle (via str_repeat)"
if no_line "memprof: only" && [ "$(squeezed | grep -c '^[0-9]*\. ')" = 4 ]; then
    ok "report: no reason line when the end leads; the peak table skips lines under 1%"
else
    not_ok "report: no reason line when the end leads; the peak table skips lines under 1%"; dump
fi

run_memprof report "$FIX/new.pb.gz"
if [ "$rc" = 0 ] && no_line "The top lines at the peak" && no_line "memprof: only"; then
    ok "report: no peak table when the same lines lead at the peak"
else
    not_ok "report: no peak table when the same lines lead at the peak"; dump
fi

run_memprof report --metric peak "$FIX/spike.pb.gz"
if [ "$rc" = 0 ] && no_line "The top lines at the peak" && no_line "memprof: only" && grep -q '^Top 3 of 3 lines by bytes live at peak:' "$TMP/out"; then
    ok "report --metric peak: only the peak"
else
    not_ok "report --metric peak: only the peak"; dump
fi

run_memprof report "$FIX/go_heap.pb.gz"
if [ "$rc" = 0 ] && no_line "The top lines at the peak" && no_line "memprof: only" && grep -q '^Total in-use bytes: 1.29 MiB in 808 blocks$' "$TMP/out"; then
    ok "report of a profile without a peak: the end, as before"
else
    not_ok "report of a profile without a peak: the end, as before"; dump
fi

# ---------------------------------------------------------------------------
# diff

run_memprof diff "$FIX/base.pb.gz" "$FIX/new.pb.gz"
expect "diff by call path" 0 \
    "Base: $FIX/base.pb.gz 630 KiB in 485 blocks" \
    "New: $FIX/new.pb.gz 1.50 MiB in 1,066 blocks" \
    "Change in in-use bytes: +909 KiB (+144.3%), +581 blocks" \
    "Showing 4 of 4 changed call paths (3 grew), largest growth first:" \
    "+900 KiB +600 600 KiB 1.46 MiB /app/worker.php:25 Worker::handle (via str_repeat)" \
    "main /app/worker.php:40 > Worker::run:14 > Worker::handle:25 > str_repeat" \
    "+16.0 KiB 0 16.0 KiB 32.0 KiB /app/worker.php:25 Worker::handle" \
    "main /app/worker.php:40 > Worker::run:14 > Worker::handle:25" \
    "+1.00 KiB +1 0 B 1.00 KiB /app/worker.php:23 Worker::handle (via array_map)" \
    "-8.00 KiB -20 8.00 KiB 0 B /app/worker.php:28 Worker::handle" \
    "main /app/worker.php:40 > Worker::run:14 > Worker::handle:28"

run_memprof diff "$FIX/base.pb.gz" "$FIX/new.pb.gz"
expect "diff says which metric it compares, and why" 0 \
    "memprof: comparing the ends: the new profile still holds 1.50 MiB of its 1.51 MiB peak at its end (--metric peak to compare the peaks)" \
    "Base: $FIX/base.pb.gz 630 KiB in 485 blocks"

run_memprof diff "$FIX/base.pb.gz" "$FIX/scoped.pb.gz"
expect "diff compares the peaks when the new profile's end is under a quarter of its peak" 0 \
    "memprof: comparing the peaks: only 4.25 KiB of the new profile's 4.52 MiB peak is still in use at its end (--metric inuse to compare the ends)" \
    "Base: $FIX/base.pb.gz 634 KiB in 540 blocks" \
    "New: $FIX/scoped.pb.gz 4.52 MiB in 3,016 blocks" \
    "Change in bytes live at peak: +3.91 MiB (+630.9%), +2,476 blocks" \
    "+3.81 MiB +2,600 600 KiB 4.39 MiB /app/worker.php:25 Worker::handle (via str_repeat)"

run_memprof diff "$FIX/scoped.pb.gz" "$FIX/new.pb.gz"
expect "diff decides on the new profile" 0 \
    "memprof: comparing the ends: the new profile still holds 1.50 MiB of its 1.51 MiB peak at its end (--metric peak to compare the peaks)" \
    "Change in in-use bytes: +1.50 MiB (+36107.4%), +1,052 blocks"

run_memprof diff --metric inuse "$FIX/base.pb.gz" "$FIX/scoped.pb.gz"
expect "diff --metric inuse: the ends, as asked" 0 "Change in in-use bytes: -626 KiB (-99.3%), -471 blocks"
if no_line "memprof: comparing"; then ok "diff --metric: no reason line"; else not_ok "diff --metric: no reason line"; dump; fi

run_memprof diff "$FIX/go_heap.pb.gz" "$FIX/go_heap.pb.gz"
if [ "$rc" = 0 ] && no_line "memprof: comparing" && grep -q '^Change in in-use bytes: 0 B' "$TMP/out"; then
    ok "diff of profiles without a peak: the ends, no reason line"
else
    not_ok "diff of profiles without a peak: the ends, no reason line"; dump
fi

run_memprof diff --exact "$FIX/base.pb.gz" "$FIX/new.pb.gz"
expect "diff exact" 0 \
    "Change in in-use bytes: +930816 (+144.3%), +581 blocks" \
    "+921600 +600 614400 1536000 /app/worker.php:25 Worker::handle (via str_repeat)" \
    "+16384 0 16384 32768 /app/worker.php:25 Worker::handle" \
    "+1024 +1 0 1024 /app/worker.php:23 Worker::handle (via array_map)" \
    "-8192 -20 8192 0 /app/worker.php:28 Worker::handle"

run_memprof diff --by line --exact -n 1 "$FIX/base.pb.gz" "$FIX/new.pb.gz"
expect "diff --by line" 0 \
    "Showing 1 of 3 changed lines (2 grew), largest growth first:" \
    "+937984 +600 630784 1568768 /app/worker.php:25 Worker::handle (via str_repeat)"

run_memprof diff --metric alloc --exact "$FIX/base.pb.gz" "$FIX/new.pb.gz"
expect "diff --metric alloc" 0 \
    "Change in allocated bytes: +4466176 (+192.2%), +34581 blocks" \
    "+1536000 +3000 1024000 2560000 /app/worker.php:22 Worker::handle (via json_decode)"

run_memprof diff "$FIX/new.pb.gz" "$FIX/new.pb.gz"
expect "diff of a profile with itself" 0 "Change in in-use bytes: 0 B (0.0%), 0 blocks" "No call path changed."

# ---------------------------------------------------------------------------
# errors: one line on stderr, non-zero exit

printf 'hello, this is not a profile\n' >"$TMP/garbage.txt"
printf 'hello, this is not a profile\n' | gzip -c >"$TMP/garbage.gz"
head -c 200 "$FIX/new.pb.gz" >"$TMP/truncated.pb.gz"
: >"$TMP/empty.pb.gz"
printf '\x0a\x02\x08\x01' >"$TMP/nostrings.pb"      # a sample type, no string table
head -c 4096 /dev/urandom >"$TMP/random.bin"

run_memprof top "$TMP/nope.pb.gz"
expect_error "missing file" 1 "nope.pb.gz: no such file$"
run_memprof top "$TMP/garbage.txt"
expect_error "text file" 1 "garbage.txt: not a pprof profile"
run_memprof top "$TMP/garbage.gz"
expect_error "gzip of text" 1 "garbage.gz: not a pprof profile"
run_memprof top "$TMP/truncated.pb.gz"
expect_error "truncated gzip" 1 "truncated.pb.gz: corrupt gzip data"
run_memprof report "$TMP/empty.pb.gz"
expect_error "empty file" 1 "empty.pb.gz: empty file, not a pprof profile"
run_memprof top "$TMP/nostrings.pb"
expect_error "protobuf that is not a profile" 1 "nostrings.pb: not a pprof profile"
run_memprof top "$TMP/random.bin"
expect_error "random bytes" 1 "random.bin: not a pprof profile"
run_memprof top "$TMP"
expect_error "directory" 1 "is a directory"
run_memprof diff "$FIX/new.pb.gz" "$TMP/garbage.txt"
expect_error "diff with a bad file" 1 "garbage.txt: not a pprof profile"
run_memprof flamegraph "$TMP/garbage.gz" -o "$TMP/x.html"
expect_error "flamegraph of a bad file" 1 "not a pprof profile"
[ -e "$TMP/x.html" ] && not_ok "no html for a bad file" || ok "no html for a bad file"
run_memprof top --bogus "$FIX/new.pb.gz"
expect_error "unknown option" 2 "unknown option '--bogus' for 'memprof top'"
run_memprof diff -x "$FIX/new.pb.gz" "$FIX/new.pb.gz"
expect_error "unknown short option" 2 "unknown option '-x' for 'memprof diff'"
run_memprof frobnicate
expect_error "unknown command" 2 "unknown command 'frobnicate'"
run_memprof --bogus
expect_error "unknown global option" 2 "unknown option '--bogus'"
run_memprof
expect_error "no command" 2 "missing command"
run_memprof top
expect_error "top without file" 2 "missing the profile file"
run_memprof diff "$FIX/new.pb.gz"
expect_error "diff with one file" 2 "missing profile files"
run_memprof top "$FIX/new.pb.gz" "$FIX/base.pb.gz"
expect_error "extra argument" 2 "unexpected argument"
run_memprof top --by color "$FIX/new.pb.gz"
expect_error "bad --by" 2 "option '--by' must be line or function"
run_memprof top -n lots "$FIX/new.pb.gz"
expect_error "bad -n" 2 "option '-n' needs a whole number"
run_memprof top --metric "$FIX/new.pb.gz"
expect_error "option without value" 2 "missing the profile file|needs a value"
run_memprof top --metric heat "$FIX/new.pb.gz"
expect_error "unknown metric" 1 "unknown metric 'heat'"
run_memprof flamegraph "$FIX/new.pb.gz"
expect_error "flamegraph without -o" 2 "missing -o"
run_memprof flamegraph "$FIX/new.pb.gz" -o "$TMP/no/such/dir/x.html"
expect_error "flamegraph to a missing directory" 1 "x.html: cannot write"
run_memprof run
expect_error "run without script" 2 "missing the script"
run_memprof run "$TMP/nope.php"
expect_error "run of a missing script" 1 "nope.php: no such file"
MEMPROF_EXTENSION="$TMP/none.so" run_memprof run examples/leaky_worker.php
expect_error "run with a missing MEMPROF_EXTENSION" 1 "MEMPROF_EXTENSION=.*none.so: no such file"
echo '<?php echo "hi\n";' >"$TMP/hello.php"
MEMPROF_EXTENSION="$TMP/garbage.txt" "${MEMPROF[@]}" run "$TMP/hello.php" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 1 ] && grep -qx 'hi' "$TMP/out" && [ "$(grep -c '^memprof: ' "$TMP/err")" = 1 ] \
    && grep -q '^memprof: the script wrote no profile' "$TMP/err"; then
    ok "run reports a script that wrote no profile"
else
    not_ok "run reports a script that wrote no profile" "exit $rc"; dump
fi

# ---------------------------------------------------------------------------
# flamegraph

run_memprof flamegraph "$FIX/new.pb.gz" -o "$TMP/new.html"
if [ "$rc" = 0 ] && [ -s "$TMP/new.html" ] && grep -q '^memprof: wrote ' "$TMP/err"; then
    ok "flamegraph writes the page"
else
    not_ok "flamegraph writes the page" "exit $rc"; dump
fi
if grep -qiE '<(link|iframe|img|object|embed)\b|<script[^>]* src=|@import|url\(|https?://' "$TMP/new.html"; then
    not_ok "flamegraph page is self-contained" "$(grep -oiE '<(link|iframe|img|object|embed)\b|<script[^>]* src=|@import|url\(|https?://' "$TMP/new.html" | head -3)"
else
    ok "flamegraph page is self-contained"
fi
run_memprof flamegraph --metric peak -o - "$FIX/new.pb.gz"
if [ "$rc" = 0 ] && grep -q '"metric":2' "$TMP/out" && grep -q '</html>' "$TMP/out"; then
    ok "flamegraph -o - and --metric"
else
    not_ok "flamegraph -o - and --metric" "exit $rc"
fi
run_memprof flamegraph "$FIX/weird.pb.gz" -o "$TMP/weird.html"
run_memprof flamegraph "$FIX/go_heap.pb.gz" -o "$TMP/go.html"

CHROMIUM=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$c; break; fi
done

# in_browser NAME CHECK HTML : injects flamegraph_check.js, loads the page
# headless, and reports each PASS/FAIL line it wrote.
in_browser() {
    local name=$1 check=$2 html=$3 page="$TMP/check-$2.html" profile dom
    "$PHP" -n -r '
        [, $src, $js, $check, $dst] = $argv;
        $code = str_replace("</", "<\\/", file_get_contents($js));  // no early end of the script element
        $inject = "<script>var CHECK = " . json_encode($check) . ";\n" . $code . "</script>\n</body>";
        $html = file_get_contents($src);
        $at = strrpos($html, "</body>");
        file_put_contents($dst, substr($html, 0, $at) . $inject . substr($html, $at + 7));
    ' "$html" tests/cli/flamegraph_check.js "$check" "$page"
    profile=$(mktemp -d "$TMP/chromium.XXXXXX")
    dom="$TMP/dom-$check.html"
    timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --window-size=1280,900 --virtual-time-budget=5000 \
        --dump-dom "file://$page" >"$dom" 2>"$TMP/chromium.log"
    if ! grep -q 'id="selftest"' "$dom"; then
        not_ok "$name: page checks ran" "no results in the DOM (chromium exit $?)"
        sed 's/^/#   chromium: /' "$TMP/chromium.log" | grep -v dbus | head -5
        return
    fi
    local results
    results=$(sed -n '/<pre id="selftest">/,/<\/pre>/p' "$dom" | sed -e 's/<pre id="selftest">//' -e 's/<\/pre>.*//' \
        -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g')
    while IFS= read -r line; do
        case "$line" in
            PASS\ *) ok "$name: ${line#PASS }" ;;
            FAIL\ *) not_ok "$name: ${line#FAIL }" ;;
        esac
    done <<<"$results"
    if grep -q '<body[^>]* data-selftest="pass"' "$dom"; then ok "$name: all page checks passed"; else not_ok "$name: all page checks passed"; fi
    # a screenshot of the untouched page, for people to look at
    timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --window-size=1280,900 --virtual-time-budget=5000 \
        --screenshot="$TMP/$check.png" "file://$html" >/dev/null 2>&1
    if [ -s "$TMP/$check.png" ] && [ "$(head -c 8 "$TMP/$check.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        ok "$name: screenshot"
        [ -n "${MEMPROF_TEST_KEEP:-}" ] && cp "$TMP/$check.png" "$MEMPROF_TEST_KEEP/"
    else
        not_ok "$name: screenshot" "no PNG written"
    fi
}

if [ -n "$CHROMIUM" ]; then
    in_browser "flamegraph in chromium" worker "$TMP/new.html"
    in_browser "flamegraph escapes names" weird "$TMP/weird.html"
    in_browser "flamegraph of a Go profile" go "$TMP/go.html"
else
    skip "flamegraph in chromium" "chromium is not installed (apt-get install chromium)"
fi

# ---------------------------------------------------------------------------
# cross-check with the reference reader, go tool pprof

# by_function FILE SAMPLE_TYPE: "name|flat|cum" lines from both readers
ours_by_function() {
    "${MEMPROF[@]}" top --by function --exact -n 0 --metric "$2" "$1" |
        awk 'NR > 5 && ($1 != 0 || $4 != 0) { n = $7; for (i = 8; i < NF; i++) n = n " " $i; print n "|" $1 "|" $4 }' | sort
}
go_by_function() {
    go tool pprof -top -nodefraction=0 -nodecount=100000 -unit=B -sample_index="$2" "$1" 2>/dev/null |
        awk 'f { n = $6; for (i = 7; i <= NF; i++) n = n " " $i; sub(/ \(inline\)$/, "", n);
                 fl = $1; cu = $4; sub(/B$/, "", fl); sub(/B$/, "", cu); print n "|" fl "|" cu }
             /flat%/ { f = 1 }' | sort
}
if command -v go >/dev/null 2>&1; then
    for spec in new.pb.gz:inuse_space new.pb.gz:alloc_space new.pb.gz:peak_space base.pb.gz:inuse_space \
        go_heap.pb.gz:inuse_space go_heap.pb.gz:alloc_space; do
        file=${spec%%:*} type=${spec#*:}
        ours=$(ours_by_function "$FIX/$file" "$type")
        theirs=$(go_by_function "$FIX/$file" "$type")
        if [ -n "$theirs" ] && [ "$ours" = "$theirs" ]; then
            ok "go tool pprof agrees: $file $type"
        else
            not_ok "go tool pprof agrees: $file $type" "ours: $(echo "$ours" | tr '\n' ';')" "go:   $(echo "$theirs" | tr '\n' ';')"
        fi
    done
else
    skip "go tool pprof agrees" "go is not installed"
fi

# ---------------------------------------------------------------------------
# run, with the real extension

EXT=${MEMPROF_EXTENSION:-$ROOT/modules/memprof.so}
if [ -f "$EXT" ]; then
    leak_line=$(grep -n 'the leak' examples/leaky_worker.php | head -1 | cut -d: -f1)
    run_memprof run -o "$TMP/lw.pb.gz" examples/leaky_worker.php 500
    first=$(grep -m1 -E '^ *1\. ' "$TMP/out" | sed 's/  */ /g')
    if [ "$rc" = 0 ] && grep -q '^processed 500 jobs' "$TMP/out" \
        && grep -qx "memprof: profile saved to $TMP/lw.pb.gz" "$TMP/out" && [ -s "$TMP/lw.pb.gz" ] \
        && [[ "$first" == *" examples/leaky_worker.php:$leak_line JobHandler::remember (via str_repeat)" ]]; then
        ok "run names the leak line first"
    else
        not_ok "run names the leak line first" "exit $rc, first site: $first, leak line $leak_line"; dump
    fi
    share=$(echo "$first" | awk '{ sub(/%/, "", $4); print int($4) }')
    if [ "${share:-0}" -ge 80 ]; then ok "the leak holds most of the memory ($share%)"; else not_ok "the leak holds most of the memory" "share ${share:-?}%"; fi

    if no_line "The top lines at the peak" && no_line "memprof: only"; then
        ok "run of a leak kept to the end: the end view alone"
    else
        not_ok "run of a leak kept to the end: the end view alone"; dump
    fi

    run_memprof top -n 1 "$TMP/lw.pb.gz"
    if [ "$rc" = 0 ] && squeezed | grep -q "str_repeat internal, called at examples/leaky_worker.php:$leak_line\$"; then
        ok "top on the run profile: str_repeat at the leak line"
    else
        not_ok "top on the run profile: str_repeat at the leak line"; dump
    fi

    run_memprof run -n 1 examples/leaky_worker.php 50
    saved=$(sed -n 's/^memprof: profile saved to //p' "$TMP/out")
    if [ "$rc" = 0 ] && [ -f "$saved" ] && [[ "$(basename "$saved")" =~ ^memprof\.pprof\.[0-9]+\.[0-9]+\.pb\.gz$ ]] \
        && grep -q '^Top 1 of ' "$TMP/out"; then
        ok "run without -o keeps the profile and prints its path"
    else
        not_ok "run without -o keeps the profile and prints its path" "exit $rc, path '$saved'"; dump
    fi
    [ -n "$saved" ] && rm -rf "$(dirname "$saved")"

    # A consumer whose cache lives in an object that dies before the end.
    consumer=examples/enrich_consumer.php
    cleak=$(grep -n 'the leak' "$consumer" | head -1 | cut -d: -f1)
    csite="$consumer:$cleak Enricher::enrich (via json_encode)"
    run_memprof run -o "$TMP/c1000.pb.gz" "$consumer" 1000
    run_memprof run -o "$TMP/c3000.pb.gz" "$consumer" 3000
    top3=$(squeezed | grep -E '^[0-9]+\. ' | head -3)
    if [ "$rc" = 0 ] && grep -q '^consumed 3000 events' "$TMP/out" && grep -qF -- " $csite" <<<"$top3"; then
        ok "run of a consumer whose cache died: the leak line in the first three rows"
    else
        not_ok "run of a consumer whose cache died: the leak line in the first three rows" "exit $rc, leak line $cleak"; dump
    fi
    if grep -qE '^memprof: only [0-9.]+ [KM]iB of the [0-9.]+ MiB peak is still in use at the end; showing what was live at the peak \(--metric inuse for the end\)$' "$TMP/out" \
        && grep -qE '^memprof: live at the peak: [0-9.]+ MiB in [0-9,]+ blocks$' "$TMP/out"; then
        ok "run says in one line why it shows the peak"
    else
        not_ok "run says in one line why it shows the peak"; dump
    fi

    run_memprof diff "$TMP/c1000.pb.gz" "$TMP/c3000.pb.gz"
    first=$(squeezed | grep -A1 -m1 '^growth ' | tail -1)
    if [ "$rc" = 0 ] && [[ "$first" == +*" $csite" ]] && grep -q '^memprof: comparing the peaks: only ' "$TMP/out" \
        && grep -q '^Change in bytes live at peak: +' "$TMP/out"; then
        ok "diff of a short and a long consumer run: the leak line first"
    else
        not_ok "diff of a short and a long consumer run: the leak line first" "first row: $first"; dump
    fi

    run_memprof run --metric inuse -o "$TMP/c100.pb.gz" "$consumer" 100
    if [ "$rc" = 0 ] && no_line "memprof: only" && grep -qE '^memprof: in use at the end: .*; peak ' "$TMP/out"; then
        ok "run --metric inuse: the end, as asked"
    else
        not_ok "run --metric inuse: the end, as asked"; dump
    fi

    # Most of the peak is kept to the end, but another line led at the peak.
    cat >"$TMP/spike.php" <<'PHP'
<?php
function import(): int
{
    $rows = [];
    for ($i = 0; $i < 2000; $i++) {
        $rows[] = str_repeat('r', 1000);
    }
    return count($rows);
}
$keep = str_repeat('k', 1500000);
echo import(), "\n";
PHP
    run_memprof run -o "$TMP/spike.pb.gz" "$TMP/spike.php"
    if [ "$rc" = 0 ] && no_line "memprof: only" && grep -qE '^memprof: in use at the end: ' "$TMP/out" \
        && squeezed | grep -A3 '^The top lines at the peak (' | grep -qF "$TMP/spike.php:6 import (via str_repeat)"; then
        ok "run: the end first, then the peak's top lines when they differ"
    else
        not_ok "run: the end first, then the peak's top lines when they differ"; dump
    fi

    printf '<?php\n$keep = str_repeat("x", 100000);\nfwrite(STDERR, "failing\\n");\nexit(3);\n' >"$TMP/fails.php"
    run_memprof run -o "$TMP/fails.pb.gz" "$TMP/fails.php"
    if [ "$rc" = 3 ] && grep -qx failing "$TMP/err" && grep -q '^Top ' "$TMP/out"; then
        ok "run passes the script's exit status through"
    else
        not_ok "run passes the script's exit status through" "exit $rc"; dump
    fi

    printf '<?php\necho ini_get("memory_limit"), " ", implode(",", array_slice($argv, 1)), "\\n";\n' >"$TMP/args.php"
    run_memprof run -d memory_limit=77M -o "$TMP/args.pb.gz" "$TMP/args.php" -n --x y
    if [ "$rc" = 0 ] && grep -qx '77M -n,--x,y' "$TMP/out"; then
        ok "run passes -d and the script's arguments"
    else
        not_ok "run passes -d and the script's arguments" "exit $rc"; dump
    fi
else
    skip "run on examples/leaky_worker.php and examples/enrich_consumer.php" "the extension is not built ($EXT missing)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
