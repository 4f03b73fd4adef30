#!/usr/bin/env bash
# Installs what memprof needs from Debian (when missing) and builds
# modules/memprof.so in this checkout. Safe to run again.
#   MEMPROF_PHP_VERSION=8.4 ./build.sh   against PHP 8.4 (phpize8.4,
#                                         php-config8.4); default 8.2
set -euo pipefail
cd "$(dirname "$0")"

V=${MEMPROF_PHP_VERSION:-8.2}
need=("php$V-dev" "php$V-cli" libjudy-dev zlib1g-dev)
[ "${MEMPROF_BUILD_ONLY:-}" = 1 ] || need+=(${MEMPROF_EXTRA_PACKAGES:-})
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "build.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    # Debian enables Xdebug for every SAPI on install: every php on the
    # machine would then run under it. The test suites load it explicitly,
    # so switch it off again, but only if we are the ones who installed it.
    for p in "${missing[@]}"; do
        case $p in
            php*-xdebug) $sudo phpdismod -v ALL -s ALL xdebug ;;
        esac
    done
fi

# The versioned tools: plain phpize/php-config are whichever version Debian's
# alternatives picked. A Makefile made for another version's headers is redone.
incdir=$("php-config$V" --include-dir)
if [ ! -f Makefile ] || [ config.m4 -nt Makefile ] || ! grep -qx "phpincludedir = $incdir" Makefile; then
    # phpize's own autoconf notices are noise; shown only if it fails
    out=$("phpize$V" 2>&1) || { echo "$out" >&2; exit 1; }
    ./configure --enable-memprof --with-php-config="php-config$V" >/dev/null
    make clean >/dev/null # new flags: objects from the old ones would be kept
elif [ -f modules/memprof.so ] && [ -n "$(find . -maxdepth 1 -name '*.h' -newer modules/memprof.so)" ]; then
    make clean >/dev/null # the generated Makefile does not track headers
fi
make -j"$(nproc)" >/dev/null
echo "build.sh: built $(pwd)/modules/memprof.so for PHP $V" >&2
