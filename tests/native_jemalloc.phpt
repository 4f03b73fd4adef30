--TEST--
native: with jemalloc preloaded (LD_PRELOAD) the slots that hold its functions are foreign: left alone and reported; no crash
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r");
if (!glob('/usr/lib/*/libjemalloc.so.2')) die('skip libjemalloc2 not installed');
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind (USE_ZEND_ALLOC=0): it replaces the preloaded allocator itself'); ?>
--FILE--
<?php
require __DIR__ . '/inc/native.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/native.php', true) . ";\n" . <<<'PHP'
$st = memprof_native_status();
$php = array_values(array_filter($st['objects'], fn($o) => $o['path'] === realpath(PHP_BINARY)))[0];
$kept = [];
for ($i = 0; $i < 2000; $i++) {
    $kept[] = preg_match('/^x' . $i . '$/', "x$i");
    $kept[] = str_repeat('z', 5000);
}
$d = memprof_dump_array();
echo json_encode([
    'native' => memprof_enabled_flags()['native'],
    'foreign' => $st['slots']['foreign'] > 0,
    'php_foreign' => $php['foreign'] > 0,
    'dump' => $d['memory_size_inclusive'] > 10e6,
]), "\n";
PHP);
$jemalloc = glob('/usr/lib/*/libjemalloc.so.2')[0];
$env = ['MEMPROF_PROFILE' => 'native', 'LD_PRELOAD' => $jemalloc, 'USE_ZEND_ALLOC' => '1'] + getenv();
// without Xdebug: it aborts by itself with an allocator preloaded (it is loaded with
// RTLD_DEEPBIND too, and frees with libc what PHP allocated with jemalloc: php-src #10670)
$p = proc_open([...mp_php_argv('zend_extension=xdebug', 'xdebug.'), $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
echo stream_get_contents($pipes[1]);
echo "exit ", proc_close($p), "\n";
?>
--EXPECT--
{"native":true,"foreign":true,"php_foreign":true,"dump":true}
exit 0
