--TEST--
blocks allocated before memprof_enable() and freed after it, in the same pages as tracked blocks of the same size, leave the counters exact
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';

function mk(int $n, int $len): array {
    $a = [];
    for ($i = 0; $i < $n; $i++) {
        $a[] = str_repeat('a', rt($len));   // 40 bytes + 32 of header: 72 bytes each
    }
    return $a;
}

$old = mk(5000, 40);      // not profiled yet
memprof_enable();
$new = mk(3000, 40);      // same size class, interleaved in the pages $old left
unset($old);              // 5000 frees of blocks memprof never saw
$d = memprof_dump_array();
$site = mp_node($d, mp_main(), 'mk', 'str_repeat');
mp_dump($site['memory_size'] === 3000 * 72, $site['blocks_count']);
$before = $d['memory_size_inclusive'];

unset($new);
$d = memprof_dump_array();
mp_dump(mp_node($d, mp_main(), 'mk', 'str_repeat')['memory_size']);
mp_dump($before - $d['memory_size_inclusive'] >= 3000 * 72);
memprof_disable();
?>
--EXPECT--
bool(true)
int(3000)
int(0)
bool(true)
