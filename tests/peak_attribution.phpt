--TEST--
Peak: what each path held when the tracked total was highest
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function burst() {
    $big = str_repeat('b', 10 * 1024 * 1024);
    return strlen($big);
}
function keep() {
    return str_repeat('k', 1024 * 1024);
}
memprof_enable();
burst();
$kept = keep();
$d = memprof_dump_array();
$b = mp_node($d, mp_main(), 'burst');
$k = mp_node($d, mp_main(), 'keep');
mp_dump($b['memory_size_inclusive'], $b['peak_memory_size_inclusive'], $b['peak_blocks_count_inclusive']);
mp_dump($k['memory_size_inclusive'], $k['peak_memory_size_inclusive'], $k['peak_blocks_count_inclusive']);
mp_dump($d['peak_memory_size_inclusive'] >= 10 * 1024 * 1024);
mp_dump($d['peak_memory_size_inclusive'] < 10 * 1024 * 1024 + 65536);
memprof_disable();
?>
--EXPECT--
int(0)
int(10485792)
int(1)
int(1048608)
int(0)
int(0)
bool(true)
bool(true)
