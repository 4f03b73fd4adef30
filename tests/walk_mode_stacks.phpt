--TEST--
Without the call observer (memprof.observer=off): stacks from walking the engine's frames stay exact when returned frames' addresses are reused by other callers, other lines and other closures; calls are 0
--EXTENSIONS--
memprof
--INI--
memprof.observer=off
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function leaf(int $n) { return str_repeat('x', rt($n)); }
function a() { return leaf(1000); }
function b() { return leaf(2000); }
function two_lines() {
    $a = leaf(300); // nothing allocated in between: the frames are the same,
    $b = leaf(400); // only two_lines' line differs
    return [$a, $b];
}
$size = fn(int $n) => $n + 32; // what str_repeat asks the ZMM for: header, NUL, alignment
mp_dump(memprof_enabled_flags()['calls']);
memprof_enable();
$keep = [];
for ($i = 0; $i < 3; $i++) {
    // a's and b's frames, and leaf's under them, take the same addresses in turn
    $keep[] = a();
    $keep[] = b();
    $keep[] = two_lines();
    // two closures, each freed before the next is made: one may take the other's address
    $f = $i % 2 ? function () { return str_repeat('c', rt(100)); }
                : function () { return str_repeat('d', rt(200)); };
    $keep[] = $f();
    unset($f);
}
$d = memprof_dump_array();
$main = mp_main();
mp_dump(mp_node($d, $main, 'a', 'leaf', 'str_repeat')['memory_size'] === 3 * $size(1000));
mp_dump(mp_node($d, $main, 'b', 'leaf', 'str_repeat')['memory_size'] === 3 * $size(2000));
mp_dump(mp_node($d, $main, 'a', 'leaf', 'str_repeat')['blocks_count'], mp_node($d, $main, 'b', 'leaf', 'str_repeat')['blocks_count']);
$calls = [];
array_walk_recursive($d['called_functions'], function ($v, $k) use (&$calls) { if ($k === 'calls') $calls[$v] = true; });
mp_dump(array_keys($calls));

$folded = mp_folded();
$file = __FILE__;
$main = mp_main_label();
$at = fn(string ...$frames) => $folded[implode(';', $frames)] ?? null;
// two_lines() called leaf() from lines 7 and 8: two paths
mp_dump($at("$main ($file:19)", "two_lines ($file:7)", "leaf ($file:3)", 'str_repeat (php:internal:0)') === 3 * $size(300));
mp_dump($at("$main ($file:19)", "two_lines ($file:8)", "leaf ($file:3)", 'str_repeat (php:internal:0)') === 3 * $size(400));
// each closure's bytes under its own line: 'c' for $i = 1, 'd' for $i = 0 and 2
mp_dump($at("$main ($file:23)", "{closure} ($file:21)", 'str_repeat (php:internal:0)') === 1 * $size(100));
mp_dump($at("$main ($file:23)", "{closure} ($file:22)", 'str_repeat (php:internal:0)') === 2 * $size(200));
memprof_disable();
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
int(3)
int(3)
array(1) {
  [0]=>
  int(0)
}
bool(true)
bool(true)
bool(true)
bool(true)
