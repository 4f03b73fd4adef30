--TEST--
A string kept by a function is attributed to main > fn > str_repeat with its exact size
--EXTENSIONS--
memprof
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
var_dump($n['memory_size'], $n['blocks_count'], mp_calls($n, 1));
var_dump($n['alloc_memory_size'], $n['peak_memory_size']);
$k = mp_node($d, mp_main(), 'keep');
var_dump($k['memory_size'], $k['memory_size_inclusive'], $k['blocks_count_inclusive'], mp_calls($k, 1));
// the exact line of each frame, as the folded export shows it
$main = mp_main();
$file = __FILE__;
$stack = "$main ($file:7);keep ($file:4);str_repeat (php:internal:0)";
var_dump(mp_folded()[$stack] ?? null);
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
