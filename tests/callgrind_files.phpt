--TEST--
callgrind: every function block has its file and a cost line (zeros for a function that only calls), so KCachegrind and callgrind_annotate show each function under its real file, constructors and getters too
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (!trim((string) shell_exec('command -v callgrind_annotate'))) die('skip callgrind_annotate (valgrind) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
memprof_enable();
require __DIR__ . '/inc/app_small.php';
$kept = app_main();
$flags = memprof_enabled_flags();
$file = tempnam(sys_get_temp_dir(), 'cg');
$f = fopen($file, 'w');
memprof_dump_callgrind($f);
fclose($f);
memprof_disable();
// every fn= block: a file before it and at least one cost line in it
$blocks = preg_split('/\n\n/', trim(substr(file_get_contents($file), strpos(file_get_contents($file), "\n\nfl="))));
$bad = [];
foreach ($blocks as $b) {
    $lines = explode("\n", $b);
    if (str_starts_with($b, 'totals:')) continue;
    // a cost line right after calls= is the call's; any other is the function's own
    $own = false;
    for ($i = 2; $i < count($lines); $i++) {
        $own = $own || (preg_match('/^\d+( \d+){6}$/', $lines[$i]) && !str_starts_with($lines[$i - 1], 'calls='));
    }
    if (!str_starts_with($lines[0], 'fl=') || !str_starts_with($lines[1] ?? '', 'fn=') || !$own) {
        $bad[] = $lines[1] ?? $lines[0];
    }
}
echo "blocks without a file or an own cost line: ", json_encode($bad), "\n";
$out = shell_exec('cd ' . escapeshellarg(sys_get_temp_dir()) . ' && callgrind_annotate --threshold=100 ' . escapeshellarg($file) . ' 2>&1');
unlink($file);
$where = [];
foreach (explode("\n", $out) as $line) {
    if (preg_match('/\s((?:\S+\.php)|php:internal|php:engine):(.+)$/', rtrim($line), $m)) {
        $where[$m[2]][] = $m[1];
    }
}
$app = __DIR__ . '/inc/app_small.php';
foreach (['Repo::__construct' => $app, 'Repo::rows' => $app, 'Repo::load' => $app, 'app_report' => $app,
        '{closure}' => $app, 'compile app_small.php' => $app, 'main ' . basename(__FILE__) => __FILE__,
        'getenv' => 'php:internal', 'explode' => 'php:internal', '(engine)' => 'php:engine'] as $fn => $want) {
    // without the call observer, functions are seen only when they allocate
    $absent = !isset($where[$fn]) && !$flags['calls'] && in_array($fn, ['Repo::rows', 'getenv'], true);
    echo "$fn: ", ($where[$fn] ?? []) === [$want] || $absent ? 'its file' : json_encode($where[$fn] ?? null), "\n";
}
echo "unknown files: ", json_encode(array_keys(array_filter($where, fn($files) => array_intersect($files, ['???', '(unknown)'])))), "\n";
?>
--EXPECT--
blocks without a file or an own cost line: []
Repo::__construct: its file
Repo::rows: its file
Repo::load: its file
app_report: its file
{closure}: its file
compile app_small.php: its file
main callgrind_files.php: its file
getenv: its file
explode: its file
(engine): its file
unknown files: []
