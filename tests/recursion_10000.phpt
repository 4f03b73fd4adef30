--TEST--
10 000-deep recursion: no crash, totals right, every export works
--EXTENSIONS--
memprof
--INI--
memory_limit=1G
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function down($n) {
    $s = str_repeat('r', rt(50));
    if ($n > 1) return down($n - 1) . '';
    return $s;
}
memprof_enable();
down(10000);
$keep = [];
function hold($n, &$keep) { $keep[] = str_repeat('h', rt(10)); if ($n > 1) hold($n - 1, $keep); }
hold(10000, $keep);
$d = memprof_dump_array();
mp_dump(mp_node($d, mp_main(), 'hold')['blocks_count_inclusive'] >= 10000);
$tmp = tempnam(sys_get_temp_dir(), 'r');
foreach (['memprof_dump_callgrind', 'memprof_dump_pprof', 'memprof_dump_folded'] as $fn) {
    $f = fopen($tmp, 'w');
    $fn($f);
    fclose($f);
    mp_dump(filesize($tmp) > 1000);
}
unlink($tmp);
memprof_disable();
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
