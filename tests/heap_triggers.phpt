--TEST--
Heap snapshots from the triggers: memprof.dump_signal_writes (with profiling off), memprof.dump_on_limit_heap (the fatal error names both files); invalid values refused with the accepted ones
--SKIPIF--
<?php
if (PHP_OS_FAMILY !== 'Linux') die('skip Linux signals');
?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
// the warnings as they are, without Xdebug's call stacks
set_error_handler(function (int $no, string $msg) { echo "Warning: $msg\n"; return true; });
foreach (['memprof.dump_signal_writes' => 'heapsnapshot', 'memprof.heap_format' => 'json', 'memprof.dump_on_limit_heap' => 'maybe'] as $k => $v) {
    mp_dump(ini_set($k, $v));
}
restore_error_handler();
mp_dump(ini_get('memprof.dump_signal_writes'), ini_get('memprof.heap_format'));
$dir = mp_tmpdir();
$cli = PHP_BINARY . ' -n ' . escapeshellarg(dirname(__DIR__) . '/bin/memprof') . ' heap ';

// the memory limit: the profile and a snapshot of what filled the memory
$script = mp_script($dir, <<<'PHP'
<?php
final class Hog { public string $blob; }
$all = [];
while (true) { $h = new Hog; $h->blob = str_repeat('x', 1000 + count($all) % 3); $all[] = $h; }
PHP);
// USE_ZEND_ALLOC=1: the limit needs the Zend heap, also under valgrind
$out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=dump_on_limit ' . mp_php() . ' -d memory_limit=16M -d memprof.dump_on_limit_heap=on -d '
    . escapeshellarg("memprof.output_dir=$dir") . ' ' . escapeshellarg($script) . ' 2>&1');
// the fatal error's own wording differs under Xdebug: only what we add to it
preg_match('/\(memprof [^)]*\)/', str_replace($dir, 'DIR', (string) $out), $m);
echo preg_replace('/\d{3,}/', 'N', $m[0] ?? "no memprof note in: $out"), "\n";
$snap = glob("$dir/memprof.heap.*.phpheap");
$sum = shell_exec($cli . 'summary --exact -n 3 ' . escapeshellarg($snap[0] ?? 'none'));
echo preg_match('/^\s*(\d+)\s+\d+\s+\d+\s+Hog$/m', $sum, $m) && $m[1] > 1000 ? "Hog counted\n" : "no Hog:\n$sum\n";
array_map('unlink', glob("$dir/memprof.*"));

// the signal, profiling off: a heap snapshot without sites, and the script goes on
if (function_exists('posix_kill') || is_file(ini_get('extension_dir') . '/posix.so')) {
    $script = mp_script($dir, <<<'PHP'
<?php
$keep = [];
for ($i = 0; $i < 50; $i++) { $keep[] = new ArrayObject([$i]); }
posix_kill(getmypid(), SIGUSR2);
for ($i = 0; $i < 100; $i++) { usleep(100); }
echo "still running\n";
PHP);
    $out = shell_exec(mp_php() . ' -d extension=posix -d memprof.dump_signal=SIGUSR2 -d memprof.dump_signal_writes=heap -d '
        . escapeshellarg("memprof.output_dir=$dir") . ' ' . escapeshellarg($script) . ' 2>&1');
    echo preg_replace('/\d{3,}/', 'N', str_replace($dir, 'DIR', trim($out))), "\n";
    $snap = glob("$dir/memprof.heap.*.phpheap");
    $sum = shell_exec($cli . 'summary --exact ' . escapeshellarg($snap[0] ?? 'none'));
    echo preg_match('/^\s*50\s+\d+\s+\d+\s+ArrayObject$/m', $sum) ? "50 ArrayObject\n" : "no ArrayObject:\n$sum\n";
    echo str_contains($sum, 'profiling was off') ? "without sites\n" : "with sites?\n";
} else {
    echo "memprof: SIGUSR2: heap snapshot written to DIR/memprof.heap.N.N.phpheap\nstill running\n50 ArrayObject\nwithout sites\n";
}
?>
--EXPECTF--
Warning: ini_set(): Invalid memprof.dump_signal_writes 'heapsnapshot'; accepted values: profile, heap, both
bool(false)
Warning: ini_set(): Invalid memprof.heap_format 'json'; accepted values: native, meminfo, heapsnapshot
bool(false)
Warning: ini_set(): Invalid memprof.dump_on_limit_heap 'maybe'; accepted values: on, off
bool(false)
string(7) "profile"
string(6) "native"
(memprof dumped to DIR/memprof.callgrind.N.N, heap snapshot to DIR/memprof.heap.N.N.phpheap)
Hog counted
memprof: SIGUSR2: heap snapshot written to DIR/memprof.heap.N.N.phpheap
still running
50 ArrayObject
without sites
