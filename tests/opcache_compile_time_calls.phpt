--TEST--
Opcache caching the script: the optimizer's compile-time calls (str_repeat of constants, under stand-in frames) plant no paths at the root; the tree is the same as without opcache for code it cannot fold, in the entry script and in included files
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
file_put_contents("$dir/inc.php", <<<'PHP'
<?php
function incf() { global $g; $g = str_repeat('z', 3000); return strlen(str_repeat('k', 3)); }
$GLOBALS['incv'] = str_repeat('i', 4000 + rt(0));
PHP);
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n" . <<<'PHP'
function rec($n) { if ($n === 0) { global $leaf; $leaf = str_repeat('q', 5000); $GLOBALS['leaf2'] = str_repeat('r', rt(5000)); return; } rec($n - 1); }
rec(30);
function after() { global $after; $after = str_repeat('w', 9000); $GLOBALS['after2'] = str_repeat('v', rt(9000)); }
after();
function f() {}
f();
function a() { require __DIR__ . '/inc.php'; }
a();
incf();
// the optimizer turns the constant str_repeat()s into literals: only the
// rt() ones remain (rec: 5000 + 32, after: 9000 + 32 bytes each)
$d = memprof_dump_array();
$roots = array_keys($d['called_functions']);
sort($roots);
$main = 'main ' . __FILE__;
$r = [$main];
for ($i = 0; $i <= 30; $i++) $r[] = 'rec';
echo json_encode([
    'cached' => function_exists('opcache_is_script_cached') && opcache_is_script_cached(__FILE__),
    'roots' => str_replace(__DIR__, 'DIR', $roots),
    'rec' => mp_node($d, ...$r)['memory_size_inclusive'] ?? null,
    'after' => mp_node($d, $main, 'after', 'str_repeat')['memory_size'] ?? null,
    'inc' => mp_node($d, $main, 'a', 'main ' . __DIR__ . '/inc.php', 'str_repeat')['memory_size'] ?? null,
    'compiles' => isset($d['called_functions']['compile ' . __FILE__]) && mp_node($d, $main, 'a', 'compile ' . __DIR__ . '/inc.php') !== null,
]), "\n";
PHP);
// without Xdebug (a test mode): loaded, it keeps the optimizer from folding
$env = ['MEMPROF_PROFILE' => '1', 'MEMPROF_TEST_NEVER_SET' => ''] + getenv();
unset($env['XDEBUG_MODE']);
foreach (['without opcache' => mp_php_no_opcache_argv(), 'opcache' => mp_php_opcache_argv('opcache.jit=disable'),
        'opcache, optimizer off' => mp_php_opcache_argv('opcache.jit=disable', 'opcache.optimization_level=0')] as $label => $argv) {
    $p = proc_open([...mp_argv_without($argv, 'zend_extension=xdebug', 'xdebug.'), $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
    echo "$label: ", stream_get_contents($pipes[1]);
    proc_close($p);
}
?>
--EXPECTF--
without opcache: {"cached":false,"roots":["compile DIR\/script.php","main DIR\/script.php"],"rec":10096,"after":18064,"inc":4032,"compiles":true}
opcache: {"cached":true,"roots":["compile DIR\/script.php","main DIR\/script.php"],"rec":5064,"after":9032,"inc":4032,"compiles":true}
opcache, optimizer off: {"cached":true,"roots":["compile DIR\/script.php","main DIR\/script.php"],"rec":10096,"after":18064,"inc":4032,"compiles":true}
