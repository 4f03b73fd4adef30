--TEST--
memprof.dump_signal arriving while memprof exports to a userspace stream: no nested export, no hang, the dump follows
--EXTENSIONS--
memprof
--SKIPIF--
<?php
if (PHP_OS_FAMILY !== 'Linux') die('skip Linux signals');
if (!defined('SIGUSR2')) die('skip pcntl (for the signal numbers) not available');
if (!is_executable('/bin/kill') && !is_executable('/usr/bin/kill')) die('skip kill(1) not found');
?>
--FILE--
<?php
require __DIR__ . '/web/inc/signal_driver.php';
$dir = sigw_tmpdir();
$cmd = [PHP_BINARY, '-n', '-d', 'extension=' . sigw_so(), '-d', 'memprof.dump_signal=SIGUSR2',
    '-d', "memprof.output_dir=$dir", '-d', 'memprof.output_format=folded',
    __DIR__ . '/web/inc/signal_export_worker.php', (string) SIGUSR2];
$env = getenv();
$env['MEMPROF_PROFILE'] = '1';
$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
echo $out;
echo "exit code: ", proc_close($p), "\n";
echo "dump lines on stderr: ", substr_count($err, 'memprof: SIGUSR2: profile written to'), "\n";
$ok = true;
foreach (glob("$dir/memprof.*") as $f) {
    $ok = $ok && str_contains(file_get_contents($f), 'export_worker_keep');
}
echo "every profile complete: ", var_export($ok, true), "\n";
?>
--EXPECT--
export complete: yes
profiles written during the export: 0
profiles right after the export: 1
profiles after a second signal: 2
exit code: 0
dump lines on stderr: 2
every profile complete: true
