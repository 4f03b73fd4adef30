--TEST--
Fibers: many, interleaved, some never finished; allocations land under the fiber's own frames
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$kept = [];
function work(int $id, array &$kept) {
    for ($i = 0; $i < 3; $i++) {
        $kept[] = str_repeat('f', rt(1000));
        Fiber::suspend($i);
    }
}
memprof_enable();
$fibers = [];
for ($id = 0; $id < 20; $id++) {
    $fibers[$id] = new Fiber(function () use ($id, &$kept) { work($id, $kept); });
    $fibers[$id]->start();
}
// interleave: resume every fiber, then leave half of them unfinished
for ($round = 0; $round < 3; $round++) {
    foreach ($fibers as $id => $f) {
        if ($id % 2 === 0 || $round === 0) {
            if (!$f->isTerminated()) $f->resume();
        }
    }
}
$d = memprof_dump_array();
$sum = 0;
$walk = function (array $n, bool $inWork) use (&$walk, &$sum) {
    foreach ($n['called_functions'] as $name => $c) {
        if ($name === 'str_repeat' && $inWork) $sum += $c['blocks_count'];
        $walk($c, $inWork || $name === 'work');
    }
};
$walk($d, false);
mp_dump(count($kept), $sum);
unset($fibers);   // destroys the unfinished fibers
$d = memprof_dump_array();
mp_dump($d['blocks_count_inclusive'] > 0);
memprof_disable();
echo "ok\n";
?>
--EXPECT--
int(50)
int(50)
bool(true)
ok
