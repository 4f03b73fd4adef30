--TEST--
memprof.dump_signal: a CLI worker loop writes its current profile on SIGUSR2, at a safe point, and keeps running
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
$w = sigw_start('plain', true);
echo "worker ready: ", $w['pid'] > 0 ? 'yes' : 'no', "\n";
sigw_more_ticks($w, 5);

// 1st signal: a profile appears while the loop goes on
$tick = $w['tick'];
sigw_signal($w, SIGUSR2);
$files = sigw_wait_files($w, 1);
echo "after 1st signal: ", count($files), " profile\n";
echo "keeps running: ", var_export(sigw_more_ticks($w, 10), true), "\n";
$n1 = sigw_folded_blocks($files[0]);
echo "1st profile holds the worker's strings: ", var_export(is_int($n1) && $n1 >= $tick, true), " ($n1 vs tick $tick)\n";
printf("mode %o, name %s\n", fileperms($files[0]) & 0777,
    preg_match('/^memprof\.folded\.' . $w['pid'] . '\.\d{16}\.folded$/', basename($files[0])) ? 'ok' : basename($files[0]));

// 2nd signal: another file, holding more
sigw_signal($w, SIGUSR2);
$files = sigw_wait_files($w, 2);
echo "after 2nd signal: ", count($files), " profiles\n";
$n2 = sigw_folded_blocks($files[1]);
echo "2nd profile holds more: ", var_export(is_int($n2) && is_int($n1) && $n2 > $n1, true), "\n";
echo "keeps running: ", var_export(sigw_more_ticks($w, 10), true), "\n";

// stop: clean exit, and whole-script mode still writes its profile at the end
$rc = sigw_stop($w);
echo "exit code: $rc\n";
echo trim(preg_replace('/^tick \d+\n/m', '', $w['out'])) === "ready {$w['pid']}\n" . 'stopped after ' . ($w['tick'] + 1) . ' ticks, holding ' . ($w['tick'] + 1)
    ? "output: clean\n" : "output: {$w['out']}\n";
echo "profiles at exit: ", count(sigw_files($w)), "\n";
echo preg_replace('/to \S+/', 'to FILE', $w['err']);
?>
--EXPECTF--
worker ready: yes
after 1st signal: 1 profile
keeps running: true
1st profile holds the worker's strings: true (%d vs tick %d)
mode 600, name ok
after 2nd signal: 2 profiles
2nd profile holds more: true
keeps running: true
exit code: 0
output: clean
profiles at exit: 3
memprof: SIGUSR2: profile written to FILE
memprof: SIGUSR2: profile written to FILE
