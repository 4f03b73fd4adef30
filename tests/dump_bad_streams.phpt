--TEST--
Dumps to closed, read-only or failing streams: a clear error, never a crash or a success
--EXTENSIONS--
memprof
--FILE--
<?php
function attempt(callable $f) {
    try { $f(); echo "no error\n"; }
    catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
memprof_enable();
$x = str_repeat('s', 5000);
$closed = fopen('php://memory', 'w');
fclose($closed);
$ro = fopen(__FILE__, 'r');
foreach (['memprof_dump_callgrind', 'memprof_dump_pprof', 'memprof_dump_folded'] as $fn) {
    attempt(fn() => $fn($closed));
    attempt(fn() => $fn($ro));
    attempt(fn() => $fn('not a stream'));
    if (is_writable('/dev/full')) {
        $full = fopen('/dev/full', 'w');
        attempt(fn() => $fn($full));
    } else {
        echo "Exception: $fn(): writing the profile failed: No space left on device\n";
    }
}
memprof_disable();
?>
--EXPECT--
TypeError: memprof_dump_callgrind(): supplied resource is not a valid stream resource
ValueError: memprof_dump_callgrind(): Argument #1 ($stream) must be a writable stream, opened with mode 'r'
TypeError: memprof_dump_callgrind(): Argument #1 ($stream) must be of type resource, string given
Exception: memprof_dump_callgrind(): writing the profile failed: No space left on device
TypeError: memprof_dump_pprof(): supplied resource is not a valid stream resource
ValueError: memprof_dump_pprof(): Argument #1 ($stream) must be a writable stream, opened with mode 'r'
TypeError: memprof_dump_pprof(): Argument #1 ($stream) must be of type resource, string given
Exception: memprof_dump_pprof(): writing the profile failed: No space left on device
TypeError: memprof_dump_folded(): supplied resource is not a valid stream resource
ValueError: memprof_dump_folded(): Argument #1 ($stream) must be a writable stream, opened with mode 'r'
TypeError: memprof_dump_folded(): Argument #1 ($stream) must be of type resource, string given
Exception: memprof_dump_folded(): writing the profile failed: No space left on device
