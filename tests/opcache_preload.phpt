--TEST--
opcache.preload: functions and classes preloaded at startup (in shared memory for the whole process) are attributed like any other; the preloading itself writes no profile
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n" . <<<'PHP'
$preloaded = (new ReflectionFunction('mp_preloaded_keep'))->getFileName() === __DIR__ . '/preload.php'
    && isset(opcache_get_status(false)['preload_statistics']);
$k = mp_preloaded_keep(rt(3000));
$o = MpPreloaded::make(rt(6000))->add(rt(7000));
$d = memprof_dump_array();
$main = 'main ' . __FILE__;
echo json_encode([
    'preloaded' => $preloaded,
    'cached' => opcache_is_script_cached(__FILE__),
    'roots' => count($d['called_functions']),
    'keep' => mp_node($d, $main, 'mp_preloaded_keep', 'str_repeat')['memory_size'] ?? null,
    'make' => mp_node($d, $main, 'MpPreloaded::make', 'MpPreloaded::add', 'str_repeat')['memory_size'] ?? null,
    'add' => mp_node($d, $main, 'MpPreloaded::add', 'str_repeat')['memory_size'] ?? null,
    'calls' => mp_calls(mp_node($d, $main, 'MpPreloaded::make', 'MpPreloaded::add'), 1),
]), "\n";
PHP);
file_put_contents($script, str_replace("__DIR__ . '/preload.php'", var_export(__DIR__ . '/inc/preload.php', true), file_get_contents($script)));
$argv = mp_php_opcache_argv('opcache.jit=disable', 'opcache.preload=' . __DIR__ . '/inc/preload.php',
    'memprof.output_dir=' . $dir, 'memprof.output_format=folded');
// as root, opcache preloads only as the user it is told to
if (trim((string) shell_exec('id -u')) === '0') array_push($argv, '-d', 'opcache.preload_user=root');
$p = proc_open([...$argv, $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null,
    ['MEMPROF_PROFILE' => '1'] + getenv());
echo stream_get_contents($pipes[1]);
proc_close($p);
echo count(glob("$dir/memprof.*")), " profile\n";
?>
--EXPECT--
{"preloaded":true,"cached":true,"roots":2,"keep":3032,"make":6032,"add":7032,"calls":1}
1 profile
