--TEST--
memprof_dump_heap(): every probe is found with its real holder (ArrayObject, SplObjectStorage, closures, generator and fiber locals, statics, handlers, WeakMap values), a shared array is one node, instances are counted exactly
--FILE--
<?php
require __DIR__ . '/inc/common.php';
memprof_enable();

class InAO {} class InSOS {} class InUse {} class InThis { function get() { return function () { return 1; }; } }
class InGen {} class InFiber {} class InFnStatic {} class InClassStatic {} class InHandler {}
class WMKey {} class WMValue {} class Counted {}
class CS { public static $s; }

$ao = new ArrayObject([new InAO]);
$sos = new SplObjectStorage;
$sos[new InSOS] = null; // attach() is deprecated since 8.5
$u = new InUse;
$cl = function () use ($u) { return $u; };
unset($u);
$bound = (new InThis)->get();
function gen() { $local = new InGen; yield 1; yield 2; return $local; }  // used after: the optimizer keeps it
$g = gen();
$g->current();
$f = new Fiber(function () { $local = new InFiber; Fiber::suspend(); return $local; });
$f->start();
function fs() { static $s; $s = new InFnStatic; }
fs();
CS::$s = new InClassStatic;
$h = new InHandler;
set_error_handler(function () use ($h) { return false; });
unset($h);
$wm = new WeakMap;
$k = new WMKey;
$wm[$k] = new WMValue;
$counted = [];
for ($i = 0; $i < rt(1234); $i++) { $counted[] = new Counted; }
$a1 = range(1, rt(10));    // one array, three holders
$a2 = $a1;
$a3 = $a1;

$dir = mp_tmpdir();
$r = memprof_dump_heap("$dir/h.phpheap");
memprof_dump_heap("$dir/h.json", ['format' => 'meminfo']);
// one object is held by nothing the walk sees: mp_tmpdir()'s shutdown function
mp_dump($r['sites'], $r['nodes'] > 100, $r['edges'] > 100, $r['unreached_objects']);

$cli = PHP_BINARY . ' -n ' . escapeshellarg(dirname(__DIR__) . '/bin/memprof') . ' heap ';
foreach (['InAO', 'InSOS', 'InUse', 'InThis', 'InGen', 'InFiber', 'InFnStatic', 'InClassStatic', 'InHandler', 'WMValue', 'WMKey'] as $c) {
    $out = shell_exec($cli . 'ref-path --class ' . $c . ' ' . escapeshellarg("$dir/h.phpheap"));
    preg_match('/e\.g\. (.*)/', $out, $m);
    echo $c, ': ', $m[1] ?? "no path:\n$out", "\n";
}
$sum = shell_exec($cli . 'summary --exact -n 0 --by class,site ' . escapeshellarg("$dir/h.phpheap"));
preg_match('/^\s*(\d+)\s+\d+\s+\d+\s+Counted\s/m', $sum, $m);
echo 'Counted: ', $m[1] ?? "missing\n$sum", "\n";
preg_match_all('/^\s*(\d+)\s+\d+\s+\d+\s+array\s+\S*heap_probes\.php:33\s/m', $sum, $m);
echo 'arrays made on line 33: ', array_sum($m[1]), "\n";

// WeakMap: its values are held, its keys are not
$json = json_decode(file_get_contents("$dir/h.json"), true);
$items = $json['items'];
foreach ($items as $id => $it) {
    if (($it['class'] ?? '') === 'WeakMap') {
        $kids = array_map(fn ($c) => $items[$c]['class'] ?? $items[$c]['type'], $it['children']);
        echo 'WeakMap holds: ', implode(',', $kids), "\n";
    }
    if ($it['type'] === 'array' && in_array($it['symbol_name'] ?? '', ['$a1', '$a2', '$a3'], true)) {
        echo 'one item for $a1, $a2 and $a3: ', $it['symbol_name'], "\n";
    }
}
echo isset($json['header']['memory_usage']) ? "meminfo header ok\n" : "no header\n";
$f->resume();
echo "done\n";
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(1)
InAO: $ao->{#0}[0]
InSOS: $sos->{#0}
InUse: $cl->$u
InThis: $bound->$this
InGen: $g->$local
InFiber: $f->$local
InFnStatic: fs()::$s
InClassStatic: CS::$s
InHandler: set_error_handler()->$h
WMValue: $wm->{#0}
WMKey: $k
Counted: 1234
arrays made on line 33: 1
WeakMap holds: WMValue
one item for $a1, $a2 and $a3: $a1
meminfo header ok
done
