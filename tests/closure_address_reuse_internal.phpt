--TEST--
A closure of an internal function (str_repeat(...)) and a user closure that reuse one address in turn, called from one line, are two functions
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function run($f, $s, $n) {
    return $f($s, $n);
}
memprof_enable();
for ($i = 0; $i < 6; $i++) {
    // each closure is freed before the next is made: the next one takes its address
    $f = $i % 2
        ? function ($s, $n) { $a = []; for ($k = 0; $k < 10; $k++) { $a[] = str_repeat($s, 100 + $k); } return count($a); }
        : str_repeat(...);
    echo strlen((string) run($f, 'abc', 50)), " ";
    unset($f);
}
echo "\n";
$d = memprof_dump_array();
$internal = mp_node($d, mp_main(), 'run', 'str_repeat');
$user = mp_node($d, mp_main(), 'run', '{closure}');
$inner = mp_node($d, mp_main(), 'run', '{closure}', 'str_repeat');
echo "run: ", mp_calls(mp_node($d, mp_main(), 'run'), 6), "\n";
echo "run > str_repeat: calls ", mp_calls($internal, 3), ", ", $internal['alloc_blocks_count'], " blocks, ", $internal['alloc_memory_size'], " bytes\n";
echo "run > {closure}: calls ", mp_calls($user, 3), "\n";
echo "run > {closure} > str_repeat: calls ", mp_calls($inner, 30), ", ", $inner['alloc_blocks_count'], " blocks\n";
memprof_disable();
?>
--EXPECT--
150 2 150 2 150 2 
run: 6
run > str_repeat: calls 3, 3 blocks, 546 bytes
run > {closure}: calls 3
run > {closure} > str_repeat: calls 30, 30 blocks
