--TEST--
The .heapsnapshot export loads in memlab, and the retained sizes memlab computes for the top classes equal ours
--SKIPIF--
<?php
if (!trim((string) shell_exec('command -v node')) || !trim((string) shell_exec('command -v npm'))) {
    die('skip node and npm are not installed (test.sh installs them: apt npm); memlab cannot be run');
}
?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
// memlab lives outside the repository; installed once (no browser download)
$npm = getenv('MEMPROF_NPM_DIR') ?: '/var/cache/memprof-npm';
if (!is_dir("$npm/node_modules/@memlab/core")) {
    @mkdir($npm, 0755, true);
    exec('cd ' . escapeshellarg($npm) . ' && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund @memlab/core 2>&1', $log, $rc);
    if ($rc !== 0) {
        echo "npm install of @memlab/core failed:\n", implode("\n", array_slice($log, -5)), "\n";
    }
}

final class Tree { public array $kids = []; public function __construct(public string $label) {} }
final class Leaf { public function __construct(public string $payload) {} }
final class Cache { public array $items = []; }

memprof_enable();
$trees = [];
for ($t = 0; $t < rt(3); $t++) {
    $tree = new Tree("tree $t");
    for ($i = 0; $i < rt(50) * ($t + 1); $i++) {
        $sub = new Tree("sub $i");
        $sub->kids[] = new Leaf(str_repeat('x', rt(100) + $i));
        $tree->kids[] = $sub;
    }
    $trees[] = $tree;
}
$cache = new Cache;
foreach ($trees[0]->kids as $k) {
    $cache->items[] = $k->kids[0];  // shared: no longer dominated by the tree
}
$dir = mp_tmpdir();
memprof_dump_heap("$dir/h.phpheap");
memprof_dump_heap("$dir/h.heapsnapshot", ['format' => 'heapsnapshot']);

$sum = shell_exec(PHP_BINARY . ' -n ' . escapeshellarg(dirname(__DIR__) . '/bin/memprof') . ' heap summary --exact -n 0 ' . escapeshellarg("$dir/h.phpheap"));
$ours = [];
foreach (['Tree', 'Leaf', 'Cache'] as $c) {
    preg_match('/^\s*(\d+)\s+(\d+)\s+(\d+)\s+' . $c . '$/m', $sum, $m);
    $ours[$c] = (int) ($m[3] ?? -1);
}
$js = shell_exec('node ' . escapeshellarg(__DIR__ . '/heap_memlab.js') . ' ' . escapeshellarg($npm) . ' '
    . escapeshellarg("$dir/h.heapsnapshot") . ' Tree Leaf Cache 2>&1');
// memlab writes its progress to stdout too: our line is the JSON one
preg_match('/^\{.*\}$/m', (string) $js, $m);
$theirs = json_decode($m[0] ?? '', true);
if (!is_array($theirs)) {
    echo "memlab did not load the snapshot:\n$js\n";
}
foreach ($ours as $c => $v) {
    echo "$c: ", $v > 0 && $v === (int) ($theirs[$c] ?? -2) ? 'equal' : "ours $v, memlab " . ($theirs[$c] ?? 'none'), "\n";
}
?>
--EXPECT--
Tree: equal
Leaf: equal
Cache: equal
