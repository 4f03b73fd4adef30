--TEST--
gc_collect_cycles(), usort/array_map callbacks, static methods, closures, eval
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
class Node { public $other; public $pad; }
class Sorter { static function cmp($a, $b) { $GLOBALS['kept'][] = str_repeat('u', rt(10)); return $a <=> $b; } }
$kept = [];
memprof_enable();
for ($i = 0; $i < 100; $i++) { $a = new Node; $b = new Node; $a->other = $b; $b->other = $a; $a->pad = str_repeat('p', rt(1000)); }
unset($a, $b);
$collected = gc_collect_cycles();
$arr = [5, 3, 9, 1];
usort($arr, ['Sorter', 'cmp']);
$m = array_map(fn($x) => str_repeat('m', rt(300)), [1, 2, 3]);
eval('$GLOBALS["fromEval"] = str_repeat("v", rt(6000));');
$d = memprof_dump_array();
mp_dump($collected >= 198);
mp_dump(mp_node($d, mp_main(), 'usort', 'Sorter::cmp', 'str_repeat')['blocks_count'] === count($kept));
mp_dump(mp_node($d, mp_main(), 'array_map', '{closure}', 'str_repeat')['memory_size']);
$evalName = null;
foreach (mp_node($d, mp_main())['called_functions'] as $name => $n) if (str_contains($name, "eval()'d code")) $evalName = $name;
mp_dump($evalName !== null, mp_node($d, mp_main(), $evalName, 'str_repeat')['memory_size']);
// the cycles' pad strings were freed by the collector
mp_dump(mp_node($d, mp_main(), 'str_repeat')['memory_size'] < 2 * 1032);
memprof_disable();
?>
--EXPECT--
bool(true)
bool(true)
int(996)
bool(true)
int(6032)
bool(true)
