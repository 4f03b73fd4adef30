--TEST--
sampled mode: an allocation the heap refuses (memory limit) counts for nothing: the request fails at once (not after walking 64 PiB in sample gaps) and the profile holds no such block
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
echo "samples: ", memprof_dump_array()["samples_count_inclusive"] > 0 ? "yes" : "no", "\n";
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
    . " -d memory_limit=64M -d memprof.sample_rate=512K $script 2>&1; echo exit=$?");
echo trim(mp_no_traces($out)), "\n";
?>
--EXPECTF--
samples: yes
%AFatal error: Allowed memory size of 67108864 bytes exhausted%s(tried to allocate %d bytes)%A
shutdown ran, 1000; live bytes under 1 GiB
exit=255
