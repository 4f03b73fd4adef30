--TEST--
A block freed before the dump leaves in-use counters but stays in the allocation totals
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function churn() {
    $s = str_repeat('a', rt(50000));
    unset($s);
}
memprof_enable();
churn();
churn();
$n = mp_node(memprof_dump_array(), mp_main(), 'churn', 'str_repeat');
mp_dump($n['memory_size'], $n['blocks_count']);
mp_dump($n['alloc_memory_size'], $n['alloc_blocks_count'], mp_calls($n, 2));
memprof_disable();
?>
--EXPECT--
int(0)
int(0)
int(100064)
int(2)
int(2)
