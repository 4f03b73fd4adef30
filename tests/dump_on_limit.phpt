--TEST--
dump_on_limit: the profile is written when the memory limit is hit and the fatal error names it; shutdown functions still run
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_limit is not enforced with USE_ZEND_ALLOC=0'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, <<<'PHP'
<?php
register_shutdown_function(function () { echo "shutdown function ran\n"; });
function hog() {
    $a = [];
    while (true) $a[] = str_repeat('h', 10000);
}
hog();
PHP);
$out = shell_exec('MEMPROF_PROFILE=dump_on_limit ' . mp_php() . " -d memory_limit=8M -d memprof.output_dir=$dir -d memprof.output_format=folded $script 2>&1");
echo trim($out), "\n";
preg_match('/\(memprof dumped to (\S+)\)/', $out, $m);
$files = glob("$dir/memprof*");
mp_dump(count($files), $files[0] === $m[1]);
$top = 0;
foreach (file($files[0]) as $line) {
    if (str_contains($line, "hog ($script:5);str_repeat")) $top = (int) substr($line, strrpos($line, ' '));
}
mp_dump($top > 6 * 1024 * 1024);
?>
--EXPECTF--
Fatal error: Allowed memory size of 8388608 bytes exhausted %s (memprof dumped to %s/memprof.folded.%d.%d.folded) in %s on line 5
shutdown function ran
int(1)
bool(true)
bool(true)
