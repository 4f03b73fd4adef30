--TEST--
Enable twice, disable while off, dumps while off: exceptions with a reason
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
function attempt(callable $f) {
    try { $f(); echo "no exception\n"; }
    catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
mp_dump(memprof_enabled());
attempt(fn() => memprof_disable());
attempt(fn() => memprof_dump_array());
attempt(fn() => memprof_dump_callgrind(STDOUT));
attempt(fn() => memprof_dump_pprof(STDOUT));
attempt(fn() => memprof_dump_folded(STDOUT));
mp_dump(memprof_enable());
attempt(fn() => memprof_enable());
mp_dump(memprof_enabled());
mp_dump(memprof_disable());
mp_dump(memprof_enabled());
mp_dump(is_string(memprof_version()));
?>
--EXPECT--
bool(false)
Exception: memprof_disable(): memprof is not enabled
Exception: memprof_dump_array(): memprof is not enabled; call memprof_enable() first
Exception: memprof_dump_callgrind(): memprof is not enabled; call memprof_enable() first
Exception: memprof_dump_pprof(): memprof is not enabled; call memprof_enable() first
Exception: memprof_dump_folded(): memprof is not enabled; call memprof_enable() first
bool(true)
Exception: memprof_enable(): memprof is already enabled
bool(true)
bool(true)
bool(false)
bool(true)
