#!/usr/bin/env bash
# Profile one benchmark workload with profiling on, under `perf record -g`,
# and print the hottest symbols (`perf report --no-children`).
#
#   bash bench/perf.sh [WORKLOAD] [SIZE] [--off|--plain] [--ext PATH] [--top N] [--keep]
#
#   WORKLOAD  parser | markdown | calls | churn          (default churn)
#   SIZE      tiny | small | full                          (default small)
#   --off     extension loaded, profiling off (default: MEMPROF_PROFILE=1)
#   --plain   extension not loaded
#   --ext     memprof.so to load (default <repo>/modules/memprof.so)
#   --top N   lines of the report to print (default 40)
#   --keep    keep perf.data (path printed) instead of deleting it
#
# Needs perf (Debian: apt-get install -y linux-perf). In a VM or container without
# hardware counters perf falls back to the cpu-clock software event, which is fine
# for this; if perf_event_open is refused altogether the script says so and exits 3.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

workload=churn
size=small
side=on
ext="$repo/modules/memprof.so"
top=40
keep=0
pos=0
while [ $# -gt 0 ]; do
    case "$1" in
        --off) side=off ;;
        --plain) side=plain ;;
        --ext) shift; ext="${1:?--ext needs a path}" ;;
        --top) shift; top="${1:?--top needs a number}" ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "perf.sh: unknown option $1" >&2; exit 2 ;;
        *)
            if [ $pos -eq 0 ]; then workload="$1"; else size="$1"; fi
            pos=$((pos + 1)) ;;
    esac
    shift
done

case "$workload" in parser|markdown|calls|churn) ;; *) echo "perf.sh: unknown workload '$workload'" >&2; exit 2 ;; esac
case "$size" in tiny|small|full) ;; *) echo "perf.sh: unknown size '$size'" >&2; exit 2 ;; esac

if ! command -v perf >/dev/null 2>&1; then
    echo "perf.sh: perf is not installed (Debian: apt-get install -y linux-perf)" >&2
    exit 3
fi
if [ "$side" != plain ] && [ ! -f "$ext" ]; then
    echo "perf.sh: memprof extension not found at $ext" >&2
    echo "         build it in the repo root first: phpize && ./configure && make" >&2
    exit 3
fi

php_bin="$(command -v php)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/memprof-perf.XXXXXX")"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
mkdir "$tmp/out"

cmd=("$php_bin" -n -d memory_limit=-1 -d extension=tokenizer -d extension=mbstring -d extension=ctype -d extension=iconv)
env_prefix=(env -u MEMPROF_PROFILE)
if [ "$side" != plain ]; then
    cmd+=(-d "extension=$ext" -d "memprof.output_dir=$tmp/out")
fi
if [ "$side" = on ]; then
    env_prefix=(env MEMPROF_PROFILE=1)
fi
cmd+=("$here/workloads/$workload.php" "$size")

data="$tmp/perf.data"
echo "# perf record -g: $workload ($size), side: $side" >&2
echo "# ${env_prefix[*]} ${cmd[*]}" >&2
if ! "${env_prefix[@]}" perf record -g -o "$data" -- "${cmd[@]}" >"$tmp/stdout" 2>"$tmp/perf.err"; then
    if grep -qiE 'not supported|permission|perf_event_open|paranoid|No permission' "$tmp/perf.err"; then
        echo "perf.sh: perf is not supported in this environment:" >&2
    else
        echo "perf.sh: perf record failed:" >&2
    fi
    sed 's/^/    /' "$tmp/perf.err" >&2
    exit 3
fi
grep '^BENCH' "$tmp/stdout" >&2 || true
grep -v '^\[ perf record' "$tmp/perf.err" | sed 's/^/    /' >&2 || true

report() {
    perf report -i "$data" --no-children --stdio -g none "$@" 2>/dev/null \
        | grep -v '^$' | grep -vE '^# *$|^# To display|^# \(Tip|^# Total Lost|^# Event count'
}

echo
echo "## perf report --no-children ($workload, $size, profiling $side)"
echo
echo "By shared object:"
echo
echo '```'
report -F overhead,dso --percent-limit 0.5 | head -n 20
echo '```'
echo
echo "Hottest symbols:"
echo
echo '```'
report -F overhead,dso,sym --percent-limit 0.3 | head -n "$top"
echo '```'

if [ "$keep" -eq 1 ]; then
    keepfile="$(mktemp "${TMPDIR:-/tmp}/memprof-perf-$workload.XXXXXX.data")"
    cp "$data" "$keepfile"
    echo "perf data kept in $keepfile (perf report -i $keepfile --no-children)" >&2
fi
