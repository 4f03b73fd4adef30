--TEST--
memprof_enabled_flags() reports the flags from MEMPROF_PROFILE
--EXTENSIONS--
memprof
--ENV--
MEMPROF_PROFILE=dump_on_limit
--INI--
memprof.output_dir={TMP}
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
mp_dump(memprof_enabled_flags());
memprof_disable();
mp_dump(memprof_enabled_flags());
?>
--EXPECT--
array(6) {
  ["enabled"]=>
  bool(true)
  ["native"]=>
  bool(false)
  ["dump_on_limit"]=>
  bool(true)
  ["autodump"]=>
  bool(true)
  ["calls"]=>
  bool(true)
  ["sample_rate"]=>
  int(0)
}
array(6) {
  ["enabled"]=>
  bool(false)
  ["native"]=>
  bool(false)
  ["dump_on_limit"]=>
  bool(false)
  ["autodump"]=>
  bool(false)
  ["calls"]=>
  bool(true)
  ["sample_rate"]=>
  int(0)
}
