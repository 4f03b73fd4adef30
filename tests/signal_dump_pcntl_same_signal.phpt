--TEST--
memprof.dump_signal: a pcntl handler the script installs for the same signal wins; memprof writes nothing for it
--EXTENSIONS--
memprof
--SKIPIF--
<?php
if (PHP_OS_FAMILY !== 'Linux') die('skip Linux signals');
if (!function_exists('pcntl_signal')) die('skip pcntl not available');
?>
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
require __DIR__ . '/web/inc/signal_driver.php';
$w = sigw_start('pcntl_same', true);
sigw_more_ticks($w, 3);
for ($i = 0; $i < 3; $i++) {
    sigw_signal($w, SIGUSR2);
    echo "handled by the script: ", sigw_wait($w, '/^handled SIGUSR2$/m', 10) ? 'yes' : 'no', "\n";
}
sigw_more_ticks($w, 5);
echo "profiles while running: ", count(sigw_files($w)), "\n";
echo "exit code: ", sigw_stop($w), "\n";
// whole-script mode still writes its profile at the end
echo "profiles at exit: ", count(sigw_files($w)), "\n";
mp_dump($w['err']);
?>
--EXPECT--
handled by the script: yes
handled by the script: yes
handled by the script: yes
profiles while running: 0
exit code: 0
profiles at exit: 1
string(0) ""
