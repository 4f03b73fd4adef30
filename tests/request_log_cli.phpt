--TEST--
memprof.request_log on the CLI: one parseable line per run, memory and RSS at start and end, profiling on/off, escaping, unwritable path
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_get_usage() is 0 with USE_ZEND_ALLOC=0'); ?>
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
require __DIR__ . '/web/inc/signal_driver.php';   // sigw_so(), sigw_tmpdir()
$dir = sigw_tmpdir();
$log = "$dir/requests.log";
$php = escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg(sigw_so())
     . " -d memprof.output_dir=$dir -d memprof.output_format=folded";
$run = function (string $script, string $env = '', ?string $logPath = null) use ($php, $log) {
    return shell_exec("$env $php -d " . escapeshellarg('memprof.request_log=' . ($logPath ?? $log)) . ' ' . escapeshellarg($script) . ' 2>&1');
};
$parse = function () use ($log) {
    exec(escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__DIR__ . '/web/inc/request_log_parse.php') . ' ' . escapeshellarg($log) . ' 2>&1', $out, $rc);
    if ($rc !== 0) {
        echo "parse failed: ", implode("\n", $out), "\n";
    }
    return array_map(fn($l) => explode("\t", $l), $out);
};

$script = "$dir/holds.php";
file_put_contents($script, '<?php $keep = str_repeat("x", 1 << 20); echo getmypid(), "\n";');

// 1. profiling off
$pid1 = (int) $run($script, 'MEMPROF_PROFILE=');
// 2. profiling on (whole script)
$pid2 = (int) $run($script, 'MEMPROF_PROFILE=1');
$raw = file_get_contents($log);
echo "lines: ", substr_count($raw, "\n"), "\n";
printf("mode %o\n", fileperms($log) & 0777);
// exact shape of a line: keys in order, TAB separated
echo preg_replace(['/=[^\t\n]*/', '/\t/'], ['', ' '], strtok($raw, "\n")), "\n";
mp_dump((bool) preg_match('/^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tpid=\d+\tmethod=CLI\turi=\S+\tmem_start=\d+\tmem_end=\d+\tmem_peak=\d+\trss_start=\d+\trss_end=\d+\tdur_ms=\d+\.\d{3}\tprofiling=(on|off)$/', strtok($raw, "\n")));
$rows = $parse();
foreach ([[$rows[0], $pid1], [$rows[1], $pid2]] as $i => [$r, $pid]) {
    [$rpid, $method, $uri, $prof, $m0, $m1, $peak, $rss0, $rss1] = $r;
    echo "run ", $i + 1, ": pid ", $rpid == $pid ? 'matches' : "$rpid != $pid", ", method $method, uri ",
        $uri === $script ? 'is the script' : $uri, ", profiling $prof\n";
    echo "  holds 1 MiB at the end: ", var_export($m1 - $m0 >= 1 << 20, true),
        ", peak >= end: ", var_export($peak >= $m1, true),
        ", RSS grew by >= 900 KiB: ", var_export($rss1 - $rss0 >= 900 << 10, true), "\n";
}

// 3. values are escaped: a script name with a TAB, a newline and a backslash
$odd = "$dir/we\tird\nna\\me.php";
file_put_contents($odd, '<?php echo "odd ran\n";');
echo trim($run($odd)), "\n";
$rows = $parse();
echo "lines: ", count($rows), ", uri escaped: ", var_export(end($rows)[2] === "$dir/we\\x09ird\\x0ana\\x5cme.php", true), "\n";
mp_dump(str_contains(file_get_contents($log), "we\\x09ird\\x0ana\\x5cme.php\tmem_start="));

// 4. concurrent writers: 12 processes at once, no line torn or mixed
$procs = [];
for ($i = 0; $i < 12; $i++) {
    $procs[] = proc_open("$php -d memprof.request_log=$log " . escapeshellarg($script), [1 => ['file', '/dev/null', 'w']], $p);
}
foreach ($procs as $p) {
    proc_close($p);
}
$rows = $parse();
echo "after 12 concurrent runs: ", count($rows), " well-formed lines\n";

// 5. a path that cannot be opened: one warning naming it and the OS error; the script runs
echo preg_replace('/^\d+$/m', 'PID', $run($script, '', "$dir/missing-dir/requests.log"));
?>
--EXPECTF--
lines: 2
mode 600
time pid method uri mem_start mem_end mem_peak rss_start rss_end dur_ms profiling
bool(true)
run 1: pid matches, method CLI, uri is the script, profiling off
  holds 1 MiB at the end: true, peak >= end: true, RSS grew by >= 900 KiB: true
run 2: pid matches, method CLI, uri is the script, profiling on
  holds 1 MiB at the end: true, peak >= end: true, RSS grew by >= 900 KiB: true
odd ran
lines: 3, uri escaped: true
bool(true)
after 12 concurrent runs: 15 well-formed lines

Warning: PHP Request Startup: memprof: cannot open memprof.request_log '%s/missing-dir/requests.log': No such file or directory in Unknown on line 0
PID
