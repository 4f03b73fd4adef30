#!/usr/bin/env bash
# Installs what memprof needs from Debian (when missing) and builds
# modules/memprof.so in this checkout. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

need=(php8.2-dev php8.2-cli libjudy-dev zlib1g-dev)
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

if [ ! -f Makefile ] || [ config.m4 -nt Makefile ]; then
    phpize >/dev/null
    ./configure --enable-memprof >/dev/null
    make clean >/dev/null # new flags: objects from the old ones would be kept
elif [ -f modules/memprof.so ] && [ -n "$(find . -maxdepth 1 -name '*.h' -newer modules/memprof.so)" ]; then
    make clean >/dev/null # the generated Makefile does not track headers
fi
make -j"$(nproc)" >/dev/null
echo "build.sh: built $(pwd)/modules/memprof.so" >&2
