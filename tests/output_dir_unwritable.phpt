--TEST--
A missing output directory: one warning naming the path and the OS error; the script goes on
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php $x = str_repeat("a", 1000); echo "script ran\n";');
$out = shell_exec('MEMPROF_PROFILE=1 ' . mp_php() . " -d memprof.output_dir=$dir/missing $script 2>&1; echo exit=$?");
echo trim(mp_strip_xdebug_stack($out)), "\n";
mp_dump(glob("$dir/{,.}memprof*", GLOB_BRACE));
?>
--EXPECTF--
script ran
Warning: PHP Request Shutdown: memprof: cannot write a profile in '%s/missing': No such file or directory in Unknown on line 0
exit=0
array(0) {
}
