--TEST--
native: 200 new preg_match patterns grow the native total by what PCRE's persistent cache holds, at the preg_match line (under compile_many); the same patterns again add nothing
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--FILE--
<?php
require __DIR__ . '/inc/native.php';

function compile_many(int $n): int {
    $hits = 0;
    for ($i = 0; $i < $n; $i++) {
        $hits += preg_match('/^item' . $i . '-(\d+)[a-z]*$/', "item$i-42");
    }
    return $hits;
}

memprof_enable('native');
$d = memprof_dump_array();
$before = $d['native_memory_size_inclusive'];
$hits = compile_many(rt(200));
$d = memprof_dump_array();
$grew = $d['native_memory_size_inclusive'] - $before;
// PHP 8.4 calls preg_match without a frame of its own when no observer is
// registered (frameless functions): then it is compile_many's line
$at = mp_node($d, mp_main(), 'compile_many');
$held = $at['native_memory_size_inclusive'];
echo "$hits matches; native in use under compile_many: ", $at['native_blocks_count_inclusive'] >= 200 ? 'at least 200 blocks' : $at['native_blocks_count_inclusive'],
    ", ", $held >= 200 * 200 ? 'at least 200 bytes each' : "$held bytes", "\n";
echo "the total grew by what preg_match holds: ", abs($grew - $held) <= $held / 10 ? 'within 10%' : "grew $grew, held $held", "\n";

compile_many(rt(200));
$d = memprof_dump_array();
$again = $d['native_memory_size_inclusive'] - $before - $grew;
echo "the same patterns again: ", abs($again) <= $held / 100 ? 'no growth' : "$again bytes", "\n";
memprof_disable();
?>
--EXPECT--
200 matches; native in use under compile_many: at least 200 blocks, at least 200 bytes each
the total grew by what preg_match holds: within 10%
the same patterns again: no growth
