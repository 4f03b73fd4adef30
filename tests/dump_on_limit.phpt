--TEST--
dump_on_limit: the profile is written when the memory limit is hit and the fatal error names it; shutdown functions still run
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, <<<'PHP'
<?php
register_shutdown_function(function () { echo "shutdown function ran\n"; });
function hog() {
    $a = [];
    while (true) $a[] = str_repeat('h', 10000 + (int) getenv('MEMPROF_TEST_NEVER_SET')); // opcache would fold a constant one
}
hog();
PHP);
// The limit leaves room: where it trips (a string, the array, a new chunk)
// differs between PHP versions, and the hog holds > 6 MiB whatever it is.
// USE_ZEND_ALLOC=1: the limit needs the Zend heap, also under valgrind.
$out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=dump_on_limit ' . mp_php()
    . " -d memory_limit=10M -d memprof.output_dir=$dir -d memprof.output_format=folded $script 2>&1; echo exit=$?");
echo trim(mp_no_traces($out)), "\n";
preg_match('/\(memprof dumped to (\S+)\)/', $out, $m);
$files = glob("$dir/{,.}memprof*", GLOB_BRACE);
mp_dump(count($files), $files[0] === $m[1]);
$hog = mp_folded_bytes($files[0], "hog ($script:5);str_repeat (php:internal:0)");
mp_dump($hog > 6 * 1024 * 1024);
?>
--EXPECTF--
Fatal error: Allowed memory size of 10485760 bytes exhausted (tried to allocate %d bytes) (memprof dumped to %s/memprof.folded.%d.%d.folded) in %s on line %d
shutdown function ran
exit=255
int(1)
bool(true)
bool(true)
