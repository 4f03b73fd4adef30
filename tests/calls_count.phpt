--TEST--
calls counts entries of a function on each path (call observer on)
--EXTENSIONS--
memprof
--INI--
memprof.observer=on
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function leaf() { $x = [1]; $x[] = 2; return $x; }  // not a constant: opcache would inline it
function a() { for ($i = 0; $i < 7; $i++) leaf(); }
function b() { leaf(); leaf(); }
memprof_enable();
a();
a();
b();
$d = memprof_dump_array();
mp_dump(mp_node($d, mp_main(), 'a')['calls']);
mp_dump(mp_node($d, mp_main(), 'a', 'leaf')['calls']);
mp_dump(mp_node($d, mp_main(), 'b')['calls']);
mp_dump(mp_node($d, mp_main(), 'b', 'leaf')['calls']);
mp_dump(mp_node($d, mp_main())['calls']);
memprof_disable();
?>
--EXPECT--
int(2)
int(14)
int(1)
int(2)
int(1)
