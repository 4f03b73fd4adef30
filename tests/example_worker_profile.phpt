--TEST--
The bundled example (examples/leaky_worker.php) profiled whole: "(engine)" holds under 5% of what is in use at the end, the leaking line holds most of it, and `go tool pprof -top` names each function once, without a path
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (!trim((string) shell_exec('command -v go'))) die('skip go (golang-go) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$example = dirname(__DIR__) . '/examples/leaky_worker.php';
$out = shell_exec('MEMPROF_PROFILE=1 ' . mp_php() . " -d memprof.output_dir=$dir -d memprof.output_format=pprof "
    . escapeshellarg($example) . ' 2>&1');
echo preg_replace('/\d+(\.\d+)?/', 'N', trim($out)), "\n";
$file = glob("$dir/memprof.pprof.*")[0];
$top = (string) shell_exec('go tool pprof -top -nodefraction=0 -unit=B ' . escapeshellarg($file) . ' 2>&1');
$flat = [];
$total = preg_match('/of (\d+)B total/', $top, $m) ? (int) $m[1] : 0;
foreach (explode("\n", $top) as $line) {
    if (preg_match('/^\s*(\d+)B?\s+\S+%\s+\S+%\s+\d+B?\s+\S+%\s+(.+)$/', $line, $r)) {
        $flat[] = [trim($r[2]), (int) $r[1]];
    }
}
$names = array_column($flat, 0);
$bytes = array_column($flat, 1, 0);
echo 'total over 2 MiB: ', json_encode($total > 2 << 20), "\n";
echo '(engine) under 5%: ', json_encode(($bytes['(engine)'] ?? PHP_INT_MAX) < 0.05 * $total), "\n";
echo 'str_repeat (the cache entries) over 90%: ', json_encode(($bytes['str_repeat'] ?? 0) > 0.9 * $total), "\n";
echo 'each function once: ', json_encode(count($names) === count(array_unique($names))), "\n";
echo 'no path in a name: ', json_encode(!array_filter($names, fn($n) => str_contains($n, '/'))), "\n";
echo 'file-level code: ', json_encode(in_array('main leaky_worker.php', $names, true)), "\n";
?>
--EXPECT--
processed N jobs (N bytes of invoices), cache holds N entries, memory N MiB
total over 2 MiB: true
(engine) under 5%: true
str_repeat (the cache entries) over 90%: true
each function once: true
no path in a name: true
file-level code: true
