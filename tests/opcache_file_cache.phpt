--TEST--
opcache.file_cache: a script loaded from the file cache (not compiled) is attributed as when compiled, its functions and included files too
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$cache = "$dir/fcache";
mkdir($cache);
file_put_contents("$dir/inc.php", "<?php\nfunction grow(int \$n) { return str_repeat('g', \$n + rt(0)); }\n");
$code = '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n" . <<<'PHP'
require __DIR__ . '/inc.php';
function keep($n) { return [grow($n), str_repeat('k', rt(2000))]; }
$k = keep(5000);
$d = memprof_dump_array();
$main = 'main ' . __FILE__;
echo json_encode([
    'version' => 'VERSION',
    'roots' => count($d['called_functions']),
    'grow' => mp_node($d, $main, 'keep', 'grow', 'str_repeat')['memory_size'] ?? null,
    'keep' => mp_node($d, $main, 'keep', 'str_repeat')['memory_size'] ?? null,
    'inc' => mp_node($d, $main, 'compile ' . __DIR__ . '/inc.php') !== null,
]), "\n";
PHP;
$script = mp_script($dir, str_replace('VERSION', 'v1', $code));
// no timestamp checks: the second run must take the cached v1, which tells
// that the file cache, not the compiler, gave the script
$argv = mp_php_opcache_argv('opcache.jit=disable', "opcache.file_cache=$cache", 'opcache.file_cache_only=1',
    'opcache.validate_timestamps=0');
foreach (['compiled', 'from the file cache'] as $i => $label) {
    if ($i === 1) {
        file_put_contents($script, str_replace('VERSION', 'v2', $code));
    }
    $p = proc_open([...$argv, $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null,
        ['MEMPROF_PROFILE' => '1'] + getenv());
    echo "$label: ", stream_get_contents($pipes[1]);
    proc_close($p);
}
?>
--EXPECT--
compiled: {"version":"v1","roots":2,"grow":5032,"keep":2032,"inc":true}
from the file cache: {"version":"v1","roots":2,"grow":5032,"keep":2032,"inc":true}
