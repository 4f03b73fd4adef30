--TEST--
memprof.dump_signal while profiling is off: nothing written, one line in the error log, the process goes on
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
$w = sigw_start('plain', false);
sigw_more_ticks($w, 3);
sigw_signal($w, SIGUSR2);
echo "keeps running: ", var_export(sigw_more_ticks($w, 10), true), "\n";
sigw_signal($w, SIGUSR2);
echo "keeps running: ", var_export(sigw_more_ticks($w, 10), true), "\n";
echo "profiles: ", count(sigw_files($w)), "\n";
echo "exit code: ", sigw_stop($w), "\n";
echo $w['err'];
?>
--EXPECT--
keeps running: true
keeps running: true
profiles: 0
exit code: 0
memprof: SIGUSR2 received but profiling is off; no profile written (start with MEMPROF_PROFILE=1 or call memprof_enable())
memprof: SIGUSR2 received but profiling is off; no profile written (start with MEMPROF_PROFILE=1 or call memprof_enable())
