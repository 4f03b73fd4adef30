--TEST--
A user error handler that bails out of memprof's request shutdown (a fatal error, exit()) on the warning of a failed dump: profiling stops all the same, no hook of ours outlives the module, no crash
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$handlers = [
    'fatal error' => '$x = str_repeat("x", 1 << 30);',
    'exit()' => 'exit(3);',
];
foreach ($handlers as $what => $body) {
    $script = mp_script($dir, <<<PHP
    <?php
    set_error_handler(function (\$no, \$str) { echo "handler: \$str\\n"; $body });
    \$k = str_repeat('k', 1000);
    echo "script ended\\n";
    PHP);
    $out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=1 ' . mp_php()
        . " -d memory_limit=64M -d memprof.output_dir=$dir/missing $script 2>&1; echo exit=$?");
    echo "== $what\n", trim(mp_no_traces($out)), "\n";
}
?>
--EXPECTF--
== fatal error
script ended
handler: PHP Request Shutdown: memprof: cannot write a profile in '%s/missing': No such file or directory
Fatal error: Allowed memory size of 67108864 bytes exhausted (tried to allocate %d bytes) in %s on line 2
exit=255
== exit()
script ended
handler: PHP Request Shutdown: memprof: cannot write a profile in '%s/missing': No such file or directory
exit=3
