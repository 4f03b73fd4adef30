--TEST--
The test mode is on (test.sh sets MEMPROF_TEST_MODE): opcache caching this script, its JIT, preloading, the file cache, Xdebug in the named mode, the PHP version; in this process and in the PHP processes tests start
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (getenv('MEMPROF_TEST_MODE') === false) die('skip not run by test.sh (MEMPROF_TEST_MODE unset)'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$mode = getenv('MEMPROF_TEST_MODE');
echo "this process: ", mp_mode_problems($mode) ?: 'ok', "\n";
// a child runs a script of its own, twice if need be: opcache caches a file
// at its first compile, and the file cache entry appears then too
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n"
    . 'echo mp_mode_problems(getenv("MEMPROF_TEST_MODE")) ?: "ok";');
echo "a child: ", shell_exec(mp_php() . ' ' . escapeshellarg($script) . ' 2>&1'), "\n";
?>
--EXPECT--
this process: ok
a child: ok
