--TEST--
memprof.dump_signal: invalid values are refused at startup with a warning naming the setting and the accepted values
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
require __DIR__ . '/web/inc/signal_driver.php';
$php = escapeshellarg(PHP_BINARY) . ' -n -d display_startup_errors=1 -d display_errors=1 -d extension=' . escapeshellarg(sigw_so());
// SIGPROF is PHP's own max_execution_time timer; SIGKILL/SIGSTOP cannot be caught;
// numbers are not accepted (they differ between systems)
foreach (['SIGFOO', 'SIGPROF', 'SIGKILL', '12', 'SIGUSR', 'usr2', 'SIGURG', ''] as $v) {
    $out = shell_exec("$php -d " . escapeshellarg("memprof.dump_signal=$v") . ' -r ' . escapeshellarg('echo "value=[", ini_get("memprof.dump_signal"), "]\n";') . ' 2>&1');
    echo "[$v] ", trim($out), "\n";
}
// PHP_INI_SYSTEM: not settable at run time
mp_dump(ini_set('memprof.dump_signal', 'SIGUSR2'));
?>
--EXPECT--
[SIGFOO] Warning: PHP Startup: Invalid memprof.dump_signal 'SIGFOO'; accepted values: empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG in Unknown on line 0
value=[]
[SIGPROF] Warning: PHP Startup: Invalid memprof.dump_signal 'SIGPROF'; accepted values: empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG in Unknown on line 0
value=[]
[SIGKILL] Warning: PHP Startup: Invalid memprof.dump_signal 'SIGKILL'; accepted values: empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG in Unknown on line 0
value=[]
[12] Warning: PHP Startup: Invalid memprof.dump_signal '12'; accepted values: empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG in Unknown on line 0
value=[]
[SIGUSR] Warning: PHP Startup: Invalid memprof.dump_signal 'SIGUSR'; accepted values: empty, SIGUSR1, SIGUSR2, SIGHUP, SIGURG in Unknown on line 0
value=[]
[usr2] value=[usr2]
[SIGURG] value=[SIGURG]
[] value=[]
bool(false)
