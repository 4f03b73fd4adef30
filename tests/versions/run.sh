#!/usr/bin/env bash
# Builds memprof and runs the whole phpt suite, in every mode of test.sh, on
# the PHP versions this host does not have, each in a Debian chroot made with
# debootstrap from this host's Debian mirror:
#   8.4  Debian 13 (trixie)
#   8.5  Debian sid, php8.5* pinned to experimental
# The chroots are cached in $MEMPROF_CHROOT_DIR (default
# /var/cache/memprof-chroots): made when missing, refreshed (apt-get update,
# the packages installed or upgraded) when present. Needs root and the mirror.
#
#   tests/versions/run.sh                     8.4 and 8.5
#   MEMPROF_VERSIONS=8.5 tests/versions/run.sh
#   MEMPROF_PHPT_MODES="plain jit-tracing" tests/versions/run.sh
#
# The versions run at the same time, each in its chroot, their lines prefixed
# with the version. Prints one "== NAME: N passed, N failed" line per
# version's build (a compiler warning in our code is a failure) and per
# version and mode (test.sh counts them), a "SKIPPED ..." line for each mode
# that cannot be run and why, and exits non-zero if anything failed.
# Full logs: $CACHE/results/<version>/.
set -uo pipefail
cd "$(dirname "$0")/../.."
SRC=$(pwd)
CACHE=${MEMPROF_CHROOT_DIR:-/var/cache/memprof-chroots}
VERSIONS=${MEMPROF_VERSIONS:-8.4 8.5}
MODES=${MEMPROF_PHPT_MODES:-plain observer opcache opcache-walk jit-tracing jit-function jit-walk preload file-cache
    xdebug-develop xdebug-debug xdebug-profile xdebug-coverage xdebug-off}

failed=0
count() { # name, passed, failed
    echo "== $1: $2 passed, $3 failed"
    [ "$3" = 0 ] || failed=1
}
fail_all() { # reason: nothing could be run
    echo "versions: $1" >&2
    count "versions ($1)" 0 1
    exit 1
}

# Which Debian gives which PHP: the suite, then suites whose php$V* packages win.
debian_for() {
    case $1 in
        8.4) echo "trixie" ;;
        8.5) echo "sid experimental" ;;
        *) return 1 ;;
    esac
}

# The mirror this host's apt uses (deb822 sources first, then sources.list).
host_mirror() {
    awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep . \
        || awk '$1 == "deb" { print ($2 ~ /^\[/ ? $3 : $2); exit }' /etc/apt/sources.list 2>/dev/null
}
MIRROR=${MEMPROF_MIRROR:-$(host_mirror)}

[ "$(id -u)" = 0 ] || fail_all "needs root (debootstrap, chroot, mount)"
[ -n "$MIRROR" ] || fail_all "no Debian mirror in this host's apt sources; set MEMPROF_MIRROR"
if ! command -v debootstrap >/dev/null; then
    apt-get install -y -qq debootstrap >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; } \
        || fail_all "debootstrap missing and could not be installed"
fi
mkdir -p "$CACHE" || fail_all "cannot create $CACHE"

# Mounts made by this run, unmounted at exit whatever happened. Ours are
# mounted on top of whatever is there, so we never unmount someone else's.
MOUNTS=()
cleanup() {
    local i
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"
    done
    MOUNTS=()
}
in_ch() { # chroot, command: a clean environment, not the host's
    chroot "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb TMPDIR=/tmp \
        bash -c "$2"
}
has_candidate() { # chroot, package: apt would install it
    in_ch "$1" "apt-cache policy '$2' 2>/dev/null | grep -q 'Candidate: [^(]'"
}
secs() { echo $(($(date +%s) - $1))s; }

# Makes the chroot if missing, points apt at the mirror, installs what the
# build and the test modes need. Sets XDEBUG_SKIP to why Xdebug is missing.
prepare() { # version, chroot, log
    local v=$1 ch=$2 log=$3 suite extra s pkgs p
    read -r suite extra <<<"$(debian_for "$v")"
    if [ ! -x "$ch/usr/bin/apt-get" ]; then
        # made aside and moved in place: a half-made chroot is never reused
        local tmp=$ch.new script=""
        [ -d "$tmp" ] && rm -rf --one-file-system "$tmp"
        # a suite newer than this debootstrap is made like sid
        [ -e "/usr/share/debootstrap/scripts/$suite" ] || script=/usr/share/debootstrap/scripts/sid
        echo "[$v] debootstrap $suite from $MIRROR into $ch (first run: a few minutes)"
        debootstrap --variant=minbase "$suite" "$tmp" "$MIRROR" $script >>"$log" 2>&1 \
            || { tail -5 "$log"; return 1; }
        [ -d "$ch" ] && rm -rf --one-file-system "$ch"
        mv "$tmp" "$ch"
    fi
    # /proc: PHP and the tests read it (/proc/self/status, kill by pid).
    # Not /dev/shm: opcache maps anonymous shared memory, nothing named.
    mount -t proc proc "$ch/proc" || return 1
    MOUNTS+=("$ch/proc")
    chmod 1777 "$ch/tmp"
    cp -L /etc/resolv.conf "$ch/etc/resolv.conf" 2>/dev/null

    # check-valid-until=no: the mirror may be a snapshot older than its
    # Release files' Valid-Until
    {
        for s in $suite $extra; do echo "deb [check-valid-until=no] $MIRROR $s main"; done
    } >"$ch/etc/apt/sources.list"
    # php$V* from the extra suites (experimental: not installed unless
    # pinned); everything else, php-common included, from the suite itself
    : >"$ch/etc/apt/preferences.d/memprof-versions"
    for s in $extra; do
        printf 'Package: php%s*\nPin: release a=%s\nPin-Priority: 500\n\n' "$v" "$s" >>"$ch/etc/apt/preferences.d/memprof-versions"
    done
    in_ch "$ch" "apt-get update -qq" >>"$log" 2>&1 || { echo "[$v] apt-get update failed"; tail -5 "$log"; return 1; }
    has_candidate "$ch" "php$v-dev" || { echo "[$v] php$v-dev is not in Debian $suite $extra"; return 1; }

    # callgrind_annotate (valgrind), go tool pprof (golang-go), kill (procps)
    # and curl are what the phpt tests call; the native tests load dom and
    # xmlreader (php$v-xml), build a library (gcc) and preload jemalloc
    pkgs="php$v-dev php$v-cli php$v-xml libjudy-dev zlib1g-dev gcc make libc6-dev libjemalloc2 valgrind golang-go procps curl ca-certificates"
    # opcache is a package of its own up to 8.4 and built in from 8.5
    has_candidate "$ch" "php$v-opcache" && pkgs="$pkgs php$v-opcache"
    XDEBUG_SKIP=""
    if has_candidate "$ch" "php$v-xdebug"; then
        pkgs="$pkgs php$v-xdebug"
    else
        local built
        built=$(in_ch "$ch" "apt-cache pkgnames php | grep -E '^php[0-9.]+-xdebug\$' | sort | paste -sd ' '")
        XDEBUG_SKIP="no Xdebug for PHP $v in Debian $suite${extra:+/$extra}: no php$v-xdebug package (Xdebug is built there for: ${built:-no PHP version})"
    fi
    in_ch "$ch" \
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs" >>"$log" 2>&1 \
        || { echo "[$v] apt-get install failed:"; grep -E '^(E:|  )' "$log" | tail -20; return 1; }
    # Go 1.25+ no longer ships pprof built: `go tool pprof` compiles it at
    # its first use, which took longer than a test may in a new chroot
    in_ch "$ch" "go tool pprof -h >/dev/null 2>&1"
    # the module list whole, then grep: grep -q in the pipe could end php
    # early with SIGPIPE, which pipefail reports as a failure
    if [ -z "$XDEBUG_SKIP" ] && ! grep -qx Xdebug <<<"$(in_ch "$ch" "php$v -n -d zend_extension=xdebug -m 2>/dev/null")"; then
        XDEBUG_SKIP="php$v-xdebug is installed but PHP $v does not load it"
    fi
    echo "[$v] $(in_ch "$ch" "php$v -n -v | head -1"); $(in_ch "$ch" "gcc --version | head -1")"
    echo "[$v] packages: $(in_ch "$ch" "dpkg-query -W -f='\${Package}=\${Version} ' $pkgs")"
}

# A fresh copy of this checkout: what git tracks plus untracked files it does
# not ignore (so uncommitted work is tested, build products are not).
copy_checkout() { # destination
    rm -rf --one-file-system "$1" && mkdir -p "$1" || return 1
    if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
        # files deleted in the work tree are still listed by git
        (cd "$SRC" && git ls-files -z -co --exclude-standard \
            | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
            | tar --null -T - -cf -) | tar -C "$1" -xf -
    else
        cp -a "$SRC/." "$1/"
    fi
}

# One version: chroot, copy, build, the phpt suite.
version_steps() { # version, suite, extra suites
    local v=$1 suite=$2 extra=$3 t0 ch=$CACHE/$2 out=$CACHE/results/$1 b=/root/memprof log warn modes m skip_modes="" rc
    rm -rf "$out"; mkdir -p "$out"
    echo "[$v] Debian $suite${extra:+ + $extra}, chroot $ch, logs in $out"

    t0=$(date +%s)
    prepare "$v" "$ch" "$out/chroot.log" || { count "chroot for PHP $v ($suite)" 0 1; return; }
    echo "[$v] chroot ready in $(secs "$t0")"

    t0=$(date +%s)
    copy_checkout "$ch$b" || { count "copy of the checkout for PHP $v" 0 1; return; }
    log=$out/build.log
    if ! in_ch "$ch" "cd $b && MEMPROF_PHP_VERSION=$v MEMPROF_BUILD_ONLY=1 ./build.sh" >"$log" 2>&1; then
        sed "s/^/[$v build] /" "$log" | tail -40
        count "build PHP $v ($suite)" 0 1
        count "phpt PHP $v (not run, the build failed)" 0 1
        return
    fi
    # every compiler diagnostic is about our code: PHP's headers are system
    # headers (config.m4)
    warn=$(grep -E ':[0-9]+(:[0-9]+)?: (warning|error):' "$log")
    if [ -n "$warn" ]; then
        echo "$warn" | sed "s/^/[$v build] /"
        count "build PHP $v ($suite), $(echo "$warn" | wc -l) compiler warnings" 0 1
    else
        count "build PHP $v ($suite), zero warnings" 1 0
    fi
    echo "[$v] built in $(secs "$t0")"

    modes=""
    for m in $MODES; do
        if [ -n "$XDEBUG_SKIP" ] && [[ $m == xdebug-* ]]; then
            skip_modes="$skip_modes $m"
        else
            modes="$modes $m"
        fi
    done
    [ -z "$skip_modes" ] || echo "SKIPPED phpt $v (${skip_modes# }): $XDEBUG_SKIP" | tee -a "$SKIPFILE"

    t0=$(date +%s)
    # the chroot's own test.sh: the build is done, the packages are in
    # (MEMPROF_TEST_PACKAGES empty); its lines are named for the version
    in_ch "$ch" "cd $b && MEMPROF_PHP_VERSION=$v MEMPROF_TEST_PACKAGES= MEMPROF_PHPT_MODES='${modes# }' ./test.sh phpt" \
        2>&1 | tee "$out/phpt.log" | relabel "$v"
    rc=${PIPESTATUS[0]}
    grep -qE "^== phpt \(" "$out/phpt.log" || count "phpt PHP $v (test.sh gave no results, exit $rc)" 0 1
    grep -qE "^== phpt .*, [1-9][0-9]* failed$" "$out/phpt.log" && failed=1
    echo "[$v] phpt in $(secs "$t0")"
}

run_version() { # version
    local v=$1 d suite extra lock
    d=$(debian_for "$v") || { count "PHP $v (no Debian suite known for it)" 0 1; return; }
    read -r suite extra <<<"$d"
    # one run at a time per chroot (another checkout may be testing too)
    exec {lock}>"$CACHE/$suite.lock"
    flock "$lock"
    version_steps "$v" "$suite" "$extra"
    cleanup
    exec {lock}>&-
}

# The chroot's test.sh lines, named for the version; its total is not ours.
relabel() { # version
    local v=$1 line
    while IFS= read -r line; do
        case $line in
            "== phpt ("*) echo "== phpt $v (${line#== phpt (}" ;;
            "["*"] "*) echo "[$v ${line#[}" ;;
            *) echo "[$v] $line" ;;
        esac
    done
}

# The versions run side by side, each in its own chroot: each mostly waits
# (process start-ups, the tests' sleeps), and one after the other they were
# the longest part of CI. Their lines carry the version.
SKIPFILE=$(mktemp)
pids=()
stop() { # a signal: every process of this run goes (the chroots' too), then
    # each version's exit undoes its mounts
    trap '' INT TERM
    if [ "$(ps -o pgid= -p $$ | tr -d ' ')" = "$$" ]; then
        kill -TERM -- "-$$" 2>/dev/null
    else
        kill -TERM "${pids[@]}" 2>/dev/null
    fi
    wait
    rm -f "$SKIPFILE"
    exit 143
}
trap stop INT TERM
for v in $VERSIONS; do
    (
        trap cleanup EXIT
        trap 'exit 143' INT TERM
        run_version "$v"
        exit $failed
    ) &
    pids+=($!)
done
for p in "${pids[@]}"; do
    wait "$p" || failed=1
done
# said again at the end, where they are seen
cat "$SKIPFILE"
rm -f "$SKIPFILE"
exit $failed
