--TEST--
Heap snapshots of a leaking worker: ref-path prints the real path (global, service, cache array, key), diff of iterations 100 and 1000 puts the leaking class and its line first
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, <<<'PHP'
<?php
final class Session { public array $data = []; public function __construct(public string $id) {} }
final class Service {
    public array $cache = [];
    public function handle(int $i): int {
        $s = new Session("user:$i");          // line 6: the leak
        $s->data = ['seen' => $i];
        $this->cache["user:$i"] = $s;         // kept forever
        $tmp = str_repeat('x', 100 + $i % 7); // freed every time
        return strlen($tmp);
    }
}
$service = new Service;
memprof_enable();
for ($i = 1; $i <= 1000; $i++) {
    $service->handle($i);
    if ($i === 100 || $i === 1000) {
        memprof_dump_heap($argv[1] . "/at$i.phpheap");
    }
}
PHP);
system(mp_php() . ' ' . escapeshellarg($script) . ' ' . escapeshellarg($dir));
$cli = PHP_BINARY . ' -n ' . escapeshellarg(dirname(__DIR__) . '/bin/memprof') . ' heap ';
$out = shell_exec($cli . 'ref-path --class Session ' . escapeshellarg("$dir/at1000.phpheap"));
echo preg_replace('/\d+ more|node \d+/', 'N', implode("\n", array_slice(explode("\n", trim($out)), 0, 4))), "\n";
$diff = shell_exec($cli . 'diff --exact ' . escapeshellarg("$dir/at100.phpheap") . ' ' . escapeshellarg("$dir/at1000.phpheap"));
$lines = explode("\n", trim($diff));
// the first row after the table header
$row = $lines[array_search(true, array_map(fn ($l) => str_starts_with(ltrim($l), 'count'), $lines), true) + 1];
echo preg_replace('/\s+/', ' ', trim($row)), "\n";
?>
--EXPECTF--
1,000 instances of Session; shortest paths from the roots of a sample of 100, in 1 shape:

   100  $service->cache[*]
        e.g. $service->cache["user:%d"]
+900 +%d +%d 100 → 1000 Session %sscript.php:6 Service::handle
