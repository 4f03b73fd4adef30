--TEST--
Generators: yield from, destroyed mid-iteration, finally blocks that allocate
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$kept = [];
function inner() {
    for ($i = 0; $i < 3; $i++) {
        yield str_repeat('g', rt(2000));
    }
}
function outer() {
    yield from inner();
    yield str_repeat('o', rt(3000));
}
function withFinally() {
    try {
        yield 1;
        yield 2;
    } finally {
        $GLOBALS['kept'][] = str_repeat('z', rt(4000));
    }
}
function consume() {
    foreach (outer() as $v) $GLOBALS['kept'][] = $v;
}
memprof_enable();
consume();
$g = withFinally();
$g->current();
unset($g);          // destroyed mid-iteration: the finally block runs and allocates
$h = inner();
$h->current();
$h = null;          // destroyed after its first yield
$after = str_repeat('a', rt(5000));
$d = memprof_dump_array();
$blocks = function (array $n, string $want) use (&$blocks) {
    $s = 0;
    foreach ($n['called_functions'] as $name => $c) {
        if ($name === 'str_repeat') continue;
        $s += ($c['called_functions']['str_repeat'][$want] ?? 0) * ($name !== '' ? 1 : 0);
        $s += $blocks($c, $want);
    }
    return $s;
};
mp_dump(count($kept));
mp_dump(array_sum(array_map('strlen', $kept)));
// everything kept is attributed somewhere below main, nothing lost or doubled
mp_dump(mp_node($d, mp_main())['memory_size_inclusive'] >= 6032 + 3032 + 4032 + 5032);
mp_dump(mp_node($d, mp_main(), 'str_repeat')['memory_size']);
mp_dump(mp_node($d, mp_main(), 'withFinally', 'str_repeat')['memory_size']);
memprof_disable();
?>
--EXPECT--
int(5)
int(13000)
bool(true)
int(5032)
int(4032)
