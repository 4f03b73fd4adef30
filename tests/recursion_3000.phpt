--TEST--
3000-deep recursion: every level gets its own frame and the totals add up
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function down($n, &$keep) {
    $keep[] = str_repeat('r', rt(100));
    if ($n > 1) down($n - 1, $keep);
}
$keep = [];
memprof_enable();
down(3000, $keep);
$d = memprof_dump_array();
$n = mp_node($d, mp_main(), 'down');
$depth = 0;
$strs = 0;
while ($n) {
    $depth++;
    $strs += $n['called_functions']['str_repeat']['blocks_count'] ?? 0;
    $n = $n['called_functions']['down'] ?? null;
}
mp_dump($depth, $strs);
mp_dump(mp_calls(mp_node($d, mp_main(), 'down'), 1));
memprof_disable();
?>
--EXPECT--
int(3000)
int(3000)
int(1)
