--TEST--
memprof.dump_signal: every accepted signal (any case, SIG prefix optional) dumps; pprof output readable
--EXTENSIONS--
memprof
--SKIPIF--
<?php
if (PHP_OS_FAMILY !== 'Linux') die('skip Linux signals');
if (!defined('SIGUSR2')) die('skip pcntl (for the signal numbers) not available');
?>
--FILE--
<?php
require __DIR__ . '/web/inc/signal_driver.php';
foreach (['SIGUSR1' => SIGUSR1, 'usr2' => SIGUSR2, 'SigHup' => SIGHUP, 'SIGURG' => SIGURG] as $name => $signo) {
    $w = sigw_start('plain', true, $name, 'pprof');
    sigw_more_ticks($w, 3);
    sigw_signal($w, $signo);
    $files = sigw_wait_files($w, 1);
    $gz = $files ? file_get_contents($files[0]) : '';
    $data = $gz !== '' ? @gzdecode($gz) : false;
    echo "$name: ", count($files), " profile, gzip ", $data !== false ? 'ok' : 'bad',
        ", names the grow site: ", $data !== false && str_contains($data, 'signal_worker_grow') ? 'yes' : 'no',
        ", keeps running: ", var_export(sigw_more_ticks($w, 5), true),
        ", exit ", sigw_stop($w), "\n";
}
?>
--EXPECT--
SIGUSR1: 1 profile, gzip ok, names the grow site: yes, keeps running: true, exit 0
usr2: 1 profile, gzip ok, names the grow site: yes, keeps running: true, exit 0
SigHup: 1 profile, gzip ok, names the grow site: yes, keeps running: true, exit 0
SIGURG: 1 profile, gzip ok, names the grow site: yes, keeps running: true, exit 0
