#!/usr/bin/env bash
# Builds memprof and runs every test suite: the phpt suite in every mode
# (stack walks, call observer, opcache caching, its tracing and function JIT,
# preloading, the file cache, Xdebug in each of its modes), the memprof
# command's tests, the php-fpm + nginx test (opcache off and on), a valgrind
# run of the suite, and the benchmark workloads under valgrind.
# Prints "N passed, N failed" last and exits
# non-zero if anything failed.
#   ./test.sh             everything
#   ./test.sh phpt        only the phpt suite, all modes
#   MEMPROF_PHPT_MODES="opcache jit-tracing" ./test.sh phpt   some modes
#   VALGRIND=all ./test.sh   the whole phpt suite under valgrind (slow)
#   ./test.sh versions    build and run the phpt suite, every mode, on PHP 8.4
#                         and 8.5 in Debian chroots (tests/versions/run.sh; root)
#   MEMPROF_PHP_VERSION=8.4 ./test.sh phpt   with PHP 8.4 (php8.4, phpize8.4)
#   MEMPROF_PHP=/path/to/php  the PHP binary (default php$MEMPROF_PHP_VERSION)
# Installs what is missing with apt (build.sh); php$V-xdebug, if this is
# what installs it, is disabled again for every SAPI: the suites load it
# explicitly (-d zend_extension=xdebug).
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

# The PHP under test, everywhere below and in the tests (TEST_PHP_EXECUTABLE,
# PHP_BINARY in the processes they start). Its version goes to build.sh and,
# as MEMPROF_TEST_PHP, to tests/mode_check.phpt, which proves it.
V=${MEMPROF_PHP_VERSION:-}
if [ -z "$V" ] && [ -n "${MEMPROF_PHP:-}" ]; then
    V=$("$MEMPROF_PHP" -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;') || { echo "$MEMPROF_PHP does not run"; echo "0 passed, 1 failed"; exit 1; }
fi
V=${V:-8.2}
export MEMPROF_PHP_VERSION=$V MEMPROF_TEST_PHP=$V

# npm from apt only where there is none: a node installed another way
# conflicts with Debian's npm package
npm_pkg=""
command -v npm >/dev/null || npm_pkg=npm
# gcc and libjemalloc2: the native tests build a library and preload jemalloc
# MEMPROF_TEST_PACKAGES: what to install for the tests instead (tests/versions/run.sh
# installs them itself: Xdebug and opcache packages differ per version)
MEMPROF_EXTRA_PACKAGES=${MEMPROF_TEST_PACKAGES-"valgrind golang-go php$V-opcache php$V-xdebug php$V-fpm php$V-xml nginx php-parser php-league-commonmark chromium curl gcc libjemalloc2 $npm_pkg"} \
    ./build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
PHP=$(command -v "${MEMPROF_PHP:-php$V}") || { echo "no ${MEMPROF_PHP:-php$V}"; echo "0 passed, 1 failed"; exit 1; }
export PHP # tests/cli/run.sh and tests/web/fpm_nginx_test.sh take it

# memlab (tests/heap_memlab.phpt reads our .heapsnapshot export with it), from
# the npm registry into a directory outside the repository, without the
# browser its dependencies would download
export MEMPROF_NPM_DIR=${MEMPROF_NPM_DIR:-/var/cache/memprof-npm}
if command -v npm >/dev/null && [ ! -d "$MEMPROF_NPM_DIR/node_modules/@memlab/core" ]; then
    mkdir -p "$MEMPROF_NPM_DIR"
    (cd "$MEMPROF_NPM_DIR" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund @memlab/core >/dev/null 2>&1) \
        || echo "test.sh: npm install @memlab/core failed; tests/heap_memlab.phpt will say so" >&2
fi

passed=0
failed=0
failures=()
only=${1:-all}

count() { # name, passed, failed
    passed=$((passed + $2))
    failed=$((failed + $3))
    [ "$3" = 0 ] || failures+=("$1")
    echo "== $1: $2 passed, $3 failed"
}

EXT="-d extension=$ROOT/modules/memprof.so"
OBS="-d memprof.observer=on"
# PHP 8.5 has opcache built in: loading it again only warns
OPC="-d zend_extension=opcache"
# (the list is read whole first: grep -q leaving early would kill php with
# SIGPIPE, and pipefail would take that for "not there")
grep -qx 'Zend OPcache' <<<"$("$PHP" -n -m 2>/dev/null)" && OPC=""
# file_update_protection=0: run-tests writes each test just before running
# it, and opcache does not cache files younger than that (2 s by default)
OPC="$OPC -d opcache.enable=1 -d opcache.enable_cli=1 -d opcache.file_update_protection=0"
JIT_BUF="-d opcache.jit_buffer_size=64M"
PRELOAD="-d opcache.preload=$ROOT/tests/inc/preload.php"
[ "$(id -u)" = 0 ] && PRELOAD="$PRELOAD -d opcache.preload_user=root"
FCACHE_DIR=$(mktemp -d)
SKIPPED=$(mktemp) # what was not run, and why: said at the end
VPID=""
# a versions run still going (test.sh stopped early) goes with its chroots'
# processes: it is a process group of its own
trap '[ -z "$VPID" ] || kill -TERM -- "-$VPID" 2>/dev/null; rm -rf "$FCACHE_DIR" "$SKIPPED" "${VLOG:-}"' EXIT

# The other PHP versions (tests/versions/run.sh, in Debian chroots) start now
# and run beside the host's suites: both mostly wait on processes and sleeps,
# and one after the other they took over an hour from nothing. Counted at the end.
VLOG=""
if [ "$only" = all ]; then
    VLOG=$(mktemp)
    setsid bash tests/versions/run.sh >"$VLOG" 2>&1 &
    VPID=$!
    echo "versions: tests/versions/run.sh started beside the other suites; its report comes at the end"
fi

# The phpt modes. Each one's args go to every test, and (MEMPROF_TEST_ARGS)
# to the PHP processes tests start; tests/mode_check.phpt proves in each one
# that what it is named after is on (MEMPROF_TEST_MODE).
PHPT_MODES="plain observer opcache opcache-walk jit-tracing jit-function jit-walk preload file-cache
    xdebug-develop xdebug-debug xdebug-profile xdebug-coverage xdebug-off"
mode_args() {
    case $1 in
        plain) echo "" ;; # memprof.observer=auto: stack walks in most tests
        observer) echo "$OBS" ;;
        opcache) echo "$OPC -d opcache.jit=disable $OBS" ;;
        opcache-walk) echo "$OPC -d opcache.jit=disable" ;;
        jit-tracing) echo "$OPC -d opcache.jit=tracing $JIT_BUF $OBS" ;;
        jit-function) echo "$OPC -d opcache.jit=function $JIT_BUF $OBS" ;;
        jit-walk) echo "$OPC -d opcache.jit=tracing $JIT_BUF" ;;
        preload) echo "$OPC -d opcache.jit=disable $PRELOAD $OBS" ;;
        file-cache) echo "$OPC -d opcache.jit=disable -d opcache.file_cache=$FCACHE_DIR -d opcache.file_cache_only=1 $OBS" ;;
        # max_nesting_level: Xdebug stops recursion at 256 frames; the suite goes to 10 000
        xdebug-*) echo "-d zend_extension=xdebug -d xdebug.mode=${1#xdebug-} -d xdebug.start_with_request=no -d xdebug.output_dir=$FCACHE_DIR -d xdebug.max_nesting_level=-1 $OBS" ;;
        *) return 1 ;;
    esac
}

run_phpt() { # mode
    local mode=$1 args log
    args=$(mode_args "$mode") || { echo "unknown phpt mode $mode"; count "phpt ($mode)" 0 1; return; }
    log=$(mktemp)
    # run-tests.php turns Xdebug off with an -d of its own; Xdebug's
    # environment variable wins over every ini setting
    local xdm=""
    case $mode in xdebug-*) xdm=${mode#xdebug-} ;; esac
    XDEBUG_MODE=$xdm MEMPROF_TEST_MODE=$mode MEMPROF_TEST_ARGS="$args" TEST_PHP_EXECUTABLE=$PHP NO_INTERACTION=1 \
        "$PHP" -n run-tests.php -q --no-color -n $EXT $args --show-diff tests/ 2>&1 | tr '\r' '\n' >"$log"
    local p f
    p=$(grep -c "^PASS" "$log")
    f=$(grep -cE "^(FAIL|BORK|LEAK)[[:space:]]" "$log")
    # the proof that the mode was on must have run, not been skipped
    grep -q "^PASS.*\[tests/mode_check.phpt\]" "$log" || { echo "[$mode] tests/mode_check.phpt did not pass"; f=$((f + 1)); }
    grep -E "^(FAIL|BORK|LEAK)[[:space:]]" "$log" | sed "s/^/[$mode] /"
    [ "$f" = 0 ] || sed -n '/^=====/,$p' "$log" | head -200
    count "phpt ($mode)" "$p" "$f"
    rm -f "$log"
}

if [ "$only" = all ] || [ "$only" = phpt ]; then
    for mode in ${MEMPROF_PHPT_MODES:-$PHPT_MODES}; do
        run_phpt "$mode"
    done
fi

if [ "$only" = all ] || [ "$only" = valgrind ]; then
    if [ "${VALGRIND:-subset}" = all ]; then
        sel=tests/
    else
        sel=$(ls tests/*.phpt | grep -vE "recursion_10000|heap_memlab")
    fi
    # both ways of following the stack: the call observer forced, and the
    # default (auto), which walks the stack in tests without MEMPROF_PROFILE
    for mode in observer auto; do
        obs=$([ $mode = observer ] && echo "$OBS" || echo "")
        log=$(mktemp)
        # valgrind follows PHP's children; the reference readers we spawn (go,
        # perl's callgrind_annotate, curl) are not ours to check
        VALGRIND_OPTS="--suppressions=$ROOT/tests/valgrind.supp --trace-children-skip=*/go,*/perl,*/callgrind_annotate,*/curl,*/chromium,*/node,*/npm" \
        USE_ZEND_ALLOC=0 TEST_PHP_EXECUTABLE=$PHP NO_INTERACTION=1 \
            "$PHP" -n run-tests.php -q --no-color -m -n $EXT $obs -d pcre.jit=0 $sel 2>&1 | tr '\r' '\n' >"$log"
        p=$(grep -c "^PASS" "$log"); f=$(grep -cE "^(FAIL|BORK|LEAK)[[:space:]]" "$log")
        grep -E "^(FAIL|BORK|LEAK)[[:space:]]" "$log" | sed "s/^/[valgrind $mode] /"
        count "phpt (valgrind memcheck, $mode)" "$p" "$f"
        rm -f "$log"
    done

    # The same checker on the Zend heap itself (USE_ZEND_ALLOC left on), where
    # the live-block map uses its page slots: every benchmark workload, tiny.
    vdir=$(mktemp -d)
    p=0; f=0
    # xml:native: native tracking too (malloc hooked; libxml2's blocks in the same map)
    for w in parser markdown calls churn calls:walk xml:native; do
        obs=""
        prof=1
        ext=""
        [ "${w#*:}" = walk ] && obs="-d memprof.observer=off"
        [ "${w#*:}" = native ] && prof=native && ext="-d extension=dom -d extension=xmlreader"
        w=${w%%:*}
        if MEMPROF_PROFILE=$prof valgrind -q --suppressions="$ROOT/tests/valgrind.supp" --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
                "$PHP" -n -d memory_limit=-1 -d pcre.jit=0 -d extension=tokenizer -d extension=mbstring \
                -d extension=ctype -d extension=iconv $ext $EXT $obs -d memprof.output_dir="$vdir" \
                bench/workloads/$w.php tiny >"$vdir/$w.log" 2>&1 \
                && grep -q "^BENCH live_blocks=" "$vdir/$w.log"; then
            p=$((p + 1))
        else
            f=$((f + 1))
            echo "[valgrind zend heap] $w $obs failed:"; head -40 "$vdir/$w.log"
        fi
    done
    count "valgrind memcheck, Zend heap (workloads)" "$p" "$f"
    rm -rf "$vdir"
fi

for suite in tests/cli/run.sh tests/web/fpm_nginx_test.sh "OPCACHE=1 tests/web/fpm_nginx_test.sh"; do
    script=${suite##* }
    envs=""
    [ "$script" = "$suite" ] || envs=${suite% *}
    [ "$only" = all ] || [ "$only" = "$(basename "$(dirname "$script")")" ] || continue
    [ -x "$script" ] || continue
    log=$(mktemp)
    env $envs PHP_FPM="php-fpm$V" bash "$script" >"$log" 2>&1
    rc=$?
    grep -E "^not ok" "$log" | sed "s|^|[$suite] |"
    line=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
    if [ -z "$line" ]; then
        tail -20 "$log"
        count "$suite" 0 1
    else
        p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
        [ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
        count "$suite" "$p" "$f"
    fi
    rm -f "$log"
done

if [ "$only" = all ] || [ "$only" = bench ]; then
    if [ -f bench/run.php ]; then
        if "$PHP" bench/run.php --php "$PHP" --size tiny --runs 1 >/tmp/memprof-bench-smoke.log 2>&1; then
            count "bench smoke (tiny)" 1 0
        else
            tail -20 /tmp/memprof-bench-smoke.log
            count "bench smoke (tiny)" 0 1
        fi
    fi
fi

if [ "$only" = all ] || [ "$only" = versions ]; then
    # Other PHP versions, each in a Debian chroot. Each "== NAME: N passed, N
    # failed" line of the runner (a build, a version's phpt mode) counts here;
    # its "SKIPPED" lines are said again at the end.
    if [ -n "$VPID" ]; then
        wait "$VPID"; rc=$?
        VPID=""
        log=$VLOG
        grep -vE "^== .*: [0-9]+ passed, [0-9]+ failed$" "$log"
    else
        log=$(mktemp)
        bash tests/versions/run.sh 2>&1 | tee "$log" | grep --line-buffered -vE "^== .*: [0-9]+ passed, [0-9]+ failed$"
        rc=${PIPESTATUS[0]}
    fi
    n=0; vf=0
    while IFS= read -r line; do
        name=${line#== }; name=${name%%: *}
        counts=${line##*: }
        p=${counts%% passed*}; f=${counts#*, }; f=${f%% failed*}
        count "$name" "$p" "$f"
        n=$((n + 1)); vf=$((vf + f))
    done < <(grep -E "^== .*: [0-9]+ passed, [0-9]+ failed$" "$log")
    [ "$n" -gt 0 ] || count "tests/versions/run.sh (no results)" 0 1
    # a runner that failed without saying what failed fails CI too
    [ "$rc" = 0 ] || [ "$vf" -gt 0 ] || count "tests/versions/run.sh (exit $rc)" 0 1
    grep -E "^SKIPPED" "$log" | sort -u >>"$SKIPPED"
    rm -f "$log"
fi

[ ${#failures[@]} = 0 ] || echo "failed suites: ${failures[*]}"
[ -s "$SKIPPED" ] && sed 's/^/!! /' "$SKIPPED"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
