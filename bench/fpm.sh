#!/bin/bash
# Requests per second of one small PHP page under a real php-fpm (Debian's
# php-fpm8.2) behind a real nginx, on 127.0.0.1 only, with private configs in
# a temp dir (the machine's own PHP and nginx configs are never read or touched).
#
#   bench/fpm.sh [--rounds R] [--requests N] [--opcache] [--sample-requests K]
#
# Configs, each its own php-fpm master (pm=static, 2 workers) and nginx server:
#   plain     memprof not loaded
#   off       memprof loaded, profiling off
#   sampled   memprof.sample_rate=512K, nginx passes MEMPROF_PROFILE=1: every
#             request profiled and written as a labelled pprof (per-request profiles)
#   sampledK  (--sample-requests K) the same with memprof.sample_requests=K: one
#             request in K profiled and written, to tell the file writing apart
# After a warm-up round per config, R rounds (default 5) of N requests (default
# 3000) with `ab -k -c 2`, the configs in an order rotated each round (and
# reversed every other round). Markdown on stdout (for BENCHMARKS.md), progress
# on stderr. Exits 1 if a check failed.
# Environment: MEMPROF_SO (modules/memprof.so), PHP_FPM, NGINX, AB, PHP, KEEP_TMP=1,
# TMPDIR (where the temp dir goes, profiles included: their file system matters).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
MEMPROF_SO=${MEMPROF_SO:-$HERE/../modules/memprof.so}
PHP_FPM=${PHP_FPM:-php-fpm8.2} NGINX=${NGINX:-nginx} AB=${AB:-ab} PHP=${PHP:-php}
ROUNDS=5 REQUESTS=3000 OPCACHE=0 SAMPLE_REQUESTS=0
WORKERS=2 # per pool, and ab's concurrency: one request in flight per worker

usage() { sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) shift; ROUNDS=${1:-} ;;
	--requests) shift; REQUESTS=${1:-} ;;
	--sample-requests) shift; SAMPLE_REQUESTS=${1:-} ;;
	--opcache) OPCACHE=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "fpm.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[[ "$ROUNDS $REQUESTS $SAMPLE_REQUESTS" =~ ^[1-9][0-9]*\ [1-9][0-9]*\ [0-9]+$ ]] ||
	{ echo "fpm.sh: --rounds and --requests take a number >= 1, --sample-requests >= 0" >&2; exit 2; }
for tool in "$PHP_FPM" "$NGINX" "$AB" "$PHP" curl; do
	command -v "$tool" >/dev/null || { echo "fpm.sh: $tool not found (apt-get install php8.2-fpm nginx apache2-utils curl)" >&2; exit 1; }
done
[ -f "$MEMPROF_SO" ] || { echo "fpm.sh: $MEMPROF_SO not built (./build.sh)" >&2; exit 1; }

CONFIGS=(plain off sampled)
[ "$SAMPLE_REQUESTS" -gt 0 ] && CONFIGS+=("sampled$SAMPLE_REQUESTS")
NC=${#CONFIGS[@]} FAILS=0
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/memprof-fpmbench.XXXXXX")
PIDS=() AB_PID= # the php-fpm masters, nginx and a running ab: only these are signalled
cleanup() {
	local rc=$? p kids=()
	[ -n "$AB_PID" ] && kill -TERM "$AB_PID" 2>/dev/null
	for p in "${PIDS[@]}"; do mapfile -t -O ${#kids[@]} kids < <(pgrep -P "$p"); done # FPM workers, if a master hangs
	[ ${#PIDS[@]} -gt 0 ] && kill -TERM "${PIDS[@]}" 2>/dev/null # an FPM master stops its workers
	for _ in $(seq 50); do kill -0 "${PIDS[@]}" "${kids[@]}" 2>/dev/null || break; sleep 0.1; done
	for p in "${PIDS[@]}" "${kids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p"; done
	if [ "${KEEP_TMP:-}" = 1 ]; then echo "# temp dir kept: $T" >&2; else rm -rf "$T"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "fpm.sh: interrupted" >&2; exit 130' INT TERM

# A copy of the .so, so that a rebuild during the run cannot mix two builds.
cp "$MEMPROF_SO" "$T/memprof.so"
mkdir -p "$T/www" "$T/nginx-tmp"

# ---- the page (bench/fpm-app.php: ~1-3 ms of ordinary work) and a tiny probe -------
cp "$HERE/fpm-app.php" "$T/www/app.php"
cat > "$T/www/probe.php" <<'PHP'
<?php
$m = extension_loaded('memprof');
echo 'memprof=', $m ? 1 : 0, ' profiling=', $m && memprof_enabled() ? 1 : 0,
    ' rate=', $m ? memprof_enabled_flags()['sample_rate'] : 0,
    ' opcache=', function_exists('opcache_get_status') && ini_get('opcache.enable') ? 1 : 0, "\n";
PHP

# ---- one php-fpm master per config, on a unix socket (Debian's default; and no
# TIME_WAIT ports piling up between nginx and FPM at thousands of requests/s) ----
declare -A PORT SENT FILES BYTES RPS CPU MASTER
read -r -a ports < <("$PHP" -n -r '$s = [];   // held open together, so distinct
	for ($i = 0; $i < '"$NC"'; $i++) { $s[] = stream_socket_server("tcp://127.0.0.1:0"); }
	echo implode(" ", array_map(fn($x) => explode(":", stream_socket_get_name($x, false))[1], $s)), "\n";')
# file_update_protection=0: the page was just written, and opcache does not
# cache files younger than that (2 s by default)
OPC=()
[ $OPCACHE = 1 ] && OPC=(-d zend_extension=opcache -d opcache.enable=1 -d opcache.file_update_protection=0)
for i in "${!CONFIGS[@]}"; do
	c=${CONFIGS[$i]}
	PORT[$c]=${ports[$i]} SENT[$c]=0 FILES[$c]=0 BYTES[$c]=0 RPS[$c]='' CPU[$c]=''
	mkdir -p "$T/out-$c"
	{
		printf '[global]\npid = %s\nerror_log = %s\ndaemonize = no\n' "$T/fpm-$c.pid" "$T/fpm-$c.log"
		printf '[%s]\nlisten = %s\npm = static\npm.max_children = %s\n' "$c" "$T/fpm-$c.sock" "$WORKERS"
		printf 'clear_env = yes\ncatch_workers_output = yes\ndecorate_workers_output = no\n'
		printf 'php_admin_value[memory_limit] = 128M\nphp_admin_flag[display_errors] = off\nphp_admin_flag[log_errors] = on\n'
		if [[ $c == sampled* ]]; then
			printf 'php_admin_value[memprof.%s\n' "sample_rate] = 512K" "output_format] = pprof" \
				"output_dir] = $T/out-$c" "labels] = service:bench,pool:$c"
			[ "$c" != sampled ] && printf 'php_admin_value[memprof.sample_requests] = %s\n' "$SAMPLE_REQUESTS"
		fi
	} > "$T/fpm-$c.conf"
	EXT=()
	[ "$c" != plain ] && EXT=(-d "extension=$T/memprof.so")
	# -n: no php.ini, no conf.d (no Xdebug): only what is asked for; -R: we may be root
	"$PHP_FPM" -n -F -R -y "$T/fpm-$c.conf" -p "$T" "${OPC[@]}" "${EXT[@]}" > "$T/fpm-$c.stdout" 2>&1 &
	PIDS+=($!) MASTER[$c]=$!
done

# ---- nginx: one server block per config; its own pid, logs and temp paths ---------
{
	echo "daemon off; master_process off; worker_processes 1; pid $T/nginx.pid;"
	echo "error_log $T/nginx-error.log notice; events { worker_connections 256; }"
	echo "http { access_log off; keepalive_requests 1000000; client_body_temp_path $T/nginx-tmp/body;"
	echo "	fastcgi_temp_path $T/nginx-tmp/fcgi; proxy_temp_path $T/nginx-tmp/proxy;"
	echo "	uwsgi_temp_path $T/nginx-tmp/uwsgi; scgi_temp_path $T/nginx-tmp/scgi;"
	for c in "${CONFIGS[@]}"; do
		prof=
		[[ $c == sampled* ]] && prof='fastcgi_param MEMPROF_PROFILE 1;' # every request profiled
		cat <<EOF
	server {
		listen 127.0.0.1:${PORT[$c]};
		root $T/www;
		location ~ \.php\$ {
			fastcgi_pass unix:$T/fpm-$c.sock;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			$prof
		}
	}
EOF
	done
	echo "}"
} > "$T/nginx.conf"
"$NGINX" -p "$T" -c "$T/nginx.conf" -e "$T/nginx-error.log" > "$T/nginx.stdout" 2>&1 &
PIDS+=($!)

url() { echo "http://127.0.0.1:${PORT[$1]}/$2"; }
for c in "${CONFIGS[@]}"; do
	for _ in $(seq 100); do
		curl -sf -o /dev/null --max-time 2 "$(url "$c" probe.php)" && { SENT[$c]=1; continue 2; }
		sleep 0.1
	done
	fail "$c: php-fpm and nginx did not start"
	tail -n 5 "$T/fpm-$c.log" "$T/fpm-$c.stdout" "$T/nginx-error.log" "$T/nginx.stdout" >&2 2>/dev/null
	exit 1
done

# Counts and deletes the profiles written since the last call. With an expected
# count, waits for it (a worker may still be writing after its response went
# out); without (sampledK: depends on how requests fell on workers), until steady.
drain() { # config [expected]
	local c=$1 want=${2:-} n prev=-1 f d="$T/out-$1"
	[[ $c == sampled* ]] || return 0
	for _ in $(seq 100); do
		n=$(find "$d" -maxdepth 1 -name 'memprof.*' -type f | wc -l)
		if [ -n "$want" ]; then [ "$n" -ge "$want" ] && break; else [ "$n" = "$prev" ] && break; fi
		prev=$n
		sleep 0.1
	done
	[ -n "$want" ] && [ "$n" != "$want" ] && fail "$c: $n profiles written for $want requests"
	# the largest (a request may have no sample): a gzipped pprof with our labels
	f=$(find "$d" -maxdepth 1 -name 'memprof.pprof.*.pb.gz' -printf '%s %p\n' | sort -rn | head -n 1 | cut -d' ' -f2-)
	[ -n "$f" ] && ! gzip -dc "$f" | grep -aq service && fail "$c: $f is not a gzipped pprof labelled service:bench"
	FILES[$c]=$((FILES[$c] + n))
	BYTES[$c]=$((BYTES[$c] + $(find "$d" -maxdepth 1 -name 'memprof.*' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')))
	find "$d" -mindepth 1 -delete
}
want() { [ "$1" = sampled ] && echo "$2"; } # sampled: one profile per request

# ---- what is loaded where, by a request to the probe --------------------------------
declare -A EXPECT=([plain]="memprof=0 profiling=0 rate=0" [off]="memprof=1 profiling=0 rate=0")
for c in "${CONFIGS[@]}"; do
	exp="${EXPECT[$c]:-memprof=1 profiling=1 rate=524288}"
	p=$(curl -sS --max-time 10 "$(url "$c" probe.php)")
	SENT[$c]=$((SENT[$c] + 1))
	[ "$p" = "$exp opcache=$OPCACHE" ] || fail "$c: the probe says '$p', expected '$exp opcache=$OPCACHE'"
	drain "$c" "$(want "$c" "${SENT[$c]}")"
done
[ "$FAILS" = 0 ] || { echo "fpm.sh: the set-up is wrong, nothing measured" >&2; exit 1; }

# CPU time (user + system, in clock ticks) of a config's workers: unlike
# requests/s, hardly moved by what else runs on the machine; not counting waits (fsync)
cpu_ticks() { pgrep -P "${MASTER[$1]}" | sed 's|.*|/proc/&/stat|' | xargs -r sed 's/.*) //' | awk '{ s += $12 + $13 } END { print s }'; }
run_ab() { # config requests: sets AB_RPS and AB_CPU (ms per request); every request must be a 200 on a kept-alive connection
	local c=$1 n=$2 o="$T/ab-$1.out" rc got t0
	t0=$(cpu_ticks "$c")
	# in the background: a signal's trap runs at once, not after the whole round
	"$AB" -q -k -s 30 -c "$WORKERS" -n "$n" "$(url "$c" app.php)" > "$o" 2>&1 &
	AB_PID=$!
	wait "$AB_PID"
	rc=$? AB_PID=
	AB_CPU=$(awk -v a="$t0" -v b="$(cpu_ticks "$c")" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { print (b - a) * 1000 / hz / n }')
	SENT[$c]=$((SENT[$c] + n))
	AB_RPS=$(awk '/^Requests per second:/ { print $4 }' "$o")
	got=$(awk '/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 } /^Non-2xx responses:/ { x = $3 }
		/^Keep-Alive requests:/ { k = $3 } END { printf "%s/%s/%d/%s", c, f, x, k }' "$o")
	if [ $rc != 0 ] || [ "$got" != "$n/0/0/$n" ] || [ -z "$AB_RPS" ]; then
		fail "$c: ab exit $rc, complete/failed/non-2xx/keep-alive = $got (want $n/0/0/$n)"
		sed 's/^/#   /' "$o" | tail -n 15 >&2
		AB_RPS=0
	fi
}

VERSIONS="$("$PHP_FPM" -n -v | head -n 1 | cut -d' ' -f1-2), nginx $("$NGINX" -v 2>&1 | cut -d/ -f2)"
echo "# $VERSIONS, profiles on $(df --output=fstype "$T" | tail -n 1) ($T); warm-up" >&2
for c in "${CONFIGS[@]}"; do
	run_ab "$c" "$REQUESTS"
	drain "$c" "$(want "$c" "$REQUESTS")"
	h=$(curl -sS -D - -o "$T/body-$c" --max-time 10 "$(url "$c" app.php)")
	SENT[$c]=$((SENT[$c] + 1))
	drain "$c" "$(want "$c" 1)"
	grep -q '^HTTP/1.1 200' <<< "$h" && grep -q ' rows, ' "$T/body-$c" || fail "$c: the page did not answer 200 with its body"
	grep -qi "^X-Opcache-Cached: $OPCACHE" <<< "$h" || fail "$c: opcache_is_script_cached(app.php) is not $OPCACHE after the warm-up"
done
cmp -s "$T/body-plain" "$T/body-sampled" || fail "the page's output differs between plain and sampled"
[ "$FAILS" = 0 ] || { echo "fpm.sh: the warm-up failed, nothing measured" >&2; exit 1; }

for ((r = 1; r <= ROUNDS; r++)); do
	line=
	for ((k = 0; k < NC; k++)); do
		# rotated, and reversed every other round: no config always runs right
		# after the same one (after sampled, say, with its files being flushed)
		j=$(((r % 2 ? k : NC - 1 - k) + r))
		c=${CONFIGS[$((j % NC))]}
		run_ab "$c" "$REQUESTS"
		RPS[$c]+="$AB_RPS " CPU[$c]+="$AB_CPU "
		drain "$c" "$(want "$c" "$REQUESTS")" # between runs: deleting is not measured
		line+=" $c=$AB_RPS/s,${AB_CPU}ms"
	done
	echo "# round $r/$ROUNDS:$line" >&2
done

# sampledK: each worker profiles its 1st request and every Kth after it, so
# ceil(c1/K) + ceil(c2/K) profiles for c1 + c2 requests
for c in "${CONFIGS[@]:3}"; do
	lo=$(((SENT[$c] + SAMPLE_REQUESTS - 1) / SAMPLE_REQUESTS))
	[ "${FILES[$c]}" -ge "$lo" ] && [ "${FILES[$c]}" -le $((lo + WORKERS - 1)) ] ||
		fail "$c: ${FILES[$c]} profiles for ${SENT[$c]} requests, expected $lo..$((lo + WORKERS - 1))"
done

BAD='WARNING:|ERROR:|exited on signal|SIGSEGV|core dumped|zend_mm_heap corrupted|PHP (Fatal error|Warning|Notice|Deprecated)|\[(error|crit|alert|emerg)\]'
if grep -Eiq "$BAD" "$T"/fpm-*.log "$T/nginx-error.log"; then
	fail "php-fpm or nginx logged an error"
	grep -Ehi "$BAD" "$T"/fpm-*.log "$T/nginx-error.log" | head -n 5 >&2
fi

# ---- report -------------------------------------------------------------------------
nums() { tr ' ' '\n' <<< "$1" | grep .; }
median() { sort -g | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.3fx", a / b; else printf "–" }'; }
P_MED=$(nums "${RPS[plain]}" | median)
FLAGS="--rounds $ROUNDS --requests $REQUESTS$([ $OPCACHE = 1 ] && echo " --opcache")"
[ "$SAMPLE_REQUESTS" -gt 0 ] && FLAGS+=" --sample-requests $SAMPLE_REQUESTS"
echo "### php-fpm + nginx, requests/s ($(date +%F), opcache $([ $OPCACHE = 1 ] && echo on || echo off))"
echo
echo "\`bench/fpm.sh $FLAGS\`: $VERSIONS, $(nproc) CPUs; a php-fpm master per config, pm=static," \
	"$WORKERS workers; \`ab -k -c $WORKERS\`, $REQUESTS requests a round, $ROUNDS round(s) after a warm-up," \
	"in an order rotated each round and reversed every other round; profiles written to $(df --output=fstype "$T" | tail -n 1)."
echo
echo "| config | median req/s | min–max | slowdown (plain ÷ config) | paired slowdown | worker CPU ms/request (÷ plain) | profiles written | mean size |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
declare -A DESC=([plain]="plain (memprof not loaded)" [off]="off (loaded, not profiling)"
	[sampled]="sampled 512K, a pprof per request" [sampled$SAMPLE_REQUESTS]="sampled 512K, 1 request in $SAMPLE_REQUESTS")
for c in "${CONFIGS[@]}"; do
	med=$(nums "${RPS[$c]}" | median)
	mm=$(nums "${RPS[$c]}" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f–%.0f", a, b }')
	paired=$(paste -d' ' <(nums "${RPS[plain]}") <(nums "${RPS[$c]}") | awk '$2 > 0 { print $1 / $2 }' | median)
	cpu=$(nums "${CPU[$c]}" | median)
	cpu=$(printf '%.3f (%s)' "$cpu" "$(ratio "$cpu" "$(nums "${CPU[plain]}" | median)")")
	prof=– size=–
	if [[ $c == sampled* ]]; then
		prof="${FILES[$c]} for ${SENT[$c]} requests"
		[ "${FILES[$c]}" -gt 0 ] && size=$(awk -v b="${BYTES[$c]}" -v n="${FILES[$c]}" 'BEGIN { printf "%.1f KiB", b / n / 1024 }')
	fi
	printf '| %s | %.0f | %s | %s | %s | %s | %s | %s |\n' "${DESC[$c]}" "$med" "$mm" "$(ratio "$P_MED" "$med")" \
		"$(ratio "${paired:-0}" 1)" "$cpu" "$prof" "$size"
done
echo
echo "Slowdown: median req/s of plain ÷ that of the config; paired: the median over rounds of that ratio within one round." \
	"Worker CPU: user + system time of the config's php-fpm workers per request (median over rounds), not counting time waiting (fsync)."
[ "$FAILS" = 0 ] || { echo "fpm.sh: $FAILS check(s) failed" >&2; exit 1; }
