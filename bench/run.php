<?php
/*
 * memprof benchmark harness.
 *
 *   php bench/run.php [--runs N] [--size tiny|small|full] [--ext PATH] [--only NAME[,NAME…]]
 *                     [--opcache] [--jit] [--trigger env|call] [--warmup N] [--no-off]
 *                     [--sample-rate BYTES]
 *                     [--json FILE] [--php PATH] [--timeout SEC] [--check] [--verbose]
 *
 * For each workload in bench/workloads/ it runs, interleaved round by round:
 *   plain  : php -n <base>                                   (extension not loaded)
 *   on     : php -n <base> -d extension=EXT  MEMPROF_PROFILE=1 (--native: =native), memprof.output_dir=<tmp>
 *   off    : php -n <base> -d extension=EXT                  (loaded, profiling off)
 * where <base> = -d memory_limit=-1 plus the shared extensions the workloads need
 * (tokenizer, mbstring, ctype, iconv), and optionally opcache (--opcache/--jit).
 *
 * Each workload times only its own work with hrtime() and reads VmRSS/VmHWM from
 * /proc/self/status before (with profiling on) calling memprof_dump_array() to
 * count live blocks; see workloads/_common.php. So process start-up, input
 * generation and the profile written at exit are all outside the time.
 *
 * The Markdown report goes to stdout, progress to stderr.
 */

declare(strict_types=1);

const BENCH_DIR = __DIR__;
const WORKLOADS = ['parser', 'markdown', 'calls', 'churn', 'xml'];
// the SPEC's budgets are over these; xml is for native tracking (--native)
const DEFAULT_WORKLOADS = ['parser', 'markdown', 'calls', 'churn'];
const BASE_EXTENSIONS = ['tokenizer', 'mbstring', 'ctype', 'iconv'];
// more shared extensions, for one workload only (every side of it)
const WORKLOAD_EXTENSIONS = ['xml' => ['dom', 'xmlreader']];

// Budgets from SPEC.md "Performance budgets".
const BUDGET_GEOMEAN = 1.35;
const BUDGET_SAMPLED = 1.05;
const BUDGET_WORST = 2.0;
const BUDGET_BYTES_PER_BLOCK = 16.0;
// "Loaded but off: no measurable cost": the loaded-off / not-loaded geomean
// must be within the measurement noise: at most 1 + max(3%, 2 x the median
// run-to-run spread (MAD) of this run). On a quiet machine that is 1.03x; on a
// shared VM, whose speed drifts by 10% and more, the limit widens and says so.
const BUDGET_OFF_FLOOR = 0.03;
// Bytes/block is only meaningful where live blocks dominate fixed costs.
const MIN_BLOCKS_FOR_BUDGET = 100_000;

exit(main($argv));

// ---------------------------------------------------------------------------

function usage(): string
{
    return <<<TXT
usage: php bench/run.php [options]

  --runs N          measured rounds per workload (median is reported; default 5, contract: >= 5)
  --size S          tiny | small | full (default full; tiny is the CI smoke, < 60 s)
  --ext PATH        memprof.so to load (default <repo>/modules/memprof.so)
  --only NAMES      comma-separated workloads (default: all of: parser,markdown,calls,churn)
  --opcache         run every side with opcache enabled (-d zend_extension=opcache)
  --jit             like --opcache, plus the tracing JIT
  --native          profile native (malloc) allocations too: MEMPROF_PROFILE=native
                    (memprof_enable('native') with --trigger call); the "off" side then has
                    the malloc slots patched (memprof_enable('native') then memprof_disable())
  --trigger T       env  : MEMPROF_PROFILE=1 in the environment (default, what users do)
                    call : the workload calls memprof_enable() first (BENCH_PROFILE=1)
  --warmup N        discarded warm-up rounds per workload (default 1)
  --no-off          skip the "loaded but off" side
  --sample-rate R   profile in sampled mode (memprof.sample_rate=R, e.g. 512K); budget 1.05x
  --json FILE       also write all raw measurements as JSON
  --php PATH        PHP binary for the workloads (default: this PHP)
  --timeout SEC     kill a workload run after SEC seconds (default 600)
  --check           exit 1 if a budget fails
  --verbose         print every run's numbers (stderr)
  -h, --help

exit status: 0 ok, 1 budget failed (--check), 2 usage, 3 extension missing or not loadable,
             4 a workload failed or gave different results with and without profiling

TXT;
}

function fail_usage(string $msg): int
{
    fwrite(STDERR, "run.php: $msg\n\n" . usage());
    return 2;
}

function parse_args(array $argv): array|string
{
    $o = [
        'runs' => 5,
        'size' => 'full',
        'ext' => dirname(BENCH_DIR) . '/modules/memprof.so',
        'only' => DEFAULT_WORKLOADS,
        'native' => false,
        'opcache' => false,
        'jit' => false,
        'trigger' => 'env',
        'sample_rate' => null,
        'warmup' => 1,
        'off' => true,
        'json' => null,
        'php' => PHP_BINARY,
        'timeout' => 600,
        'check' => false,
        'verbose' => false,
    ];
    $args = array_slice($argv, 1);
    $need = function (string $name) use (&$args): string {
        if (!$args) {
            throw new InvalidArgumentException("$name needs a value");
        }
        return array_shift($args);
    };
    try {
        while ($args) {
            $a = array_shift($args);
            if (str_starts_with($a, '--') && str_contains($a, '=')) {
                [$a, $v] = explode('=', $a, 2);
                array_unshift($args, $v);
            }
            switch ($a) {
                case '--runs':
                    $v = $need($a);
                    if (!preg_match('/^[0-9]+$/', $v) || (int) $v < 1) {
                        return "--runs must be a positive integer";
                    }
                    $o['runs'] = (int) $v;
                    break;
                case '--size':
                    $o['size'] = $need($a);
                    if (!in_array($o['size'], ['tiny', 'small', 'full'], true)) {
                        return "--size must be tiny, small or full";
                    }
                    break;
                case '--ext':
                    $o['ext'] = $need($a);
                    break;
                case '--only':
                    $names = array_values(array_filter(array_map('trim', explode(',', $need($a)))));
                    foreach ($names as $n) {
                        if (!in_array($n, WORKLOADS, true)) {
                            return "unknown workload '$n' (have: " . implode(', ', WORKLOADS) . ")";
                        }
                    }
                    if (!$names) {
                        return "--only needs at least one workload";
                    }
                    $o['only'] = $names;
                    break;
                case '--opcache':
                    $o['opcache'] = true;
                    break;
                case '--native':
                    $o['native'] = true;
                    if ($o['sample_rate'] !== null) {
                        return "--sample-rate and --native do not go together: native tracking is exact only";
                    }
                    break;
                case '--jit':
                    $o['opcache'] = true;
                    $o['jit'] = true;
                    break;
                case '--trigger':
                    $o['trigger'] = $need($a);
                    if (!in_array($o['trigger'], ['env', 'call'], true)) {
                        return "--trigger must be env or call";
                    }
                    break;
                case '--warmup':
                    $v = $need($a);
                    if (!preg_match('/^[0-9]+$/', $v)) {
                        return "--warmup must be a non-negative integer";
                    }
                    $o['warmup'] = (int) $v;
                    break;
                case '--sample-rate':
                    $o['sample_rate'] = $need($a);
                    if (!preg_match('/^[1-9]\d*[kKmMgG]?$/', $o['sample_rate'])) {
                        fwrite(STDERR, "--sample-rate: bytes, e.g. 524288 or 512K\n");
                        exit(2);
                    }
                    if ($o['native']) {
                        return "--sample-rate and --native do not go together: native tracking is exact only";
                    }
                    break;
                case '--no-off':
                    $o['off'] = false;
                    break;
                case '--json':
                    $o['json'] = $need($a);
                    break;
                case '--php':
                    $o['php'] = $need($a);
                    break;
                case '--timeout':
                    $v = $need($a);
                    if (!preg_match('/^[0-9]+$/', $v) || (int) $v < 1) {
                        return "--timeout must be a positive integer";
                    }
                    $o['timeout'] = (int) $v;
                    break;
                case '--check':
                    $o['check'] = true;
                    break;
                case '--verbose':
                case '-v':
                    $o['verbose'] = true;
                    break;
                case '-h':
                case '--help':
                    return 'help';
                default:
                    return "unknown option '$a'";
            }
        }
    } catch (InvalidArgumentException $e) {
        return $e->getMessage();
    }
    return $o;
}

function progress(string $msg): void
{
    fwrite(STDERR, $msg);
}

// --- temp dir (profiles written at exit by MEMPROF_PROFILE=1 land here) -----

function make_tmp_dir(): string
{
    $base = rtrim(sys_get_temp_dir(), '/');
    for ($i = 0; $i < 100; $i++) {
        $d = sprintf('%s/memprof-bench-%d-%s', $base, getmypid(), bin2hex(random_bytes(4)));
        if (@mkdir($d, 0700)) {
            return $d;
        }
    }
    throw new RuntimeException("cannot create a temp dir under $base");
}

function rm_tree(string $dir): void
{
    if (!is_dir($dir) || is_link($dir)) {
        @unlink($dir);
        return;
    }
    foreach (scandir($dir) ?: [] as $e) {
        if ($e !== '.' && $e !== '..') {
            rm_tree("$dir/$e");
        }
    }
    @rmdir($dir);
}

/** Files in $dir (names => sizes); removes them. */
function drain_dir(string $dir): array
{
    $out = [];
    foreach (scandir($dir) ?: [] as $e) {
        if ($e === '.' || $e === '..') {
            continue;
        }
        $p = "$dir/$e";
        if (is_dir($p) && !is_link($p)) {
            rm_tree($p);
            continue;
        }
        $out[$e] = (int) @filesize($p);
        @unlink($p);
    }
    return $out;
}

// --- running a child ----------------------------------------------------

/**
 * Run $cmd (argv array) with $env; stdout/stderr go to files so neither pipe can
 * fill up. Returns [exit code (or -1 on timeout), stdout, stderr, wall ns].
 */
function run_child(array $cmd, array $env, string $tmp, int $timeout): array
{
    $out = "$tmp/.stdout";
    $err = "$tmp/.stderr";
    $desc = [0 => ['file', '/dev/null', 'r'], 1 => ['file', $out, 'w'], 2 => ['file', $err, 'w']];
    $t0 = hrtime(true);
    $p = proc_open($cmd, $desc, $pipes, null, $env);
    if (!is_resource($p)) {
        return [-2, '', 'proc_open failed', 0];
    }
    $code = null;
    $deadline = $t0 + $timeout * 1_000_000_000;
    while (true) {
        $st = proc_get_status($p);
        if (!$st['running']) {
            $code = $st['exitcode'];
            if ($st['signaled']) {
                $code = 128 + $st['termsig'];
            }
            break;
        }
        if (hrtime(true) > $deadline) {
            proc_terminate($p, 9);
            $code = -1;
            break;
        }
        usleep(5_000);
    }
    $wall = hrtime(true) - $t0;
    proc_close($p);
    $stdout = (string) @file_get_contents($out);
    $stderr = (string) @file_get_contents($err);
    @unlink($out);
    @unlink($err);
    return [$code, $stdout, $stderr, $wall];
}

/** key=value pairs of every "BENCH …" line, merged. */
function parse_bench(string $stdout): array
{
    $r = [];
    foreach (explode("\n", $stdout) as $line) {
        if (!str_starts_with($line, 'BENCH ')) {
            continue;
        }
        foreach (preg_split('/\s+/', trim(substr($line, 6))) as $kv) {
            if (str_contains($kv, '=')) {
                [$k, $v] = explode('=', $kv, 2);
                $r[$k] = $v;
            }
        }
    }
    return $r;
}

function base_args(array $o, ?string $workload = null): array
{
    $a = [$o['php'], '-n', '-d', 'memory_limit=-1', '-d', 'display_errors=stderr', '-d', 'error_reporting=-1'];
    foreach ([...BASE_EXTENSIONS, ...(WORKLOAD_EXTENSIONS[$workload] ?? [])] as $e) {
        $a[] = '-d';
        $a[] = "extension=$e";
    }
    if ($o['opcache']) {
        // file_update_protection=0: opcache does not cache files younger than
        // it, and a fresh checkout's are
        array_push($a, '-d', 'zend_extension=opcache', '-d', 'opcache.enable_cli=1', '-d', 'opcache.file_update_protection=0');
        if ($o['jit']) {
            array_push($a, '-d', 'opcache.jit=tracing', '-d', 'opcache.jit_buffer_size=64M');
        } else {
            array_push($a, '-d', 'opcache.jit=off');
        }
    }
    return $a;
}

function child_env(): array
{
    $env = getenv();
    foreach (array_keys($env) as $k) {
        if ($k === 'MEMPROF_PROFILE' || $k === 'BENCH_PROFILE' || $k === 'BENCH_SIZE' || $k === 'BENCH_NATIVE_PATCHED'
                || str_starts_with($k, 'XDEBUG_')) {
            unset($env[$k]);
        }
    }
    return $env;
}

/** argv + env for one side. */
function side_cmd(string $side, string $workload, array $o, string $tmp): array
{
    $cmd = base_args($o, $workload);
    $env = child_env();
    if ($side !== 'plain') {
        array_push($cmd, '-d', 'extension=' . $o['ext_load']);
    }
    if ($side === 'on') {
        array_push($cmd, '-d', 'memprof.output_dir=' . "$tmp/out");
        if ($o['sample_rate'] !== null) {
            array_push($cmd, '-d', 'memprof.sample_rate=' . $o['sample_rate']);
        }
        $flags = $o['native'] ? 'native' : '1';
        if ($o['trigger'] === 'env') {
            $env['MEMPROF_PROFILE'] = $flags;
        } else {
            $env['BENCH_PROFILE'] = $flags;
        }
    } elseif ($side === 'off' && $o['native']) {
        $env['BENCH_NATIVE_PATCHED'] = '1'; // slots patched, profiling off
    }
    $cmd[] = BENCH_DIR . "/workloads/$workload.php";
    $cmd[] = $o['size'];
    return [$cmd, $env];
}

function shell_line(array $cmd, array $env = []): string
{
    $pre = '';
    foreach (['MEMPROF_PROFILE', 'BENCH_PROFILE', 'BENCH_NATIVE_PATCHED'] as $k) {
        if (isset($env[$k])) {
            $pre .= "$k=" . escapeshellarg($env[$k]) . ' ';
        }
    }
    return $pre . implode(' ', array_map(
        fn ($a) => preg_match('/^[A-Za-z0-9_\/.=,:+-]+$/', $a) ? $a : escapeshellarg($a),
        $cmd
    ));
}

// --- extension probe -------------------------------------------------------

/** null if usable, else a message; fills $info with version etc. */
function probe_extension(array $o, string $tmp, array &$info): ?string
{
    $ext = $o['ext'];
    if (!file_exists($ext)) {
        return "memprof extension not found at $ext\n"
            . "  Build it first, in the repo root: phpize && ./configure && make\n"
            . "  (or point --ext at a built memprof.so). Only the plain-PHP side was measured.";
    }
    // Run a snapshot, so that a rebuild of the .so during the benchmark
    // cannot mix two builds in one table.
    $snap = "$tmp/memprof.so";
    if (!@copy($ext, $snap)) {
        return "cannot copy $ext to $snap";
    }
    $info['ext_load'] = $snap;
    $info['ext_sha256'] = hash_file('sha256', $snap);
    $ext = $snap;
    $outDir = "$tmp/out";
    $code = 'echo json_encode(["loaded" => extension_loaded("memprof"),'
        . ' "version" => function_exists("memprof_version") ? memprof_version() : phpversion("memprof"),'
        . ' "dump_array" => function_exists("memprof_dump_array"),'
        . ' "enabled" => function_exists("memprof_enabled") && memprof_enabled()]);';
    $cmd = array_merge(base_args($o), ['-d', "extension=$ext", '-d', "memprof.output_dir=$outDir", '-r', $code]);
    $env = child_env();
    [$rc, $out, $err] = run_child($cmd, $env, $tmp, 60);
    $j = json_decode(trim($out), true);
    if ($rc !== 0 || !is_array($j) || !$j['loaded']) {
        return "memprof extension at $ext could not be loaded (exit $rc):\n  " . trim($err . "\n" . $out)
            . "\n  command: " . shell_line($cmd);
    }
    if (!$j['dump_array']) {
        return "memprof extension at $ext has no memprof_dump_array()";
    }
    $info['version'] = (string) $j['version'];

    // Does MEMPROF_PROFILE=1 turn profiling on (and write a profile at exit)?
    if ($o['trigger'] === 'env') {
        $env['MEMPROF_PROFILE'] = '1';
        [$rc, $out, $err] = run_child($cmd, $env, $tmp, 60);
        $j = json_decode(trim($out), true);
        $files = drain_dir($outDir);
        if ($rc !== 0 || !is_array($j) || !$j['enabled']) {
            return "MEMPROF_PROFILE=1 did not turn profiling on (exit $rc): " . trim($err . "\n" . $out);
        }
        $info['probe_profile_files'] = $files;
        if (!$files) {
            $info['warnings'][] = "MEMPROF_PROFILE=1 wrote no profile file to memprof.output_dir ($outDir).";
        }
        if (trim($err) !== '') {
            $info['warnings'][] = 'stderr with MEMPROF_PROFILE=1: ' . trim($err);
        }
    }
    return null;
}

// --- statistics ------------------------------------------------------------

function median(array $xs): ?float
{
    $xs = array_values(array_filter($xs, fn ($x) => $x !== null));
    if (!$xs) {
        return null;
    }
    sort($xs);
    $n = count($xs);
    return $n % 2 ? (float) $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2.0;
}

/** Median absolute deviation relative to the median, in percent. */
function mad_pct(array $xs): ?float
{
    $m = median($xs);
    if ($m === null || $m == 0.0 || count($xs) < 2) {
        return null;
    }
    return 100.0 * median(array_map(fn ($x) => abs($x - $m), $xs)) / $m;
}

function geomean(array $xs): ?float
{
    $xs = array_values(array_filter($xs, fn ($x) => $x !== null && $x > 0));
    if (!$xs) {
        return null;
    }
    return exp(array_sum(array_map('log', $xs)) / count($xs));
}

/** Per-round ratios $side time / plain time, over the rounds both succeeded. */
function paired_ratios(array $bySide, string $side): array
{
    $plain = [];
    foreach ($bySide['plain'] ?? [] as $r) {
        $plain[$r['round']] = (float) $r['time_ns'];
    }
    $out = [];
    foreach ($bySide[$side] ?? [] as $r) {
        if (!empty($plain[$r['round']])) {
            $out[] = (float) $r['time_ns'] / $plain[$r['round']];
        }
    }
    return $out;
}

function col(array $runs, string $key): array
{
    return array_map(fn ($r) => isset($r[$key]) ? (float) $r[$key] : null, $runs);
}

// --- formatting ------------------------------------------------------------

function fms(?float $ns, ?float $mad = null): string
{
    if ($ns === null) {
        return '—';
    }
    $s = number_format($ns / 1e6, 1) . ' ms';
    if ($mad !== null) {
        $s .= sprintf(' ±%.1f%%', $mad);
    }
    return $s;
}

function fmib(?float $kb): string
{
    return $kb === null ? '—' : number_format($kb / 1024, 1) . ' MiB';
}

function fx(?float $r): string
{
    return $r === null ? '—' : sprintf('%.3fx', $r);
}

function pf(bool $ok): string
{
    return $ok ? '**PASS**' : '**FAIL**';
}

function md_table(array $head, array $align, array $rows): string
{
    $s = '| ' . implode(' | ', $head) . " |\n|";
    foreach ($align as $a) {
        $s .= $a === 'r' ? '---:|' : '---|';
    }
    $s .= "\n";
    foreach ($rows as $r) {
        $s .= '| ' . implode(' | ', $r) . " |\n";
    }
    return $s;
}

function cpu_model(): string
{
    $c = @file_get_contents('/proc/cpuinfo') ?: '';
    $n = preg_match_all('/^processor\s*:/m', $c);
    return preg_match('/^model name\s*:\s*(.+)$/m', $c, $m) ? trim($m[1]) . " ×$n" : "? ×$n";
}

// --- main ----------------------------------------------------------------

function main(array $argv): int
{
    $o = parse_args($argv);
    if ($o === 'help') {
        echo usage();
        return 0;
    }
    if (is_string($o)) {
        return fail_usage($o);
    }

    if (file_exists($o['ext'])) {
        $o['ext'] = realpath($o['ext']);
    }
    $tmp = make_tmp_dir();
    mkdir("$tmp/out", 0700);
    register_shutdown_function(fn () => rm_tree($tmp));
    if (function_exists('pcntl_async_signals')) {
        pcntl_async_signals(true);
        foreach ([SIGINT, SIGTERM] as $sig) {
            pcntl_signal($sig, function () use ($tmp) {
                rm_tree($tmp);
                fwrite(STDERR, "\ninterrupted\n");
                exit(130);
            });
        }
    }

    $started = hrtime(true);
    $info = ['warnings' => []];
    $verRc = run_child([$o['php'], '-n', '-r', 'echo PHP_VERSION;'], child_env(), $tmp, 60);
    $info['php'] = trim($verRc[1]) ?: '?';

    $extMsg = probe_extension($o, $tmp, $info);
    $haveExt = $extMsg === null;
    $o['ext_load'] = $info['ext_load'] ?? $o['ext'];
    if (!$haveExt) {
        fwrite(STDERR, "\n*** $extMsg\n\n");
    }

    $sides = $haveExt ? ($o['off'] ? ['plain', 'on', 'off'] : ['plain', 'on']) : ['plain'];
    $results = [];   // [workload][side] => list of parsed runs
    $failures = [];
    $profileSizes = [];

    foreach ($o['only'] as $w) {
        $results[$w] = array_fill_keys($sides, []);
        $total = $o['warmup'] + $o['runs'];
        progress(sprintf("%-9s", $w));
        for ($round = 0; $round < $total; $round++) {
            $measured = $round >= $o['warmup'];
            // rotate the order each round so no side always runs first (A,B,C / B,C,A / …)
            $k = count($sides);
            $order = [];
            for ($i = 0; $i < $k; $i++) {
                $order[] = $sides[($i + $round) % $k];
            }
            foreach ($order as $side) {
                [$cmd, $env] = side_cmd($side, $w, $o, $tmp);
                drain_dir("$tmp/out");
                [$rc, $out, $err, $wall] = run_child($cmd, $env, $tmp, $o['timeout']);
                $files = drain_dir("$tmp/out");
                $r = parse_bench($out);
                $r['wall_ns'] = $wall;
                $problem = null;
                if ($rc !== 0) {
                    $problem = $rc === -1 ? "timed out after {$o['timeout']} s" : "exit status $rc";
                } elseif (!isset($r['time_ns'])) {
                    $problem = 'no BENCH line on stdout';
                } elseif ($side === 'on' && ($r['profiling'] ?? '0') !== '1') {
                    $problem = 'profiling was not on';
                } elseif ($o['native'] && $side !== 'plain' && ($r['native'] ?? '0') !== ($side === 'on' ? '1' : 'patched')) {
                    $problem = $side === 'on' ? 'native tracking was not on' : 'the malloc slots were not patched';
                } elseif ($side === 'on' && !isset($r['live_blocks'])) {
                    $problem = 'no live_blocks line after memprof_dump_array()';
                } elseif ($side !== 'on' && ($r['profiling'] ?? '0') !== '0') {
                    $problem = 'profiling was on but should not be';
                } elseif (($r['opcache_cached'] ?? '0') !== ($o['opcache'] ? '1' : '0')) {
                    $problem = $o['opcache'] ? 'opcache did not cache the workload' : 'opcache cached the workload';
                } elseif (($r['jit'] ?? '0') !== ($o['jit'] ? '1' : '0')) {
                    $problem = $o['jit'] ? 'the JIT was not on' : 'the JIT was on';
                }
                if ($problem !== null) {
                    $failures[] = "$w/$side: $problem\n  command: " . shell_line($cmd, $env)
                        . ($err !== '' ? "\n  stderr: " . trim(substr($err, 0, 4000)) : '');
                    progress('!');
                    continue;
                }
                if ($side === 'on' && $o['trigger'] === 'env') {
                    $profileSizes[$w][] = array_sum($files);
                    if (!$files) {
                        $info['warnings']['nofile'] = 'A MEMPROF_PROFILE=1 run wrote no profile file at exit.';
                    }
                }
                if (trim($err) !== '') {
                    $info['warnings']["stderr-$w-$side"] = "$w/$side wrote to stderr: " . trim(substr($err, 0, 500));
                }
                if ($o['verbose']) {
                    progress(sprintf(
                        "\n  %s round %d %-5s time=%s rss=%s hwm=%s%s",
                        $measured ? 'run   ' : 'warmup',
                        $round + 1,
                        $side,
                        fms((float) $r['time_ns']),
                        fmib((float) $r['rss_before_dump_kb']),
                        fmib((float) $r['hwm_before_dump_kb']),
                        isset($r['live_blocks']) ? ' live_blocks=' . $r['live_blocks'] : ''
                    ));
                } else {
                    progress($measured ? '.' : 'w');
                }
                if ($measured) {
                    $r['round'] = $round;
                    $results[$w][$side][] = $r;
                }
            }
        }
        progress("\n");
    }
    $elapsed = (hrtime(true) - $started) / 1e9;

    // Same results in every side?
    foreach ($results as $w => $bySide) {
        $checks = [];
        foreach ($bySide as $side => $runs) {
            foreach ($runs as $r) {
                $checks[$r['check'] ?? ''][] = $side;
            }
        }
        if (count($checks) > 1) {
            $desc = [];
            foreach ($checks as $c => $s) {
                $desc[] = "$c (" . implode(',', array_unique($s)) . ')';
            }
            $failures[] = "$w: results differ between runs: " . implode(' vs ', $desc);
        }
    }

    // ---- summarise ----
    $sum = [];
    foreach ($results as $w => $bySide) {
        $row = [];
        foreach ($bySide as $side => $runs) {
            $times = col($runs, 'time_ns');
            $row[$side] = [
                'n' => count($runs),
                'time' => median($times),
                'min' => $times ? min($times) : null,
                'mad' => mad_pct(col($runs, 'time_ns')),
                'rss' => median(col($runs, 'rss_before_dump_kb')),
                'hwm' => median(col($runs, 'hwm_before_dump_kb')),
                'wall' => median(col($runs, 'wall_ns')),
                'blocks' => median(col($runs, 'live_blocks')),
                'bytes' => median(col($runs, 'live_bytes')),
                'dump' => median(col($runs, 'dump_ns')),
                'check' => $runs[0]['check'] ?? '',
            ];
        }
        $p = $row['plain'];
        if (isset($row['on']) && $p['time'] && $row['on']['time']) {
            $row['ratio_on'] = $row['on']['time'] / $p['time'];
            $row['paired_on'] = median(paired_ratios($bySide, 'on'));
            $row['min_ratio_on'] = $row['on']['min'] / $p['min'];
            if ($row['on']['blocks']) {
                $row['per_block'] = ($row['on']['rss'] - $p['rss']) * 1024 / $row['on']['blocks'];
                $row['per_block_peak'] = ($row['on']['hwm'] - $p['hwm']) * 1024 / $row['on']['blocks'];
            }
        }
        if (isset($row['off']) && $p['time'] && $row['off']['time']) {
            $row['ratio_off'] = $row['off']['time'] / $p['time'];
            $row['paired_off'] = median(paired_ratios($bySide, 'off'));
            $row['min_ratio_off'] = $row['off']['min'] / $p['min'];
        }
        $sum[$w] = $row;
    }

    $mads = [];
    foreach ($sum as $row) {
        foreach (['plain', 'on', 'off'] as $side) {
            if (isset($row[$side]['mad'])) {
                $mads[] = $row[$side]['mad'];
            }
        }
    }
    $noise = median($mads) ?? 0.0;
    if ($noise > 5.0) {
        $info['warnings']['noise'] = sprintf(
            'The machine was noisy: median run-to-run spread %.1f%%. Ratios near a limit are uncertain; compare the paired ratios, or rerun with more --runs.',
            $noise
        );
    }

    // ---- report ----
    $opc = $o['jit'] ? 'on, tracing JIT' : ($o['opcache'] ? 'on, JIT off' : 'off');
    $md = "## memprof benchmark\n\n";
    $md .= sprintf(
        "- PHP %s, %s, Linux %s; opcache %s\n- extension: %s\n- size `%s`, %d measured run%s per side (median; ±MAD), %d warm-up round%s, sides interleaved round by round; trigger: %s\n- time = the workload's own `hrtime()` around its work (excludes start-up, input generation, `memprof_dump_array()` and the profile written at exit); RSS read from /proc/self/status before the dump\n- command: `php bench/run.php %s`; total harness time %.1f s\n\n",
        $info['php'],
        cpu_model(),
        php_uname('r'),
        $opc,
        $haveExt ? '`' . $o['ext'] . '`' . (isset($info['version']) ? ' (memprof ' . $info['version'] . ', sha256 ' . substr($info['ext_sha256'], 0, 12) . ')' : '') : '**not available** — plain PHP only',
        $o['size'],
        $o['runs'],
        $o['runs'] === 1 ? '' : 's',
        $o['warmup'],
        $o['warmup'] === 1 ? '' : 's',
        ($o['trigger'] === 'env' ? '`MEMPROF_PROFILE=1` (so memprof.observer=auto takes the call observer)' : '`memprof_enable()` at script start (memprof.observer=auto, no MEMPROF_PROFILE at startup: stack walks, no call observer)')
            . ($o['native'] ? '; **native**: `MEMPROF_PROFILE=native` / `memprof_enable(\'native\')`, and the "loaded, off" side has the malloc slots patched' : ''),
        implode(' ', array_slice($argv, 1)),
        $elapsed
    );
    if ($o['runs'] < 5) {
        $md .= "> Fewer than 5 runs: indicative only, not a budget measurement.\n\n";
    }
    if ($o['size'] !== 'full') {
        $md .= "> Size `{$o['size']}`: short runs, dominated by fixed costs; budgets are measured with `--size full`.\n\n";
    }

    if (!$haveExt) {
        $rows = [];
        foreach ($sum as $w => $row) {
            $rows[] = [$w, fms($row['plain']['time'], $row['plain']['mad']), fmib($row['plain']['hwm'])];
        }
        $md .= "### Plain PHP only (extension not available)\n\n";
        $md .= md_table(['workload', 'plain time', 'plain peak RSS'], ['l', 'r', 'r'], $rows);
        $md .= "\n" . str_replace("\n", "\n> ", '> ' . $extMsg) . "\n";
    } else {
        // profiling on vs plain
        $rows = [];
        $ratios = [];
        foreach ($sum as $w => $row) {
            $pb = $row['per_block'] ?? null;
            $few = ($row['on']['blocks'] ?? 0) < MIN_BLOCKS_FOR_BUDGET;
            $ratios[$w] = $row['ratio_on'] ?? null;
            $rows[] = [
                $w,
                fms($row['plain']['time'], $row['plain']['mad']),
                fms($row['on']['time'] ?? null, $row['on']['mad'] ?? null),
                fx($row['ratio_on'] ?? null),
                fx($row['paired_on'] ?? null),
                fmib($row['plain']['hwm']),
                fmib($row['on']['hwm'] ?? null),
                isset($row['on']['blocks']) ? number_format($row['on']['blocks']) : '—',
                $pb === null ? '—' : sprintf('%.1f B', $pb) . ($few ? ' (few blocks)' : ''),
            ];
        }
        $g = geomean($ratios);
        $gp = geomean(array_map(fn ($r) => $r['paired_on'] ?? null, $sum));
        $rows[] = ['**geomean**', '', '', '**' . fx($g) . '**', fx($gp), '', '', '', ''];
        $md .= "### Profiling on vs plain PHP\n\n";
        $md .= md_table(
            ['workload', 'plain', 'profiling on', 'ratio', 'paired ratio', 'plain peak RSS', 'profiling peak RSS', 'live blocks', 'extra RSS / live block'],
            ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
            $rows
        );
        $md .= "\nratio = median(profiling on) ÷ median(plain); paired ratio = median over rounds of on ÷ plain measured side by side (robust to drift of the machine's speed). "
            . "extra RSS / live block = (VmRSS with profiling − VmRSS plain, both just before the dump) ÷ live blocks in `memprof_dump_array()` (root `blocks_count_inclusive`). Peak RSS = VmHWM before the dump.\n\n";

        // loaded but off
        $go = null;
        if ($o['off']) {
            $rows = [];
            $offRatios = [];
            foreach ($sum as $w => $row) {
                $offRatios[$w] = $row['ratio_off'] ?? null;
                $rows[] = [
                    $w,
                    fms($row['plain']['time'], $row['plain']['mad']),
                    fms($row['off']['time'] ?? null, $row['off']['mad'] ?? null),
                    fx($row['ratio_off'] ?? null),
                    fx($row['paired_off'] ?? null),
                    isset($row['off']['rss']) ? sprintf('%+.1f MiB', ($row['off']['rss'] - $row['plain']['rss']) / 1024) : '—',
                ];
            }
            $go = geomean($offRatios);
            $gop = geomean(array_map(fn ($r) => $r['paired_off'] ?? null, $sum));
            $rows[] = ['**geomean**', '', '', '**' . fx($go) . '**', fx($gop), ''];
            $md .= $o['native'] ? "### Loaded, malloc slots patched, off vs not loaded\n\n" : "### Loaded but off vs not loaded\n\n";
            $md .= md_table(['workload', 'not loaded', $o['native'] ? 'patched, off' : 'loaded, off', 'ratio', 'paired ratio', 'RSS delta'], ['l', 'r', 'r', 'r', 'r', 'r'], $rows);
            $md .= "\n";
        }

        // robustness of the ratios
        $rows = [];
        foreach ($sum as $w => $row) {
            $rows[] = [
                $w,
                fx($row['ratio_on'] ?? null),
                fx($row['paired_on'] ?? null),
                fx($row['min_ratio_on'] ?? null),
                fx($row['ratio_off'] ?? null),
                fx($row['paired_off'] ?? null),
                fx($row['min_ratio_off'] ?? null),
            ];
        }
        $rows[] = ['**geomean**',
            fx($g), fx(geomean(array_map(fn ($r) => $r['paired_on'] ?? null, $sum))), fx(geomean(array_map(fn ($r) => $r['min_ratio_on'] ?? null, $sum))),
            fx($go ?? null), fx($gop ?? null), fx(geomean(array_map(fn ($r) => $r['min_ratio_off'] ?? null, $sum)))];
        $md .= "### Ratio cross-check

";
        $md .= "Three estimators of the same ratio; if they disagree by more than a few %, the machine was noisy. "
            . "*paired* = median over rounds of (side ÷ plain in the same round), which cancels slow drift of the machine's speed.\n\n";
        $md .= md_table(
            ['workload', 'on: ratio of medians', 'on: paired', 'on: ratio of minimums', 'off: ratio of medians', 'off: paired', 'off: ratio of minimums'],
            ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
            $rows
        );
        $md .= $mads
            ? sprintf("\nRun-to-run spread (median MAD of all sides): %.1f%%.\n\n", $noise)
            : "\nRun-to-run spread: n/a (one run per side).\n\n";

        // details
        $rows = [];
        foreach ($sum as $w => $row) {
            $on = $row['on'] ?? [];
            $rows[] = [
                $w,
                isset($on['bytes']) ? fmib($on['bytes'] / 1024) : '—',
                isset($row['per_block_peak']) ? sprintf('%.1f B', $row['per_block_peak']) : '—',
                fms($row['plain']['wall'] ?? null),
                fms($on['wall'] ?? null),
                fms($on['dump'] ?? null),
                isset($profileSizes[$w]) ? fmib(median($profileSizes[$w]) / 1024) : '—',
                '`' . $row['plain']['check'] . '`',
            ];
        }
        $md .= "### Details\n\n";
        $md .= md_table(
            ['workload', 'live bytes (profile)', 'extra peak RSS / live block', 'process wall, plain', 'process wall, profiling (incl. dumps)', '`memprof_dump_array()`', 'profile file at exit', 'result check'],
            ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
            $rows
        );
        $md .= "\n";

        // budgets
        $worstW = null;
        $worst = null;
        foreach ($ratios as $w => $r) {
            if ($r !== null && ($worst === null || $r > $worst)) {
                $worst = $r;
                $worstW = $w;
            }
        }
        $pbW = null;
        $pbMax = null;
        foreach ($sum as $w => $row) {
            if (isset($row['per_block']) && ($row['on']['blocks'] ?? 0) >= MIN_BLOCKS_FOR_BUDGET
                && ($pbMax === null || $row['per_block'] > $pbMax)) {
                $pbMax = $row['per_block'];
                $pbW = $w;
            }
        }
        if ($o['sample_rate'] !== null) {
            // sampled mode: one budget, and no record per block to weigh
            $budgets = [['geomean slowdown, sampled at ' . $o['sample_rate'], '≤ ' . sprintf('%.2fx', BUDGET_SAMPLED),
                fx($g) . ' (paired ' . fx($gp) . ')', $g === null ? '—' : pf($g <= BUDGET_SAMPLED)]];
        } else {
            $budgets = [
                ['geomean slowdown, profiling on', '≤ ' . sprintf('%.2fx', BUDGET_GEOMEAN), fx($g) . ' (paired ' . fx($gp) . ')',
                    $g === null ? '—' : pf($g <= BUDGET_GEOMEAN)],
                ['worst workload, profiling on', '≤ ' . sprintf('%.2fx', BUDGET_WORST), $worst === null ? '—' : fx($worst) . " ($worstW)",
                    $worst === null ? '—' : pf($worst <= BUDGET_WORST)],
                ['extra RSS per live tracked block', '≤ ' . BUDGET_BYTES_PER_BLOCK . ' B', $pbMax === null ? 'n/a (no workload with ≥ ' . number_format(MIN_BLOCKS_FOR_BUDGET) . ' live blocks)' : sprintf('%.1f B (%s, worst of workloads with ≥ %s live blocks)', $pbMax, $pbW, number_format(MIN_BLOCKS_FOR_BUDGET)),
                    $pbMax === null ? '—' : pf($pbMax <= BUDGET_BYTES_PER_BLOCK)],
            ];
        }
        if ($o['off']) {
            $offLimit = 1 + max(BUDGET_OFF_FLOOR, 2 * $noise / 100);
            $budgets[] = ['loaded but off', ($mads ? sprintf('no measurable cost: geomean ≤ %.3fx (1 + max(3%%, 2 × %.1f%% spread))', $offLimit, $noise) : sprintf('no measurable cost: geomean ≤ %.3fx', $offLimit)), fx($go) . ' (paired ' . fx($gop) . ')',
                $go === null ? '—' : pf($go <= $offLimit)];
        }
        $md .= "### Budgets (SPEC.md, Performance budgets)\n\n";
        $md .= md_table(['budget', 'limit', 'measured', 'result'], ['l', 'l', 'l', 'l'], $budgets);
        $md .= "\nResults use the ratio of medians; the paired ratio is shown beside it as a check.\n";
        if (!$mads) {
            $md .= "With one run per side the noise is unknown, so the loaded-but-off limit is the 3% floor.\n";
        }
        $budgetFail = false;
        foreach ($budgets as $b) {
            if ($b[3] === pf(false)) {
                $budgetFail = true;
            }
        }
    }

    $md .= "\n### Command lines\n\n```sh\n";
    $w0 = $o['only'][0];
    foreach ($sides as $side) {
        [$cmd, $env] = side_cmd($side, $w0, $o, $tmp);
        $line = shell_line($cmd, $env);
        $line = str_replace([$tmp . '/memprof.so', $tmp . '/out', dirname(BENCH_DIR) . '/'], [$o['ext'], '$TMPDIR', ''], $line);
        $md .= sprintf("# %s\n%s\n", ['plain' => 'plain', 'on' => 'profiling on', 'off' => 'loaded, off'][$side], $line);
    }
    $md .= "```\n";

    if ($failures) {
        $md .= "\n### Failures\n\n";
        foreach ($failures as $f) {
            $md .= "- " . str_replace("\n", "\n  ", $f) . "\n";
        }
    }
    if ($info['warnings']) {
        $md .= "\n### Warnings\n\n";
        foreach ($info['warnings'] as $wmsg) {
            $md .= "- " . str_replace("\n", ' ', $wmsg) . "\n";
        }
    }

    echo $md;

    if ($o['json'] !== null) {
        $json = json_encode([
            'options' => $o,
            'info' => $info,
            'extension_available' => $haveExt,
            'extension_message' => $extMsg,
            'elapsed_s' => $elapsed,
            'runs' => $results,
            'summary' => $sum,
            'profile_file_bytes' => $profileSizes,
            'failures' => $failures,
        ], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES);
        if (@file_put_contents($o['json'], $json . "\n") === false) {
            fwrite(STDERR, "run.php: cannot write {$o['json']}\n");
        }
    }

    progress(sprintf("done in %.1f s\n", $elapsed));
    if ($failures) {
        return 4;
    }
    if (!$haveExt) {
        return 3;
    }
    if ($o['check'] && !empty($budgetFail)) {
        return 1;
    }
    return 0;
}
