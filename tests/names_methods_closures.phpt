--TEST--
Function names: Class::method, static methods, {closure}, internal callbacks
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
class Store {
    public array $items = [];
    function add(int $n) { $this->items[] = str_repeat('i', rt($n)); }
    static function make(): array { return range(1, 100); }
}
memprof_enable();
$s = new Store;
$s->add(3000);
$r = Store::make();
$c = function ($x) { return str_repeat('c', rt(2000)); };
$m = array_map($c, [1, 2]);
$d = memprof_dump_array();
$main = mp_main();
mp_dump(mp_node($d, $main, 'Store::add', 'str_repeat')['memory_size']);
mp_dump(mp_node($d, $main, 'Store::make', 'range')['blocks_count'] > 0);
$cl = mp_node($d, $main, 'array_map', '{closure}', 'str_repeat');
mp_dump($cl['memory_size'], $cl['blocks_count'], mp_calls($cl, 2));
mp_dump(mp_calls(mp_node($d, $main, 'array_map', '{closure}'), 2));
memprof_disable();
?>
--EXPECT--
int(3032)
bool(true)
int(4064)
int(2)
int(2)
int(2)
