--TEST--
exact mode: an allocation the heap refuses (memory limit; PHP 8.2.36's heap returns NULL, then raises the error) is not recorded: the profile holds no 64 PiB block
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, <<<'PHP'
<?php
memprof_enable();
$ok = str_repeat('y', 8 << 20); // a large block the heap grants

register_shutdown_function(function () {
    $a = str_repeat('z', 1000); // allocations after the fatal error still work
    $live = memprof_dump_array()['memory_size_inclusive'];
    echo "shutdown ran, ", strlen($a), "; live bytes ", $live < (1 << 30) ? "under 1 GiB" : $live, "\n";
});
$s = str_repeat('x', 1 << 56); // 64 PiB: refused by the heap
echo "not reached\n";
PHP);
// USE_ZEND_ALLOC=1: the limit needs the Zend heap, also under valgrind;
// timeout: a regression hangs (see the title)
$out = shell_exec('USE_ZEND_ALLOC=1 timeout 120 ' . mp_php()
    . " -d memory_limit=64M  $script 2>&1; echo exit=$?");
echo trim(mp_no_traces($out)), "\n";
?>
--EXPECTF--
%AFatal error: Allowed memory size of 67108864 bytes exhausted%s(tried to allocate %d bytes)%A
shutdown ran, 1000; live bytes under 1 GiB
exit=255
