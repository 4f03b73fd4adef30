--TEST--
Counter integrity: the in-use total equals the sizes of the blocks known to be live, after churn, realloc growth and frees
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function grow_string() {
    $s = '';
    for ($i = 0; $i < 2000; $i++) $s .= 'abcdefgh';   // realloc growth
    return $s;
}
function grow_array() {
    $a = [];
    for ($i = 0; $i < 5000; $i++) $a[] = $i;          // packed array growth
    return $a;
}
function churn() {
    for ($i = 0; $i < 1000; $i++) { $t = [str_repeat('x', rt(64)), new stdClass]; }
}
memprof_enable();
$before = memprof_dump_array()['memory_size_inclusive'];
$m0 = memory_get_usage();
$s = grow_string();
$a = grow_array();
churn();
$d = memprof_dump_array();
$gs = mp_node($d, mp_main(), 'grow_string');
$ga = mp_node($d, mp_main(), 'grow_array');
$ch = mp_node($d, mp_main(), 'churn');
// the profile's in-use total moves exactly by the freed blocks' sizes
unset($s, $a);
$d2 = memprof_dump_array();
memprof_disable();
// one live string of 16000 chars: zend_string header 24 + 16000 + 1, rounded to 8
mp_dump($gs['memory_size_inclusive'], $gs['blocks_count_inclusive']);
// one packed array of 5000 zvals: the HashTable and its data block, 8192 slots of 16 bytes
mp_dump($ga['blocks_count_inclusive'], $ga['memory_size_inclusive'] >= 8192 * 16);
mp_dump($ch['memory_size_inclusive'], $ch['blocks_count_inclusive']);
mp_dump($gs['alloc_blocks_count_inclusive'] > 1, $ch['alloc_blocks_count_inclusive'] >= 3000);
mp_dump($d2['memory_size_inclusive'] - $d['memory_size_inclusive'] === -($gs['memory_size_inclusive'] + $ga['memory_size_inclusive']));
mp_dump($d2['blocks_count_inclusive'] - $d['blocks_count_inclusive'] === -3);
?>
--EXPECT--
int(16032)
int(1)
int(2)
bool(true)
int(0)
int(0)
bool(true)
bool(true)
bool(true)
bool(true)
