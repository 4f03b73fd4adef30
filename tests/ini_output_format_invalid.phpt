--TEST--
An invalid memprof.output_format is refused with a warning naming the accepted values
--EXTENSIONS--
memprof
--FILE--
<?php
var_dump(ini_set('memprof.output_format', 'xml'));
var_dump(ini_get('memprof.output_format'));
var_dump(ini_set('memprof.output_format', 'pprof'));
var_dump(ini_get('memprof.output_format'));
?>
--EXPECTF--
Warning: ini_set(): Invalid memprof.output_format 'xml'; accepted values: callgrind, pprof, folded in %s on line 2
bool(false)
string(9) "callgrind"
string(9) "callgrind"
string(5) "pprof"
