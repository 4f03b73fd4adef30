--TEST--
Exceptions unwinding through 25 frames leave the stack right for what follows
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function deep($n) {
    $GLOBALS['held'][] = str_repeat('e', rt(100));
    if ($n === 0) throw new RuntimeException('bottom');
    deep($n - 1);
}
function after() { return str_repeat('a', rt(7000)); }
memprof_enable();
for ($i = 0; $i < 3; $i++) {
    try { deep(25); } catch (RuntimeException $e) { }
}
$x = after();
$d = memprof_dump_array();
mp_dump(mp_node($d, mp_main(), 'after', 'str_repeat')['memory_size']);
mp_dump(mp_calls(mp_node($d, mp_main(), 'after'), 1));
mp_dump(mp_calls(mp_node($d, mp_main(), 'deep'), 3));
mp_dump(mp_calls(mp_node($d, mp_main(), 'deep', 'deep'), 3));
mp_dump(mp_node($d, mp_main(), 'str_repeat'));
memprof_disable();
?>
--EXPECT--
int(7032)
int(1)
int(3)
int(3)
NULL
