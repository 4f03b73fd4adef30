--TEST--
Compiling is a frame of its own: the entry script's under the root, an include's under the include line, an autoloaded class's under the autoloader's require, eval'd code's under the eval line; a 2 MB include's compile holds what memory_get_usage() grew by, with and without opcache
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
// ~2 MB of code: functions and a class, nothing that runs at include time
$big = "<?php\n";
for ($i = 0; $i < 2500; $i++) {
    $big .= "function gen_$i(\$a, \$b) { \$x = [\$a, \$b, 'k$i' => \$a . \$b]; if (\$a > $i) { return array_map(fn(\$v) => \$v * $i, \$x); } return \$x; }\n";
}
$big .= "class GenBig { " . implode(' ', array_map(fn($i) => "public function m$i(\$q) { return \$q + $i; }", range(0, 999))) . " }\n";
file_put_contents("$dir/big.php", $big);
file_put_contents("$dir/Auto.php", "<?php\nclass Auto { public function hi() { return 'hi'; } }\n");
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n" . <<<'PHP'
spl_autoload_register(function ($c) {
    require __DIR__ . "/$c.php";
});
function load_big() {
    $before = memory_get_usage();
    require __DIR__ . '/big.php';
    return memory_get_usage() - $before;
}
$grew = load_big();
$o = new Auto();
eval('function from_eval() { return 1; }');
$d = memprof_dump_array();
$main = 'main ' . __FILE__;
$big = mp_node($d, $main, 'load_big', 'compile ' . __DIR__ . '/big.php');
$auto = mp_node($d, $main, '{closure}', 'compile ' . __DIR__ . '/Auto.php');
$evals = array_filter(array_keys(mp_node($d, $main)['called_functions']), fn($k) => str_starts_with($k, 'compile ') && str_contains($k, "eval()'d code"));
echo json_encode([
    'cached' => function_exists('opcache_is_script_cached') && opcache_is_script_cached(__DIR__ . '/big.php'),
    'entry' => isset($d['called_functions']['compile ' . __FILE__]),
    'big_bytes' => $big['memory_size'] ?? null,
    'grew' => $grew,
    'big_calls' => mp_calls($big, 1),
    'auto' => $auto !== null,
    'evals' => count($evals),
]), "\n";
PHP);
// USE_ZEND_ALLOC=1: memory_get_usage() needs the Zend heap, also under valgrind
$env = ['MEMPROF_PROFILE' => '1', 'USE_ZEND_ALLOC' => '1'] + getenv();
$run = function (array $argv) use ($script, $env) {
    $p = proc_open([...$argv, $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]);
    proc_close($p);
    return json_decode($out, true) ?? $out;
};
$plain = $run(mp_php_no_opcache_argv());
$ratio = $plain['big_bytes'] / $plain['grew'];
echo "without opcache: entry ", json_encode($plain['entry']), ", the 2 MB include's compile holds ",
    $plain['big_bytes'] > 1.5e6 ? 'over 1.5 MB' : $plain['big_bytes'], ', ',
    abs($ratio - 1) <= 0.10 ? 'within 10%' : "$ratio", " of what memory_get_usage() grew by, calls ", $plain['big_calls'],
    ", autoload ", json_encode($plain['auto']), ", eval ", $plain['evals'], "\n";
// opcache keeps the compiled code in shared memory, but the first compile of
// a file in a process (every CLI run) still holds the compiler's scratch
// memory until the request ends: the compile frame must hold that too
$oc = $run(mp_php_opcache_argv('opcache.jit=disable'));
$ratio = $oc['big_bytes'] / $oc['grew'];
echo "opcache: cached ", json_encode($oc['cached']), ", entry ", json_encode($oc['entry']), ", compile holds ",
    abs($ratio - 1) <= 0.10 ? 'within 10%' : "$ratio", " of what memory_get_usage() grew by",
    ", autoload ", json_encode($oc['auto']), ", eval ", $oc['evals'], "\n";
?>
--EXPECT--
without opcache: entry true, the 2 MB include's compile holds over 1.5 MB, within 10% of what memory_get_usage() grew by, calls 1, autoload true, eval 1
opcache: cached true, entry true, compile holds within 10% of what memory_get_usage() grew by, autoload true, eval 1
