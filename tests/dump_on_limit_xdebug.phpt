--TEST--
dump_on_limit under Xdebug in each mode (develop, debug, profile, coverage, off): one profile, named in the fatal error on the screen and in the log
--EXTENSIONS--
memprof
--SKIPIF--
<?php
$m = shell_exec(escapeshellarg(PHP_BINARY) . ' -n -d zend_extension=xdebug -m 2>&1');
if (!str_contains((string) $m, 'Xdebug')) die('skip Xdebug cannot be loaded (php-xdebug not installed)');
?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
// the child says whether Xdebug is loaded and which modes are on, so that a
// run without Xdebug cannot pass for one with it
$script = mp_script($dir, <<<'PHP'
<?php
echo 'xdebug loaded: ', var_export(extension_loaded('xdebug'), true),
    ', modes: [', implode(',', xdebug_info('mode')), "]\n";
function hog() {
    $a = [];
    while (true) $a[] = str_repeat('h', 10000 + (int) getenv('MEMPROF_TEST_NEVER_SET')); // opcache would fold a constant one
}
hog();
PHP);
foreach (['develop', 'debug', 'profile', 'coverage', 'off'] as $mode) {
    $out_dir = "$dir/$mode";
    mkdir($out_dir);
    $log = "$out_dir/php-errors.log";
    // profile: the profiler on from the start, writing to the temp dir; debug:
    // no client, so no session is started
    $xdebug = "-d zend_extension=xdebug -d xdebug.mode=$mode -d xdebug.output_dir=$out_dir"
        . ' -d xdebug.start_with_request=' . ($mode === 'profile' ? 'yes' : 'no');
    // this test sets Xdebug's mode itself: not the test mode's (XDEBUG_MODE
    // would win); without the JIT, which Xdebug turns off with a warning
    $out = shell_exec('env -u XDEBUG_MODE USE_ZEND_ALLOC=1 MEMPROF_PROFILE=dump_on_limit '
        . mp_php(mp_php_argv('zend_extension=xdebug', 'xdebug.', 'opcache.jit')) . " $xdebug"
        . " -d memory_limit=10M -d display_errors=1 -d log_errors=1 -d error_log=$log"
        . " -d memprof.output_dir=$out_dir -d memprof.output_format=folded $script 2>&1; echo exit=$?");
    $files = glob("$out_dir/{,.}memprof*", GLOB_BRACE);
    $profile = count($files) === 1 ? $files[0] : null;
    $named = fn (string $text) => $profile !== null
        && preg_match('/Allowed memory size of 10485760 bytes exhausted.* \(memprof dumped to (\S+)\)/', $text, $m)
        && $m[1] === $profile;
    echo "== $mode\n";
    echo strtok($out, "\n"), "\n";
    echo 'profiles written: ', count($files), "\n";
    echo 'named on the screen: ', var_export($named($out), true), "\n";
    echo 'named in the log: ', var_export($named((string) @file_get_contents($log)), true), "\n";
    echo 'hog holds > 6 MiB: ', var_export($profile !== null
        && mp_folded_bytes($profile, "hog ($script:6);str_repeat (php:internal:0)") > 6 * 1024 * 1024, true), "\n";
    echo trim(substr($out, strrpos($out, 'exit='))), "\n";
    if (!$named($out)) echo $out;
}
?>
--EXPECT--
== develop
xdebug loaded: true, modes: [develop]
profiles written: 1
named on the screen: true
named in the log: true
hog holds > 6 MiB: true
exit=255
== debug
xdebug loaded: true, modes: [debug]
profiles written: 1
named on the screen: true
named in the log: true
hog holds > 6 MiB: true
exit=255
== profile
xdebug loaded: true, modes: [profile]
profiles written: 1
named on the screen: true
named in the log: true
hog holds > 6 MiB: true
exit=255
== coverage
xdebug loaded: true, modes: [coverage]
profiles written: 1
named on the screen: true
named in the log: true
hog holds > 6 MiB: true
exit=255
== off
xdebug loaded: true, modes: []
profiles written: 1
named on the screen: true
named in the log: true
hog holds > 6 MiB: true
exit=255
