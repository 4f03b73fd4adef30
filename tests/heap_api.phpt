--TEST--
memprof_dump_heap(): formats, errors (never a half-written file reported as success), profiling off, and dumps inside generators, fibers and destructors that change nothing
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();

// profiling off: a snapshot without sites
$r = memprof_dump_heap("$dir/off.phpheap");
mp_dump($r['sites'], $r['unattributed_bytes'], substr(file_get_contents("$dir/off.phpheap"), 0, 8));

$tries = [
    'bad format' => fn () => memprof_dump_heap("$dir/x", ['format' => 'xml']),
    'unknown option' => fn () => memprof_dump_heap("$dir/x", ['colour' => 1]),
    'not a stream or path' => fn () => memprof_dump_heap(42),
    'empty path' => fn () => memprof_dump_heap(''),
    'read-only stream' => fn () => memprof_dump_heap(fopen(__FILE__, 'r')),
    'closed stream' => function () { $f = fopen('php://memory', 'w'); fclose($f); memprof_dump_heap($f); },
    'missing directory' => fn () => memprof_dump_heap("$dir/no/such/dir/h.phpheap"),
];
foreach ($tries as $what => $fn) {
    try {
        $fn();
        echo "$what: no error\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', str_replace($dir, 'DIR', $e->getMessage()), "\n";
    }
}
echo 'files left: ', implode(',', array_map('basename', glob("$dir/*"))), "\n";

memprof_enable();
// every format, to a stream and to a path
$m = fopen('php://memory', 'w+');
$r = memprof_dump_heap($m, ['format' => 'heapsnapshot']);
rewind($m);
$hs = json_decode(stream_get_contents($m), true);
echo 'heapsnapshot: ', $hs['snapshot']['node_count'] === $r['nodes'] && count($hs['nodes']) === 7 * $r['nodes']
    && count($hs['edges']) === 3 * $r['edges'] ? 'consistent' : 'inconsistent', "\n";
memprof_dump_heap("$dir/m.json", ['format' => 'meminfo']);
$mi = json_decode(file_get_contents("$dir/m.json"), true);
echo 'meminfo: ', implode(',', array_keys($mi['header'])), "\n";

// inside a generator, a fiber and a destructor: the dump changes nothing
class D { public $v; function __destruct() { $r = memprof_dump_heap($GLOBALS['dir'] . '/d.phpheap'); echo 'destructor: ', $r['nodes'] > 0 ? 'dumped' : 'no', "\n"; } }
function g() { $x = [1, 2, rt(3)]; $r = memprof_dump_heap($GLOBALS['dir'] . '/g.phpheap'); yield count($x) + ($r['nodes'] > 0); }
foreach (g() as $v) echo "generator: $v\n";
$f = new Fiber(function () { $in = new ArrayObject([1]); Fiber::suspend(memprof_dump_heap($GLOBALS['dir'] . '/f.phpheap')['nodes'] > 0); return count($in); });
echo 'fiber: ', $f->start() ? 'dumped' : 'no', ', ', (function () use ($f) { $f->resume(); return $f->getReturn(); })(), "\n";
$o = new D;
$o->v = $o;   // a cycle: only the collector frees it
$before = gc_status()['runs'];
memprof_dump_heap("$dir/c.phpheap");
echo 'collector runs by the dump: ', gc_status()['runs'] - $before, "\n";
unset($o);
$n = gc_collect_cycles();
echo "collected: $n\n";
echo "done\n";
?>
--EXPECT--
bool(false)
int(0)
string(8) "MPHEAP02"
bad format: ValueError: memprof_dump_heap(): Argument #2 ($options) option 'format' must be one of native, meminfo, heapsnapshot
unknown option: ValueError: memprof_dump_heap(): Argument #2 ($options) has an unknown option 'colour'; known options: format
not a stream or path: TypeError: memprof_dump_heap(): Argument #1 ($out) must be of type resource|string, int given
empty path: ValueError: memprof_dump_heap(): Argument #1 ($out) must be a non-empty path without NUL bytes
read-only stream: ValueError: memprof_dump_heap(): Argument #1 ($out) must be a writable stream, opened with mode 'r'
closed stream: TypeError: memprof_dump_heap(): supplied resource is not a valid stream resource
missing directory: Exception: memprof_dump_heap(): cannot create 'DIR/no/such/dir/h.phpheap': No such file or directory
files left: off.phpheap
heapsnapshot: consistent
meminfo: memory_usage,memory_usage_real,peak_memory_usage,peak_memory_usage_real
generator: 4
fiber: dumped, 1
collector runs by the dump: 0
destructor: dumped
collected: 1
done
