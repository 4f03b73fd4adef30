--TEST--
memprof.dump_signal alongside the script's own pcntl handlers for other signals (async and pcntl_signal_dispatch)
--EXTENSIONS--
memprof
--SKIPIF--
<?php
if (PHP_OS_FAMILY !== 'Linux') die('skip Linux signals');
if (!function_exists('pcntl_signal')) die('skip pcntl not available');
?>
--FILE--
<?php
require __DIR__ . '/web/inc/signal_driver.php';
foreach (['pcntl_async', 'pcntl_sync'] as $mode) {
    echo "== $mode\n";
    $w = sigw_start($mode, true);
    echo "ready: ", $w['pid'] > 0 ? 'yes' : 'no', "\n";
    sigw_more_ticks($w, 3);
    $dumps = 0;
    for ($round = 1; $round <= 3; $round++) {
        // the script's signal reaches the script's handler ...
        sigw_signal($w, SIGUSR1);
        echo "SIGUSR1 handled by the script: ", sigw_wait($w, '/^handled SIGUSR1$/m', 10) ? 'yes' : 'no', "\n";
        // ... and ours writes a profile
        sigw_signal($w, SIGUSR2);
        $dumps++;
        echo "SIGUSR2 dumped: ", count(sigw_wait_files($w, $dumps)) === $dumps ? 'yes' : 'no', "\n";
        echo "keeps running: ", var_export(sigw_more_ticks($w, 3), true), "\n";
    }
    // both at once
    sigw_signal($w, SIGUSR2);
    sigw_signal($w, SIGUSR1);
    echo "both at once: handled ", sigw_wait($w, '/^handled SIGUSR1$/m', 10) ? 'yes' : 'no',
        ", dumped ", count(sigw_wait_files($w, 4)) === 4 ? 'yes' : 'no', "\n";
    $files = sigw_files($w);
    $ok = true;
    foreach ($files as $f) {
        $ok = $ok && is_int(sigw_folded_blocks($f));
    }
    echo "profiles valid: ", var_export($ok, true), "\n";
    echo "exit code: ", sigw_stop($w), "\n";
    echo "handled SIGUSR1 lines: ", preg_match_all('/^handled SIGUSR1$/m', $w['out']), "\n";
    echo "handled SIGUSR2 lines: ", preg_match_all('/^handled SIGUSR2$/m', $w['out']), "\n";
    echo "profiles at exit: ", count(sigw_files($w)), "\n";
    echo "stderr: ", substr_count($w['err'], 'memprof: SIGUSR2: profile written to '), " dump lines, ",
        strlen(preg_replace('/^memprof: SIGUSR2: profile written to \S+\n/m', '', $w['err'])), " other bytes\n";
}
?>
--EXPECT--
== pcntl_async
ready: yes
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
both at once: handled yes, dumped yes
profiles valid: true
exit code: 0
handled SIGUSR1 lines: 4
handled SIGUSR2 lines: 0
profiles at exit: 5
stderr: 4 dump lines, 0 other bytes
== pcntl_sync
ready: yes
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
SIGUSR1 handled by the script: yes
SIGUSR2 dumped: yes
keeps running: true
both at once: handled yes, dumped yes
profiles valid: true
exit code: 0
handled SIGUSR1 lines: 4
handled SIGUSR2 lines: 0
profiles at exit: 5
stderr: 4 dump lines, 0 other bytes
