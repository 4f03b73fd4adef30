--TEST--
An invalid memprof.output_format is refused with a warning naming the accepted values
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/dump.php';
ob_start();
mp_dump(ini_set('memprof.output_format', 'xml'));
echo mp_strip_xdebug_stack(ob_get_clean());
mp_dump(ini_get('memprof.output_format'));
mp_dump(ini_set('memprof.output_format', 'pprof'));
mp_dump(ini_get('memprof.output_format'));
?>
--EXPECTF--
Warning: ini_set(): Invalid memprof.output_format 'xml'; accepted values: callgrind, pprof, folded in %s on line %d
bool(false)
string(9) "callgrind"
string(9) "callgrind"
string(5) "pprof"
