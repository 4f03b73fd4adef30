--TEST--
native: in sampled mode (memprof.sample_rate > 0) native tracking is refused with a warning, the profile runs sampled and memprof_enabled_flags() says native is off
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--INI--
memprof.sample_rate=512K
--FILE--
<?php
// the warning printed by the test (Xdebug's develop mode prints its own, with a stack)
set_error_handler(function ($no, $msg) { echo "Warning: $msg\n"; return true; });
memprof_enable('native');
$f = memprof_enabled_flags();
echo "enabled=", var_export(memprof_enabled(), true), " native=", var_export($f['native'], true),
    " sample_rate=", $f['sample_rate'], "\n";
$s = memprof_native_status();
echo "recording=", var_export($s['active'], true), "\n";
memprof_disable();
?>
--EXPECT--
Warning: memprof_enable(): native tracking unavailable: not in sampled mode (memprof.sample_rate > 0): native tracking is exact only; profiling Zend MM allocations only
enabled=true native=false sample_rate=524288
recording=false
