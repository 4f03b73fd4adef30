#!/bin/bash
# End-to-end test of memprof under a real php-fpm behind a real nginx (both
# from Debian), on 127.0.0.1 only, with their own configuration in a temp
# dir, torn down on exit.
#
#   tests/web/fpm_nginx_test.sh            (from the repository root, after make)
#
# Environment: MEMPROF_SO (default: modules/memprof.so), PHP_FPM (php-fpm8.2),
# NGINX (nginx), GO (go), PHP (php, for the helpers), REQUESTS (3000), NATIVE_REQUESTS (1000),
# WATCHDOG (240 s),
# RSS_BOUND_KB (2048), KEEP_TMP=1 to keep the temp dir, OPCACHE=1 to run
# the same checks with opcache and its tracing JIT loaded in FPM.
#
# Three FPM pools, one worker each (pm=static), so one process serves every
# request of its pool:
#   "open": no memprof.trigger_secret    -> request triggers must be ignored
#   "sec" : memprof.trigger_secret set    -> honored only with the secret
#   "smp" : sampled mode for every request (nginx passes MEMPROF_PROFILE), a
#           labelled pprof per request, merged by go tool pprof
# Prints one "ok - ..." / "not ok - ..." line per check, then "N passed, N
# failed"; exits non-zero on any failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MEMPROF_SO=${MEMPROF_SO:-$ROOT/modules/memprof.so}
PHP_FPM=${PHP_FPM:-php-fpm8.2}
NGINX=${NGINX:-nginx}
GO=${GO:-go}
PHP=${PHP:-php}
REQUESTS=${REQUESTS:-3000}
NATIVE_REQUESTS=${NATIVE_REQUESTS:-1000}
RSS_BOUND_KB=${RSS_BOUND_KB:-2048}
SECRET='s3cret-Memprof-7f2a'

PASS=0
FAIL=0
ok()     { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
diag()   { sed 's/^/#   /'; }

T=$(mktemp -d /tmp/memprof-web.XXXXXX)
FPM_PID=
NGINX_PID=
WATCHDOG_PID=

cleanup() {
	local rc=$? kids=
	[ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
	if [ -n "$FPM_PID" ] && kill -0 "$FPM_PID" 2>/dev/null; then
		kids=$(pgrep -P "$FPM_PID" 2>/dev/null | tr '\n' ' ')
		kill -TERM "$FPM_PID" 2>/dev/null     # the master stops its workers
	fi
	if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
		kill -TERM "$NGINX_PID" 2>/dev/null
	fi
	for _ in $(seq 50); do
		{ [ -z "$NGINX_PID" ] || ! kill -0 "$NGINX_PID" 2>/dev/null; } &&
		{ [ -z "$FPM_PID" ] || ! kill -0 "$FPM_PID" 2>/dev/null; } && break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	for p in $NGINX_PID $FPM_PID $kids; do
		kill -KILL "$p" 2>/dev/null
	done
	if [ "${KEEP_TMP:-}" = 1 ] || [ "$FAIL" -gt 0 ]; then
		echo "# temp dir kept: $T"
	else
		rm -rf "$T"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'FAIL=$((FAIL + 1)); echo "not ok - interrupted"; echo "$PASS passed, $FAIL failed"; exit 1' INT TERM

# Never run longer than 4 minutes, whatever hangs: stopping the servers
# makes any request in flight fail at once, then the trap cleans up.
(
	sleep "${WATCHDOG:-240}"
	echo "# watchdog: test took longer than ${WATCHDOG:-240} s"
	kill -TERM $$
	[ -s "$T/fpm.pid" ] && kill -TERM "$(cat "$T/fpm.pid")" 2>/dev/null
	[ -s "$T/nginx/nginx.pid" ] && kill -KILL "$(cat "$T/nginx/nginx.pid")" 2>/dev/null
) &
WATCHDOG_PID=$!

# ---- prerequisites ---------------------------------------------------------
for tool in "$PHP_FPM" "$NGINX" "$GO" "$PHP" curl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		not_ok "prerequisite: $tool not found (apt-get install php8.2-fpm nginx golang-go curl)"
		echo "$PASS passed, $FAIL failed"
		exit 1
	fi
done
if [ ! -f "$MEMPROF_SO" ]; then
	not_ok "prerequisite: $MEMPROF_SO not built (phpize && ./configure && make)"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi

# Six free ports on 127.0.0.1, held open together so they are distinct.
read -r P_OPEN P_SEC F_OPEN F_SEC P_SMP F_SMP < <("$PHP" -n -r '
	$s = [];
	for ($i = 0; $i < 6; $i++) { $s[] = stream_socket_server("tcp://127.0.0.1:0"); }
	echo implode(" ", array_map(fn($x) => explode(":", stream_socket_get_name($x, false))[1], $s)), "\n";')

mkdir -p "$T/www" "$T/out_open" "$T/out_sec" "$T/out_smp" "$T/nginx"

# ---- the pages ---------------------------------------------------------------
cat > "$T/www/page.php" <<'PHP'
<?php
/* A profiled request holds one str_repeat of n bytes made by a function of
 * its own, plus some churn that is freed before the end. */
function memprof_web_marker(int $n): string { return str_repeat('m', $n); }
function memprof_web_churn(): void {
    $a = [];
    for ($i = 0; $i < 300; $i++) {
        $a[] = str_repeat('c', 64 + $i) . $i;
    }
    $o = new ArrayObject($a);
    unset($a, $o);
}
$n = (int) ($_GET['n'] ?? $_POST['n'] ?? $_COOKIE['n'] ?? 0);
memprof_web_churn();
$keep = $n > 0 ? memprof_web_marker($n) : '';
header('Content-Type: text/plain');
echo 'pid=', getmypid(), ' profiling=', memprof_enabled() ? 'on' : 'off',
    ' xdebug=', extension_loaded('xdebug') ? 'yes' : 'no',
    ' jit=', function_exists('opcache_get_status') && (opcache_get_status(false)['jit']['on'] ?? false) ? 'on' : 'off',
    ' cached=', function_exists('opcache_is_script_cached') && opcache_is_script_cached(__FILE__) ? 'yes' : 'no',
    ' memprof=', function_exists('memprof_version') ? memprof_version() : 'no',
    ' len=', strlen($keep), "\n";
PHP
cat > "$T/www/slow.php" <<'PHP'
<?php
/* Runs for about `ms` milliseconds, holding more memory as it goes. */
function memprof_web_slow_grow(int $i): string { return str_repeat('s', 10000 + $i); }
$until = microtime(true) + ((int) ($_GET['ms'] ?? 1500)) / 1000;
$keep = [];
$i = 0;
while (microtime(true) < $until) {
    $keep[] = memprof_web_slow_grow($i++);
    usleep(2000);
}
echo 'pid=', getmypid(), ' profiling=', memprof_enabled() ? 'on' : 'off', ' iterations=', $i, "\n";
PHP

cat > "$T/www/leak.php" <<'PHP'
<?php
/* The "leaking" handler of the sampled pool: it holds 2 MB until its end. */
function memprof_web_leaky_handler(int $i): array {
    $a = [];
    for ($k = 0; $k < 2000; $k++) $a[] = str_repeat('L', 1000 + $i % 7);
    return $a;
}
$keep = memprof_web_leaky_handler((int) ($_GET['i'] ?? 0));
echo 'pid=', getmypid(), ' profiling=', memprof_enabled() ? 'on' : 'off', ' rate=', memprof_enabled_flags()['sample_rate'], "\n";
PHP
cat > "$T/www/light.php" <<'PHP'
<?php
function memprof_web_light_handler(): string { return str_repeat('l', 20000); }
$keep = memprof_web_light_handler();
echo 'pid=', getmypid(), ' profiling=', memprof_enabled() ? 'on' : 'off', ' rate=', memprof_enabled_flags()['sample_rate'], "\n";
PHP
cat > "$T/www/xml.php" <<'PHP'
<?php
/* libxml2 allocates a DOM document with malloc, outside the Zend heap: a
 * profile with MEMPROF_PROFILE=native holds it under [native] libxml2. */
function memprof_web_xml(int $n): DOMDocument {
    $d = new DOMDocument();
    $d->loadXML('<r>' . str_repeat('<i a="1">x</i>', $n) . '</r>');
    return $d;
}
$doc = memprof_web_xml((int) ($_GET['n'] ?? 1000));
echo 'pid=', getmypid(), ' profiling=', memprof_enabled() ? 'on' : 'off',
    ' native=', memprof_enabled_flags()['native'] ? 'on' : 'off', ' items=', $doc->documentElement->childNodes->length, "\n";
PHP

# ---- php-fpm -------------------------------------------------------------------
pool() { # name port secret-or-empty [more pool lines]
	cat <<EOF
[$1]
listen = 127.0.0.1:$2
listen.allowed_clients = 127.0.0.1
pm = static
pm.max_children = 1
pm.max_requests = 0
catch_workers_output = yes
decorate_workers_output = no
clear_env = yes
php_admin_value[memprof.output_dir] = $T/out_$1
php_admin_value[memprof.output_format] = pprof
php_admin_value[memprof.request_log] = $T/$1.log
php_admin_value[memprof.trigger_secret] = $3
php_admin_value[memory_limit] = 128M
php_admin_flag[display_errors] = off
php_admin_flag[log_errors] = on
${4:-}
EOF
}
{
	cat <<EOF
[global]
pid = $T/fpm.pid
error_log = $T/fpm.log
daemonize = no
log_level = notice
EOF
	pool open "$F_OPEN" ""
	pool sec "$F_SEC" "$SECRET"
	pool smp "$F_SMP" "" "php_admin_value[memprof.sample_rate] = 64K
php_admin_value[memprof.labels] = service:web,version:1.2"
} > "$T/fpm.conf"

# -n: no php.ini and no conf.d scan, so nothing but memprof is loaded (no
# Xdebug; opcache only with OPCACHE=1). The dump signal is PHP_INI_SYSTEM.
EXTRA=()
# dom for the native section (Debian: php8.2-xml)
"$PHP" -n -d extension=dom -r 'exit(class_exists("DOMDocument") ? 0 : 1);' 2>/dev/null && EXTRA+=(-d extension=dom)
if [ "${OPCACHE:-}" = 1 ]; then
	# file_update_protection=0: the pages were just written, and opcache
	# does not cache files younger than it (2 s by default)
	EXTRA+=(-d zend_extension=opcache -d opcache.enable=1 -d opcache.jit=tracing
		-d opcache.jit_buffer_size=32M -d opcache.validate_timestamps=0
		-d opcache.file_update_protection=0)
fi
"$PHP_FPM" -n -F -R -y "$T/fpm.conf" -p "$T" "${EXTRA[@]}" \
	-d "extension=$MEMPROF_SO" -d memprof.dump_signal=SIGUSR2 \
	> "$T/fpm.stdout" 2>&1 &
FPM_PID=$!

# ---- nginx ---------------------------------------------------------------------
server() { # listen-port fpm-port [more fastcgi_param lines]
	cat <<EOF
	server {
		listen 127.0.0.1:$1;
		server_name localhost;
		root $T/www;
		location ~ \.php\$ {
			fastcgi_pass 127.0.0.1:$2;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param SCRIPT_NAME     \$fastcgi_script_name;
			fastcgi_param QUERY_STRING    \$query_string;
			fastcgi_param REQUEST_METHOD  \$request_method;
			fastcgi_param CONTENT_TYPE    \$content_type;
			fastcgi_param CONTENT_LENGTH  \$content_length;
			fastcgi_param REQUEST_URI     \$request_uri;
			fastcgi_param DOCUMENT_URI    \$document_uri;
			fastcgi_param DOCUMENT_ROOT   \$document_root;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			fastcgi_param REMOTE_ADDR     \$remote_addr;
			fastcgi_param SERVER_ADDR     \$server_addr;
			fastcgi_param SERVER_PORT     \$server_port;
			fastcgi_param SERVER_NAME     \$server_name;
			fastcgi_param REDIRECT_STATUS 200;
			${3:-}
			fastcgi_read_timeout 30s;
		}
	}
EOF
}
{
	cat <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log notice;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/nginx/body;
	fastcgi_temp_path $T/nginx/fastcgi;
	proxy_temp_path $T/nginx/proxy;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	keepalive_requests 100000;
EOF
	server "$P_OPEN" "$F_OPEN"
	server "$P_SEC" "$F_SEC"
	# the environment variable needs no secret: whoever sets the server's owns it
	server "$P_SMP" "$F_SMP" "fastcgi_param MEMPROF_PROFILE 1;"
	echo "}"
} > "$T/nginx/nginx.conf"

"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" > "$T/nginx/stdout" 2>&1 &
NGINX_PID=$!

OPEN="http://127.0.0.1:$P_OPEN"
SEC="http://127.0.0.1:$P_SEC"
up=0
for _ in $(seq 100); do
	if curl -s -o /dev/null --max-time 2 "$OPEN/page.php" && curl -s -o /dev/null --max-time 2 "$SEC/page.php"; then
		up=1
		break
	fi
	sleep 0.1
done
if [ $up != 1 ]; then
	not_ok "php-fpm and nginx start on 127.0.0.1:$P_OPEN/$P_SEC"
	{ cat "$T/fpm.log" "$T/fpm.stdout" "$T/nginx/error.log" "$T/nginx/stdout"; } 2>/dev/null | tail -20 | diag
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
# the start-up probes are not part of what the logs are compared with
: > "$T/open.log"
: > "$T/sec.log"
ok "php-fpm ($("$PHP_FPM" -n -v | head -1 | cut -d' ' -f1-2)) and nginx ($("$NGINX" -v 2>&1 | cut -d/ -f2)) serve on 127.0.0.1"

# The log replaces the value of any parameter PHP would read as MEMPROF_SECRET.
redact() { sed -E 's/(MEMPROF_SECRET(%5B%5D)?=)[^&#]*/\1***/g' <<< "$1"; }
# Every request made is recorded as "pool<TAB>method<TAB>uri<TAB>profiling"
# (the URI as the log must show it), to compare with the request logs.
: > "$T/expected"
req() { # pool expected-profiling method path [curl args...]; prints the body
	local pool=$1 prof=$2 method=$3 path=$4
	shift 4
	local base=$OPEN
	[ "$pool" = sec ] && base=$SEC
	curl -sS --max-time 30 -X "$method" "$@" "$base$path"
	printf '%s\t%s\t%s\t%s\n' "$pool" "$method" "$(redact "$path")" "$prof" >> "$T/expected"
}
nfiles() { find "$T/out_$1" -name 'memprof.*' -type f | wc -l; }
field() { # key body
	sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"
}

B=$(req open off GET /page.php)
OPC_ON=$([ "${OPCACHE:-}" = 1 ] && echo on || echo off)
check "the page runs with memprof $(field memprof "$B") loaded and without Xdebug (opcache JIT: $(field jit "$B"), cached by opcache: $(field cached "$B"))" \
	test "$(field xdebug "$B")" = no -a "$(field memprof "$B")" != no -a "$(field jit "$B")" = "$OPC_ON" \
	-a "$(field cached "$B")" = "$([ "$OPC_ON" = on ] && echo yes || echo no)"
OPEN_PID=$(field pid "$B")
B=$(req sec off GET /page.php)
SEC_PID=$(field pid "$B")

# ---- 1. no secret configured: request triggers ignored ---------------------------
B1=$(req open off GET "/page.php?MEMPROF_PROFILE=1&n=1000")
B2=$(req open off GET "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=&n=1000")
B3=$(req open off GET "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$SECRET&n=1000")
B4=$(req open off POST /page.php -d "MEMPROF_PROFILE=1&MEMPROF_SECRET=$SECRET&n=1000")
B5=$(req open off GET /page.php -b "MEMPROF_PROFILE=1; MEMPROF_SECRET=$SECRET; n=1000")
check "no trigger_secret configured: GET/POST/cookie MEMPROF_PROFILE (with or without a secret) ignored" \
	test "$(printf '%s\n' "$B1" "$B2" "$B3" "$B4" "$B5" | grep -c 'profiling=off')" = 5
check "no trigger_secret configured: no profile written" test "$(nfiles open)" = 0

# ---- 2. secret configured, missing or wrong --------------------------------------
wrong=(
	"/page.php?MEMPROF_PROFILE=1&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=wrong&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=${SECRET%?}&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=${SECRET}x&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=${SECRET%?}X&n=1000"
	"/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET%5B%5D=$SECRET&n=1000"
	"/page.php?MEMPROF_SECRET=$SECRET&n=1000"
)
offs=0
for u in "${wrong[@]}"; do
	B=$(req sec off GET "$u")
	[ "$(field profiling "$B")" = off ] && offs=$((offs + 1))
done
B=$(req sec off POST /page.php -d "MEMPROF_PROFILE=1&MEMPROF_SECRET=nope&n=1000")
[ "$(field profiling "$B")" = off ] && offs=$((offs + 1))
B=$(req sec off GET /page.php -b "MEMPROF_PROFILE=1; MEMPROF_SECRET=${SECRET^^}; n=1000")
[ "$(field profiling "$B")" = off ] && offs=$((offs + 1))
check "secret configured: missing, empty, wrong, prefix, longer, one-byte-off, array or case-changed MEMPROF_SECRET ignored (10 requests)" \
	test "$offs" = 10
check "secret configured but not matched: no profile written" test "$(nfiles sec)" = 0

# ---- 3. the right secret: one profile per request, holding that request only ------
# pprof: alloc_objects alloc_space inuse_objects inuse_space peak_objects peak_space
# A str_repeat of n bytes asks the Zend MM for n + 32 (header, rounded, + NUL).
profile_check() { # label n file
	local label=$1 n=$2 f=$3 stacks
	if ! stacks=$("$PHP" -n "$HERE/inc/pprof_stacks.php" "$f" "$GO" 2>&1); then
		not_ok "$label: go tool pprof reads the profile"
		echo "$stacks" | diag
		return
	fi
	ok "$label: go tool pprof reads the profile"
	local want="1 $((n + 32)) 1 $((n + 32))"
	local got
	got=$(awk -F'\t' '$2 ~ /^str_repeat;memprof_web_marker;main / { split($1, v, " "); print v[1], v[2], v[3], v[4] }' <<< "$stacks")
	if [ "$got" = "$want" ]; then
		ok "$label: exactly this request's marker: 1 block of $((n + 32)) bytes, allocated and in use, under memprof_web_marker"
	else
		not_ok "$label: exactly this request's marker (want '$want' for str_repeat;memprof_web_marker, got '$got')"
		echo "$stacks" | head -20 | diag
	fi
}

before=$(nfiles sec)
B=$(req sec on GET "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$SECRET&n=300001")
check "GET with the secret: profiling on during the request" test "$(field profiling "$B")" = on
check "GET with the secret: one profile written" test "$(nfiles sec)" = $((before + 1))
F_GET=$(ls -t "$T"/out_sec/memprof.pprof.*.pb.gz 2>/dev/null | head -1)
profile_check "GET profile" 300001 "$F_GET"

B=$(req sec off GET "/page.php?n=250000")   # between two profiled requests, not profiled

before=$(nfiles sec)
B=$(req sec on POST /page.php -d "MEMPROF_PROFILE=1&MEMPROF_SECRET=$SECRET&n=300002")
check "POST with the secret: profiling on during the request" test "$(field profiling "$B")" = on
check "POST with the secret: one profile written" test "$(nfiles sec)" = $((before + 1))
F_POST=$(ls -t "$T"/out_sec/memprof.pprof.*.pb.gz | head -1)
profile_check "POST profile" 300002 "$F_POST"

before=$(nfiles sec)
B=$(req sec on GET /page.php -b "MEMPROF_PROFILE=1; MEMPROF_SECRET=$SECRET; n=300003")
check "cookie with the secret: profiling on during the request" test "$(field profiling "$B")" = on
check "cookie with the secret: one profile written" test "$(nfiles sec)" = $((before + 1))
F_COOKIE=$(ls -t "$T"/out_sec/memprof.pprof.*.pb.gz | head -1)
profile_check "cookie profile" 300003 "$F_COOKIE"

check "profiles are private files (mode 0600)" \
	test "$(stat -c %a "$F_GET" "$F_POST" "$F_COOKIE" | sort -u)" = 600
check "one worker per pool served everything so far (pids $OPEN_PID, $SEC_PID)" \
	test -n "$SEC_PID" -a "$(field pid "$(req sec off GET /page.php)")" = "$SEC_PID"

# ---- 4. dump signal in an FPM worker -----------------------------------------------
# Between requests: the worker survives and writes nothing.
before=$(nfiles sec)
kill -USR2 "$SEC_PID" 2>/dev/null
sleep 0.3
B=$(req sec off GET /page.php)
check "SIGUSR2 to an idle worker (memprof.dump_signal=SIGUSR2): worker survives, nothing written" \
	test "$(field pid "$B")" = "$SEC_PID" -a "$(nfiles sec)" = "$before"
# During a profiled request: a profile now, another at the end, request unharmed.
before=$(nfiles sec)
req sec on GET "/slow.php?ms=1500&MEMPROF_PROFILE=1&MEMPROF_SECRET=$SECRET" > "$T/slow.body" &
SLOW=$!
sleep 0.6
kill -USR2 "$SEC_PID" 2>/dev/null
wait $SLOW
SLOW_BODY=$(cat "$T/slow.body")
check "SIGUSR2 during a profiled request: the request completes ($SLOW_BODY)" \
	test "$(field pid "$SLOW_BODY")" = "$SEC_PID" -a "$(field profiling "$SLOW_BODY")" = on
check "SIGUSR2 during a profiled request: one profile at the signal, one at the end" \
	test "$(nfiles sec)" = $((before + 2))
F_SIG=$(ls -tr "$T"/out_sec/memprof.pprof.*.pb.gz | tail -2 | head -1)
if S=$("$PHP" -n "$HERE/inc/pprof_stacks.php" "$F_SIG" "$GO" 2>&1) && grep -q $'\tstr_repeat;memprof_web_slow_grow;main ' <<< "$S"; then
	ok "the signal's profile is a valid pprof holding the running request's allocations"
else
	not_ok "the signal's profile is a valid pprof holding the running request's allocations"
	echo "$S" | head | diag
fi
sleep 0.2
check "the dump is reported in the error log with its file name" \
	grep -qs "memprof: SIGUSR2: profile written to $T/out_sec/" "$T/fpm.log" "$T/nginx/error.log"

# ---- 5. thousands of requests through one worker: no growth -------------------------
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# load_urls NAME FROM TO EVERY PROFILED PLAIN: requests FROM..TO to the "sec"
# server, every EVERYth one to the URL PROFILED (the secret appended), the
# others to PLAIN; "@" in a URL is the request's number. Bodies go to
# $T/NAME.bodies, what the request log must say to $T/expected.
load_urls() {
	local name=$1 every=$4 i u p cfg="$T/$1.cfg"
	: > "$cfg"
	for ((i = $2; i <= $3; i++)); do
		if ((i % every == 0)); then
			u="${5//@/$i}&MEMPROF_SECRET=$SECRET"
			p=on
		else
			u=${6//@/$i}
			p=off
		fi
		printf 'url = "%s%s"\n' "$SEC" "$u" >> "$cfg"
		printf 'sec\tGET\t%s\t%s\n' "${u//MEMPROF_SECRET=$SECRET/MEMPROF_SECRET=***}" "$p" >> "$T/expected"  # as redact()
	done
	curl -sS --max-time 120 -K "$cfg" >> "$T/$name.bodies"
}
load() { # from to
	load_urls load "$1" "$2" 10 "/page.php?i=@&n=4000&MEMPROF_PROFILE=1" "/page.php?i=@&n=3000"
}
: > "$T/load.bodies"
before=$(nfiles sec)
t0=$(date +%s.%N)
WARM=$((REQUESTS / 6))
load 1 "$WARM"
RSS_A=$(rss_kb "$SEC_PID")
load $((WARM + 1)) "$REQUESTS"
RSS_B=$(rss_kb "$SEC_PID")
t1=$(date +%s.%N)
echo "# $REQUESTS requests in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; worker VmRSS after $WARM: ${RSS_A} kB, after $REQUESTS: ${RSS_B} kB"
check "$REQUESTS requests answered by the same worker" \
	test "$(grep -c "^pid=$SEC_PID " "$T/load.bodies")" = "$REQUESTS"
check "every 10th request profiled ($((REQUESTS / 10)) requests, $((REQUESTS / 10)) new profiles)" \
	test "$(grep -c 'profiling=on' "$T/load.bodies")" = $((REQUESTS / 10)) -a "$(nfiles sec)" = $((before + REQUESTS / 10))
GROWTH=$((${RSS_B:-0} - ${RSS_A:-999999}))
check "worker VmRSS flat between request $WARM and $REQUESTS: grew $GROWTH kB (bound $RSS_BOUND_KB kB)" \
	test -n "$RSS_A" -a -n "$RSS_B" -a "$GROWTH" -lt "$RSS_BOUND_KB"
LAST=$(ls -t "$T"/out_sec/memprof.pprof.*.pb.gz | head -1)
profile_check "last profile of the load" 4000 "$LAST"

# ---- 5b. native tracking: every other request profiled with MEMPROF_PROFILE=native -----
# The worker's malloc slots stay patched between them: no growth either way.
load_native() { # from to
	load_urls native "$1" "$2" 2 "/xml.php?j=@&n=2000&MEMPROF_PROFILE=native" "/xml.php?j=@&n=2000"
}
if grep -q 'extension=dom' <<< "${EXTRA[*]}"; then
	: > "$T/native.bodies"
	before=$(nfiles sec)
	NWARM=$((NATIVE_REQUESTS / 5))
	load_native 1 "$NWARM"
	RSS_A=$(rss_kb "$SEC_PID")
	load_native $((NWARM + 1)) "$NATIVE_REQUESTS"
	RSS_B=$(rss_kb "$SEC_PID")
	echo "# native: $NATIVE_REQUESTS requests; worker VmRSS after $NWARM: ${RSS_A} kB, after $NATIVE_REQUESTS: ${RSS_B} kB"
	check "native: $NATIVE_REQUESTS requests answered by the same worker, half of them with malloc tracked" \
		test "$(grep -c "^pid=$SEC_PID " "$T/native.bodies")" = "$NATIVE_REQUESTS" \
		-a "$(grep -c 'profiling=on native=on' "$T/native.bodies")" = $((NATIVE_REQUESTS / 2)) \
		-a "$(grep -c 'profiling=off native=off' "$T/native.bodies")" = $((NATIVE_REQUESTS - NATIVE_REQUESTS / 2))
	check "native: one profile per profiled request" test "$(nfiles sec)" = $((before + NATIVE_REQUESTS / 2))
	GROWTH=$((${RSS_B:-0} - ${RSS_A:-999999}))
	check "native: worker VmRSS flat between request $NWARM and $NATIVE_REQUESTS: grew $GROWTH kB (bound $RSS_BOUND_KB kB)" \
		test -n "$RSS_A" -a -n "$RSS_B" -a "$GROWTH" -lt "$RSS_BOUND_KB"
	LAST=$(ls -t "$T"/out_sec/memprof.pprof.*.pb.gz | head -1)
	# values: 6 totals, then 6 native (alloc_objects alloc_space inuse_objects inuse_space
	# peak_objects peak_space); the document is gone by the profile at request end (objects
	# are destroyed before modules shut down), so its allocation and peak
	if S=$("$PHP" -n "$HERE/inc/pprof_stacks.php" "$LAST" "$GO" 2>&1) \
		&& awk -F'\t' '$2 ~ /^\[native\] libxml2[^;]*;DOMDocument::loadXML;memprof_web_xml;main / { split($1, v, " "); if (v[8] >= 100000 && v[8] == v[2] && v[12] == v[6] && v[12] >= 100000) ok = 1 } END { exit !ok }' <<< "$S"; then
		ok "native: the last profile has libxml2's document under DOMDocument::loadXML (allocated, at peak), in the native sample types too"
	else
		not_ok "native: the last profile has libxml2's document under DOMDocument::loadXML (allocated, at peak), in the native sample types too"
		echo "$S" | head -20 | diag
	fi
else
	not_ok "native: dom not available to php-fpm (apt-get install php8.2-xml)"
fi

# ---- 6. request logs ----------------------------------------------------------------
for pool in open sec; do
	if ! "$PHP" -n "$HERE/inc/request_log_parse.php" "$T/$pool.log" > "$T/$pool.parsed" 2> "$T/$pool.err"; then
		not_ok "$pool request log: every line in the documented format"
		diag < "$T/$pool.err"
		continue
	fi
	ok "$pool request log: every line in the documented format ($(wc -l < "$T/$pool.log") lines)"
	pid=$OPEN_PID
	[ $pool = sec ] && pid=$SEC_PID
	awk -F'\t' -v p="$pool" '$1 == p { print $2 "\t" $3 "\t" $4 }' "$T/expected" > "$T/$pool.want"
	awk -F'\t' '{ print $2 "\t" $3 "\t" $4 }' "$T/$pool.parsed" > "$T/$pool.got"
	if cmp -s "$T/$pool.want" "$T/$pool.got"; then
		ok "$pool request log: one line per request, in order, with method, URI and profiling on/off"
	else
		not_ok "$pool request log: one line per request, in order, with method, URI and profiling on/off"
		diff "$T/$pool.want" "$T/$pool.got" | head -10 | diag
	fi
	check "$pool request log: every line from worker $pid" \
		test "$(cut -f1 "$T/$pool.parsed" | sort -u)" = "$pid"
done
check "request log: the secret never appears in it" bash -c "! grep -qF '$SECRET' '$T/sec.log' '$T/open.log'"
# the marker request (n=300001) holds ~300 kB at its end
check "request log: mem_end - mem_start of the 300001-byte request is at least 300001" \
	awk -F'\t' '$3 ~ /n=300001$/ { found = 1; if ($6 - $5 < 300001) exit 1 } END { exit !found }' "$T/sec.parsed"
RSS_LOG=$(awk -F'\t' -v w="$WARM" -v r="$REQUESTS" '$3 ~ /[?&]i=/ { n++; if (n == w) a = $9; if (n == r) b = $9 } END { print int((b - a) / 1024) }' "$T/sec.parsed")
echo "# rss_end growth between request $WARM and $REQUESTS of the load, from the request log: $RSS_LOG kB"
check "request log: rss_end flat over the load too ($RSS_LOG kB)" test "$RSS_LOG" -lt "$RSS_BOUND_KB"

# ---- 7. sampled mode: a labelled profile per request, merged ------------------------
SMP="http://127.0.0.1:$P_SMP"
SMP_REQUESTS=${SMP_REQUESTS:-2000}
smp_load() { # from to: every 4th request to the leaking handler; a token in
	# the query string, which must never reach a label
	local i page cfg="$T/smp.cfg"
	: > "$cfg"
	for ((i = $1; i <= $2; i++)); do
		if ((i % 4 == 0)); then page=leak; else page=light; fi
		printf 'url = "%s/%s.php?i=%d&token=t0ken-%d"\n' "$SMP" "$page" "$i" "$i" >> "$cfg"
	done
	curl -sS --max-time 120 -K "$cfg" >> "$T/smp.bodies"
}
: > "$T/smp.bodies"
SMP_WARM=$((SMP_REQUESTS / 6))
smp_load 1 "$SMP_WARM"
SMP_PID=$(field pid "$(head -1 "$T/smp.bodies")")
SMP_RSS_A=$(rss_kb "$SMP_PID")
smp_load $((SMP_WARM + 1)) "$SMP_REQUESTS"
SMP_RSS_B=$(rss_kb "$SMP_PID")
check "sampled pool: $SMP_REQUESTS requests, each profiled at 64 KiB by the same worker" \
	test "$(grep -c "^pid=$SMP_PID profiling=on rate=65536$" "$T/smp.bodies")" = "$SMP_REQUESTS"
check "sampled pool: one profile per request ($(nfiles smp) files)" test "$(nfiles smp)" = "$SMP_REQUESTS"
SMP_GROWTH=$((${SMP_RSS_B:-0} - ${SMP_RSS_A:-999999}))
echo "# sampled pool: worker VmRSS after $SMP_WARM requests: ${SMP_RSS_A} kB, after $SMP_REQUESTS: ${SMP_RSS_B} kB"
check "sampled pool: worker VmRSS flat over the load: grew $SMP_GROWTH kB (bound $RSS_BOUND_KB kB)" \
	test -n "$SMP_RSS_A" -a -n "$SMP_RSS_B" -a "$SMP_GROWTH" -lt "$RSS_BOUND_KB"
# go tool pprof merges the profiles it is given; -proto writes the merged one
"$GO" tool pprof -proto "$T"/out_smp/memprof.pprof.*.pb.gz > "$T/smp.merged.pb.gz" 2> "$T/smp.merge.err"
"$GO" tool pprof -top -cum -nodecount=4 "$T/smp.merged.pb.gz" > "$T/smp.top" 2>&1
check "sampled pool, merged: the leaking handler is on top (after main)" \
	grep -q 'memprof_web_leaky_handler' "$T/smp.top"
"$GO" tool pprof -raw "$T/smp.merged.pb.gz" > "$T/smp.raw" 2>&1
check "sampled pool: the profiles say they are sampled (period 65536)" grep -q '^Period: 65536$' "$T/smp.raw"
check "sampled pool: samples carry labels (method, pid, sapi, script, service, uri path, version)" \
	grep -Eq "method:\[GET\] pid:\[$SMP_PID\] sapi:\[fpm-fcgi\] script:\[[^]]*/leak.php\] service:\[web\] uri:\[/leak.php\] version:\[1.2\]" "$T/smp.raw"
check "sampled pool: no query string in a label" bash -c "! grep -q 't0ken-' '$T/smp.raw'"
"$GO" tool pprof -top -tagfocus=uri=/leak.php "$T/smp.merged.pb.gz" > "$T/smp.leak" 2>&1
check "sampled pool: -tagfocus=uri=/leak.php keeps the leaking handler and drops the light one" \
	bash -c "grep -q memprof_web_leaky_handler '$T/smp.leak' && ! grep -q memprof_web_light_handler '$T/smp.leak'"

# ---- 8. nothing went wrong on the server side -------------------------------------
BAD='exited on signal|SIGSEGV|core dumped|zend_mm_heap corrupted|Allowed memory size|PHP (Fatal error|Warning)'
if grep -Eiq "$BAD" "$T/fpm.log" "$T/nginx/error.log" 2>/dev/null; then
	not_ok "php-fpm and nginx logs: no worker died, no PHP warning or memory error"
	grep -Ehi "$BAD" "$T/fpm.log" "$T/nginx/error.log" | head -5 | diag
else
	ok "php-fpm and nginx logs: no worker died, no PHP warning or memory error"
fi
check "the workers are the ones that started (no respawn)" \
	test "$(field pid "$(req open off GET /page.php)")" = "$OPEN_PID" -a "$(field pid "$(req sec off GET /page.php)")" = "$SEC_PID"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
