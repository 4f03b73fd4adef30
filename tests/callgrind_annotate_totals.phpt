--TEST--
callgrind: real lines, callgrind_annotate parses it and its totals equal memprof_dump_array()'s
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
<?php if (!trim((string) shell_exec('command -v callgrind_annotate'))) die('skip callgrind_annotate (valgrind) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function build(int $n) {
    $a = [];
    for ($i = 0; $i < $n; $i++) {
        $a[] = str_repeat('p', rt(200));
    }
    return $a;
}
memprof_enable();
$kept = build(50);
$file = tempnam(sys_get_temp_dir(), 'cg');
$f = fopen($file, 'w');
$arr = memprof_dump_array();
memprof_dump_callgrind($f);
fclose($f);
memprof_disable();
$cg = file_get_contents($file);
echo strtok($cg, "\n"), "\n";
mp_dump(str_contains($cg, "positions: line\n"));
mp_dump(str_contains($cg, "events: MemorySize BlocksCount AllocMemorySize AllocBlocksCount PeakMemorySize PeakBlocksCount\n"));
// str_repeat called from line 6 of build(): 50 calls, or 1 where calls are
// not counted (no call observer, see memprof.observer)
$calls = memprof_enabled_flags()['calls'] ? 50 : 1;
mp_dump(preg_match("/cfn=\\(\\d+\\) str_repeat\ncalls=$calls 0\n6 (\\d+) 50 /", $cg, $m) === 1, (int) $m[1]);
$out = shell_exec('callgrind_annotate ' . escapeshellarg($file) . ' 2>&1');
unlink($file);
preg_match('/^\s*([\d,]+) \([^)]*\)\s+([\d,]+) \([^)]*\)\s+([\d,]+).*PROGRAM TOTALS/m', $out, $t);
$num = fn($s) => (int) str_replace(',', '', $s);
// the array dump happened before the callgrind dump: the totals must agree exactly
mp_dump($num($t[1]) === $arr['memory_size_inclusive']);
mp_dump($num($t[2]) === $arr['blocks_count_inclusive']);
mp_dump($num($t[3]) === $arr['alloc_memory_size_inclusive']);
mp_dump($arr['memory_size_inclusive'] >= 50 * 232);
?>
--EXPECT--
version: 1
bool(true)
bool(true)
bool(true)
int(11600)
bool(true)
bool(true)
bool(true)
bool(true)
