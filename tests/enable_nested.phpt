--TEST--
memprof_enable() three calls deep: stacks are right from the current frame down, and after returning
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function one() { return two(); }
function two() { return three(); }
function three() {
    memprof_enable();
    $GLOBALS['deep'] = str_repeat('d', rt(5000));
    return 1;
}
function after() { return str_repeat('a', rt(9000)); }
one();
$x = after();
$d = memprof_dump_array();
$main = mp_main();
mp_dump(mp_node($d, $main, 'one', 'two', 'three', 'str_repeat')['memory_size']);
mp_dump(mp_calls(mp_node($d, $main, 'one', 'two', 'three'), 1));
mp_dump(mp_node($d, $main, 'after', 'str_repeat')['memory_size']);
mp_dump(mp_calls(mp_node($d, $main, 'after'), 1));
memprof_disable();
?>
--EXPECT--
int(5032)
int(1)
int(9032)
int(1)
