--TEST--
native: with USE_ZEND_ALLOC=0 the Zend MM allocates with malloc; its blocks are counted once, as Zend blocks, never again as native ones
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--FILE--
<?php
require __DIR__ . '/inc/native.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/native.php', true) . ";\n" . <<<'PHP'
function keep(int $n): array {
    $a = [];
    for ($i = 0; $i < $n; $i++) {
        $a[] = str_repeat('x', rt(1000 + $i));
    }
    return $a;
}
$kept = keep(rt(100));
$big = str_repeat('y', rt(1 << 20));
$d = memprof_dump_array();
$k = mp_node($d, mp_main(), 'keep');
$s = mp_node($d, mp_main(), 'str_repeat');
$expect = 0;
for ($i = 0; $i < 100; $i++) {
    $expect += 32 + 1000 + $i;
}
echo json_encode([
    'native' => memprof_enabled_flags()['native'],
    'zend_alloc' => getenv('USE_ZEND_ALLOC'),
    'keep' => $k['memory_size_inclusive'] >= $expect && $k['memory_size_inclusive'] < $expect + 4096,
    'keep_native' => $k['native_memory_size_inclusive'],
    'big' => $s['memory_size_inclusive'] === (1 << 20) + 32,
    'big_native' => $s['native_memory_size_inclusive'],
    'native_elsewhere' => $d['native_memory_size_inclusive'] < (1 << 20),
]), "\n";
PHP);
$env = ['MEMPROF_PROFILE' => 'native', 'USE_ZEND_ALLOC' => '0'] + getenv();
$p = proc_open([...mp_php_argv(), $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
echo stream_get_contents($pipes[1]);
echo "exit ", proc_close($p), "\n";
?>
--EXPECT--
{"native":true,"zend_alloc":"0","keep":true,"keep_native":0,"big":true,"big_native":0,"native_elsewhere":true}
exit 0
