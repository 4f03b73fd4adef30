--TEST--
dump_on_limit when the profile cannot be written (missing output dir, a path under a regular file): the fatal error says where it failed and why; nothing else is written
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
    while (true) $a[] = str_repeat('h', 10000 + (int) getenv('MEMPROF_TEST_NEVER_SET'));
}
hog();
PHP);
// root may write anywhere, so "unwritable" is a path under a regular file
touch("$dir/afile");
foreach (["$dir/missing", "$dir/afile/sub"] as $out_dir) {
    $out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=dump_on_limit ' . mp_php()
        . " -d memory_limit=10M -d memprof.output_dir=$out_dir -d memprof.output_format=folded $script 2>&1; echo exit=$?");
    echo trim(mp_no_traces($out)), "\n";
}
mp_dump(glob("$dir/{,.}memprof*", GLOB_BRACE));
?>
--EXPECTF--
Fatal error: Allowed memory size of 10485760 bytes exhausted (tried to allocate %d bytes) (memprof failed dumping to %s/missing: No such file or directory) in %s on line %d
shutdown function ran
exit=255
Fatal error: Allowed memory size of 10485760 bytes exhausted (tried to allocate %d bytes) (memprof failed dumping to %s/afile/sub: Not a directory) in %s on line %d
shutdown function ran
exit=255
array(0) {
}
