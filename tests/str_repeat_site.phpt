--TEST--
A string kept by a function is attributed to main > fn > str_repeat with its exact size
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function keep() {
    return str_repeat('x', 100000);
}
memprof_enable();
$kept = keep();
$d = memprof_dump_array();
$n = mp_node($d, mp_main(), 'keep', 'str_repeat');
mp_dump($n['memory_size'], $n['blocks_count'], mp_calls($n, 1));
mp_dump($n['alloc_memory_size'], $n['peak_memory_size']);
$k = mp_node($d, mp_main(), 'keep');
mp_dump($k['memory_size'], $k['memory_size_inclusive'], $k['blocks_count_inclusive'], mp_calls($k, 1));
// the exact line of each frame, as the folded export shows it
$main = mp_main_label();
$file = __FILE__;
$stack = "$main ($file:7);keep ($file:4);str_repeat (php:internal:0)";
mp_dump(mp_folded()[$stack] ?? null);
memprof_disable();
?>
--EXPECT--
int(100032)
int(1)
int(1)
int(100032)
int(100032)
int(0)
int(100032)
int(1)
int(1)
int(100032)
