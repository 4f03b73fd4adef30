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
# Installs what is missing with apt (build.sh); php8.2-xdebug, if this is
# what installs it, is disabled again for every SAPI: the suites load it
# explicitly (-d zend_extension=xdebug).
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

# gcc and libjemalloc2: the native tests build a library and preload jemalloc
MEMPROF_EXTRA_PACKAGES="valgrind golang-go php8.2-opcache php8.2-xdebug php8.2-fpm php8.2-xml nginx php-parser php-league-commonmark chromium curl gcc libjemalloc2" \
    ./build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

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
php -n -m 2>/dev/null | grep -q '^Zend OPcache' && OPC=""
# file_update_protection=0: run-tests writes each test just before running
# it, and opcache does not cache files younger than that (2 s by default)
OPC="$OPC -d opcache.enable=1 -d opcache.enable_cli=1 -d opcache.file_update_protection=0"
JIT_BUF="-d opcache.jit_buffer_size=64M"
PRELOAD="-d opcache.preload=$ROOT/tests/inc/preload.php"
[ "$(id -u)" = 0 ] && PRELOAD="$PRELOAD -d opcache.preload_user=root"
FCACHE_DIR=$(mktemp -d)
trap 'rm -rf "$FCACHE_DIR"' EXIT

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
    XDEBUG_MODE=$xdm MEMPROF_TEST_MODE=$mode MEMPROF_TEST_ARGS="$args" TEST_PHP_EXECUTABLE=$(command -v php) NO_INTERACTION=1 \
        php -n run-tests.php -q --no-color -n $EXT $args --show-diff tests/ 2>&1 | tr '\r' '\n' >"$log"
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
        sel=$(ls tests/*.phpt | grep -vE "recursion_10000")
    fi
    # both ways of following the stack: the call observer forced, and the
    # default (auto), which walks the stack in tests without MEMPROF_PROFILE
    for mode in observer auto; do
        obs=$([ $mode = observer ] && echo "$OBS" || echo "")
        log=$(mktemp)
        # valgrind follows PHP's children; the reference readers we spawn (go,
        # perl's callgrind_annotate, curl) are not ours to check
        VALGRIND_OPTS="--suppressions=$ROOT/tests/valgrind.supp --trace-children-skip=*/go,*/perl,*/callgrind_annotate,*/curl,*/chromium" \
        USE_ZEND_ALLOC=0 TEST_PHP_EXECUTABLE=$(command -v php) NO_INTERACTION=1 \
            php -n run-tests.php -q --no-color -m -n $EXT $obs -d pcre.jit=0 $sel 2>&1 | tr '\r' '\n' >"$log"
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
                php -n -d memory_limit=-1 -d pcre.jit=0 -d extension=tokenizer -d extension=mbstring \
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
    env $envs bash "$script" >"$log" 2>&1
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
        if php bench/run.php --size tiny --runs 1 >/tmp/memprof-bench-smoke.log 2>&1; then
            count "bench smoke (tiny)" 1 0
        else
            tail -20 /tmp/memprof-bench-smoke.log
            count "bench smoke (tiny)" 0 1
        fi
    fi
fi

[ ${#failures[@]} = 0 ] || echo "failed suites: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
