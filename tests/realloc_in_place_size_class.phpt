--TEST--
A block reallocated in place to exactly the size of the class below keeps its slot, and the other blocks of its page stay counted
--EXTENSIONS--
memprof
spl
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function make(int $n): array {
    $fas = [];
    for ($i = 0; $i < $n; $i++) {
        $fas[] = new SplFixedArray(8); // a table of 8 zvals: 128 bytes
    }
    return $fas;
}
memprof_enable();
$fas = make(96); // three pages of 128-byte tables
$before = mp_node(memprof_dump_array(), mp_main(), 'make');
// 112 bytes is the size class below 128: the heap keeps the table where it
// is, in a page of the 128-byte class
$fas[50]->setSize(7);
$d = memprof_dump_array();
$after = mp_node($d, mp_main(), 'make');
echo "moved to the reallocating site: ", $before['blocks_count_inclusive'] - $after['blocks_count_inclusive'],
    " block, ", $before['memory_size_inclusive'] - $after['memory_size_inclusive'], " bytes\n";
$ctor = mp_node($d, mp_main(), 'make', 'SplFixedArray::__construct');
echo "still in make: ", $ctor['blocks_count'], " tables, ", $ctor['memory_size'], " bytes\n";
$set = mp_node($d, mp_main(), 'SplFixedArray::setSize');
echo "setSize: ", $set['blocks_count'], " block, ", $set['memory_size'], " bytes\n";
// and back up to 128 bytes, in place again
$fas[50]->setSize(8);
$set = mp_node(memprof_dump_array(), mp_main(), 'SplFixedArray::setSize');
echo "setSize: ", $set['blocks_count'], " block, ", $set['memory_size'], " bytes\n";
// every table freed: nothing of them left anywhere
$fas = null;
$d = memprof_dump_array();
$ctor = mp_node($d, mp_main(), 'make', 'SplFixedArray::__construct');
$set = mp_node($d, mp_main(), 'SplFixedArray::setSize');
echo "after unset: make ", $ctor['blocks_count'], " ", $ctor['memory_size'], ", setSize ", $set['blocks_count'], " ", $set['memory_size'], "\n";
memprof_disable();
?>
--EXPECT--
moved to the reallocating site: 1 block, 128 bytes
still in make: 95 tables, 12160 bytes
setSize: 1 block, 112 bytes
setSize: 1 block, 128 bytes
after unset: make 0 0, setSize 0 0
