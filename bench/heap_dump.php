<?php
/*
 * Benchmark of heap snapshots (issue 17): a heap of N objects with 3
 * properties each (an int, a string of its own, a shared group object), held
 * by one array, dumped with memprof_dump_heap(), then `bin/memprof heap
 * summary` and `heap dominators` on the snapshot. Not a timed test: it
 * prints the figures BENCHMARKS.md records.
 *
 *   php -n -d extension=modules/memprof.so bench/heap_dump.php [N] [--profile] [--format F] [--keep DIR]
 *
 * N defaults to 1000000. --profile turns profiling on before building the
 * heap (so every node gets its allocation site). Extra peak memory is the
 * growth of the process's peak resident set (VmHWM) during the dump: memprof's
 * structures are on malloc, outside memory_get_usage().
 */
declare(strict_types=1);

$n = 1000000;
$profile = false;
$format = 'native';
$keep = null;
for ($i = 1; $i < $argc; $i++) {
    $a = $argv[$i];
    if ($a === '--profile') {
        $profile = true;
    } elseif ($a === '--format') {
        $format = $argv[++$i];
    } elseif ($a === '--keep') {
        $keep = $argv[++$i];
    } elseif (preg_match('/^\d+$/', $a)) {
        $n = (int) $a;
    } else {
        fwrite(STDERR, "usage: bench/heap_dump.php [N] [--profile] [--format F] [--keep DIR]\n");
        exit(2);
    }
}
if (!function_exists('memprof_dump_heap')) {
    fwrite(STDERR, "load the extension: php -n -d extension=modules/memprof.so bench/heap_dump.php\n");
    exit(2);
}
ini_set('memory_limit', '-1');

function vm(string $key): int
{
    preg_match('/^' . $key . ':\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);
    return (int) $m[1] * 1024;
}

final class Group
{
    public function __construct(public string $label)
    {
    }
}

final class Item
{
    public function __construct(public int $id, public string $name, public Group $group)
    {
    }
}

if ($profile) {
    memprof_enable();
}
$groups = [];
for ($g = 0; $g < 1000; $g++) {
    $groups[] = new Group("group $g");
}
$items = [];
for ($i = 0; $i < $n; $i++) {
    $items[] = new Item($i, "item-$i", $groups[$i % 1000]);
}
$heap = memory_get_usage();
$heapReal = memory_get_usage(true);

// the peak so far is the heap; VmHWM cannot be reset, so measure growth above it
$rssBefore = vm('VmRSS');
$hwmBefore = vm('VmHWM');
$dir = $keep ?? sys_get_temp_dir() . '/memprof-heap-bench-' . getmypid();
@mkdir($dir, 0700, true);
$ext = ['native' => 'phpheap', 'meminfo' => 'json', 'heapsnapshot' => 'heapsnapshot'][$format];
$file = "$dir/heap.$ext";
$t = microtime(true);
$r = memprof_dump_heap($file, ['format' => $format]);
$dumpSeconds = microtime(true) - $t;
$hwmAfter = vm('VmHWM');
$extra = max(0, $hwmAfter - max($hwmBefore, $rssBefore));

printf("objects: %d x 3 properties (%s)\n", $n, $profile ? 'profiling on: sites recorded' : 'profiling off');
printf("heap: %.1f MB (memory_get_usage), %.1f MB real; RSS before the dump %.1f MB\n",
    $heap / 1e6, $heapReal / 1e6, $rssBefore / 1e6);
printf("dump (%s): %.2f s, %d nodes, %d edges, %.1f MB of nodes, %d unreached objects; file %.1f MB\n",
    $format, $dumpSeconds, $r['nodes'], $r['edges'], $r['bytes'] / 1e6, $r['unreached_objects'], filesize($file) / 1e6);
printf("extra peak memory: %.1f MB (%.0f%% of the heap)\n", $extra / 1e6, 100 * $extra / $heapReal);

if ($format === 'native') {
    $cli = dirname(__DIR__) . '/bin/memprof';
    foreach (['summary', 'dominators'] as $cmd) {
        $t = microtime(true);
        exec(escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg($cli) . " heap $cmd -n 5 " . escapeshellarg($file) . ' 2>&1', $out, $rc);
        printf("heap %s: %.2f s%s\n", $cmd, microtime(true) - $t, $rc === 0 ? '' : " (exit $rc: " . implode(' ', array_slice($out, -3)) . ')');
        $out = [];
    }
}
if ($keep === null) {
    @unlink($file);
    @rmdir($dir);
}
