--TEST--
pprof's web UI (go tool pprof -http): the bytes of internal functions (explode, str_repeat) are the same in its top table and in its source view, and equal the profile's, so internal functions are not added together in the source view
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (!trim((string) shell_exec('command -v go'))) die('skip go (golang-go) not installed'); ?>
<?php if (!trim((string) shell_exec('command -v curl'))) die('skip curl not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
memprof_enable();
require __DIR__ . '/inc/app_small.php';
$kept = app_main();
$d = memprof_dump_array();
$file = tempnam(sys_get_temp_dir(), 'pp');
$f = fopen($file, 'w');
memprof_dump_pprof($f);
fclose($f);
memprof_disable();
// in-use bytes of each internal function over all its paths, from the array dump
$bytes = [];
$walk = function (array $n) use (&$walk, &$bytes) {
    foreach ($n['called_functions'] as $name => $c) {
        $bytes[$name] = ($bytes[$name] ?? 0) + $c['memory_size'];
        $walk($c);
    }
};
$walk($d);
// pprof's label: two decimals, without ".00" (PHP 8.5's explode holds 60kB)
$fmt = fn(int $b) => preg_replace('/\.00$/', '', sprintf('%.2f', $b / 1024)) . 'kB';

// the server, in a process group of its own so that stopping it stops pprof too
$port = 20000 + getmypid() % 20000;
$log = tempnam(sys_get_temp_dir(), 'pph');
$pgid = (int) shell_exec('setsid sh -c \'echo $$; exec go tool pprof -http=127.0.0.1:' . $port . ' -no_browser '
    . escapeshellarg($file) . ' >' . escapeshellarg($log) . ' 2>&1\' & sleep 0.2');
$get = fn(string $path) => (string) shell_exec("curl -sf --max-time 20 http://127.0.0.1:$port$path");
$top = '';
for ($i = 0; $i < 120 && $top === ''; $i++) {
    usleep(250000);
    $top = $get('/ui/top');
}
$source = $get('/ui/source');
shell_exec("kill -- -$pgid 2>/dev/null");
echo 'server answered: ', json_encode($top !== '' && $source !== ''), "\n";
foreach (['explode', 'str_repeat'] as $fn) {
    // top: the table's data, one JSON object per function
    preg_match('/"Name":"' . $fn . '","InlineLabel":"[^"]*","Flat":(\d+)/', $top, $t);
    // source: a block per function, "Total: FLAT CUM (flat, cum)"
    preg_match('/<h2>' . $fn . '<\/h2><p class="filename">([^<]*)<\/p>\s*<pre[^>]*>\s*Total:\s+(\S+)/', $source, $s);
    $want = $bytes[$fn];
    echo "$fn: top ", ($t[1] ?? null) == $want ? 'right' : json_encode($t[1] ?? null),
        ', source ', ($s[2] ?? null) === $fmt($want) ? 'right' : json_encode($s[2] ?? null) . ' for ' . $fmt($want),
        ' in ', $s[1] ?? '?', "\n";
}
unlink($file);
unlink($log);
?>
--EXPECT--
server answered: true
explode: top right, source right in php:internal/explode
str_repeat: top right, source right in php:internal/str_repeat
