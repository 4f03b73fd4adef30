--TEST--
exact mode: an allocation the heap refuses (memory limit, a NULL from the heap on PHP 8.2.36) is not recorded: the profile holds no 64 PiB block
--EXTENSIONS--
memprof
--INI--
memory_limit=64M
--FILE--
<?php
memprof_enable();
$ok = str_repeat('y', 8 << 20); // a large block the heap grants: recorded
register_shutdown_function(function () {
    $a = str_repeat('z', 1000); // allocations after the fatal error still work
    $live = memprof_dump_array()['memory_size_inclusive'];
    echo "shutdown ran, ", strlen($a), "; live bytes ", $live < (1 << 30) ? "under 1 GiB" : $live, "\n";
});
$s = str_repeat('x', 1 << 56); // 64 PiB: refused by the heap
echo "not reached\n";
?>
--EXPECTF--
%AFatal error: Allowed memory size of 67108864 bytes exhausted%s(tried to allocate %d bytes)%A
shutdown ran, 1000; live bytes under 1 GiB
