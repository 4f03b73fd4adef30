--TEST--
live-block map: exact bytes and blocks for every small size class, around the 16 KiB record limit, large and huge blocks, through frees and in-place growth
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';

/* what the Zend heap is asked for by str_repeat('x', $n): a zend_string of
 * $n bytes after its aligned header (lengths 0 and 1 are interned) */
function rep_size(int $n): int { return $n < 2 ? 0 : 32 + $n; }

function keep(array $lens): array {
    $out = [];
    foreach ($lens as $n) {
        $out[] = str_repeat('x', rt($n));
    }
    return $out;
}

function grow(int $steps): string {
    $s = str_repeat('g', rt(10));
    for ($i = 0; $i < $steps; $i++) {
        $s .= str_repeat('g', rt(1000));   // the string is reallocated as it grows
    }
    return $s;
}

$lens = [];
for ($n = 2; $n <= 3100; $n += 5) {      // every small size class, and the first large sizes
    $lens[] = $n;
}
foreach ([16350, 16351, 16352, 100000, 3 * 1024 * 1024] as $n) {
    $lens[] = $n;                         // sizes below, at and above 2^14 - 1; large; huge
}
$expect = array_sum(array_map('rep_size', $lens));

memprof_enable();
$kept = keep($lens);
$g = grow(40);
$d = memprof_dump_array();
$site = mp_node($d, mp_main(), 'keep', 'str_repeat');
mp_dump($site['memory_size'] === $expect, $site['blocks_count'] === count($lens));
mp_dump($site['memory_size'], $expect);

/* free every other block, big ones included */
$freed = 0;
foreach ($kept as $i => $s) {
    if ($i % 2) {
        $freed += rep_size(strlen($s));
        unset($kept[$i]);
    }
}
$d = memprof_dump_array();
$site = mp_node($d, mp_main(), 'keep', 'str_repeat');
mp_dump($site['memory_size'] === $expect - $freed, $site['blocks_count'] === intdiv(count($lens) + 1, 2));
mp_dump($site['alloc_memory_size'] === $expect);

/* the grown string: one live block of its final size, in grow() itself;
 * the VM asks for header + bytes, the JIT for the aligned string size */
$gnode = mp_node($d, mp_main(), 'grow');
$len = strlen($g);
mp_dump(in_array($gnode['memory_size'], [32 + $len, (25 + $len + 7) & ~7], true), $gnode['blocks_count_inclusive']);

unset($kept, $g, $s);
$d = memprof_dump_array();
mp_dump(mp_node($d, mp_main(), 'keep', 'str_repeat')['memory_size'], mp_node($d, mp_main(), 'grow')['memory_size_inclusive']);
memprof_disable();
?>
--EXPECTF--
bool(true)
bool(true)
int(%d)
int(%d)
bool(true)
bool(true)
bool(true)
bool(true)
int(1)
int(0)
int(0)
