--TEST--
File-level code of included files is its own frame, "main /path/file.php"
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$inc = sys_get_temp_dir() . '/memprof_inc_' . getmypid() . '.php';
file_put_contents($inc, "<?php\n\$GLOBALS['fromInc'] = str_repeat('z', rt(7000));\n");
memprof_enable();
include $inc;
$d = memprof_dump_array();
unlink($inc);
$n = mp_node($d, mp_main(), "main $inc", 'str_repeat');
mp_dump($n['memory_size'], $n['blocks_count']);
mp_dump(mp_calls(mp_node($d, mp_main(), "main $inc"), 1));
memprof_disable();
?>
--EXPECT--
int(7032)
int(1)
int(1)
