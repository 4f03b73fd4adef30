--TEST--
native: FFI::new('char[1048576]', false, true) holds 1 MiB of native memory at its line until FFI::free
--EXTENSIONS--
memprof
ffi
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--INI--
ffi.enable=1
--FILE--
<?php
require __DIR__ . '/inc/native.php';

function make(): FFI\CData {
    // an instance's new(): calling it statically is deprecated since PHP 8.4
    return FFI::cdef()->new('char[1048576]', false, true);
}

memprof_enable('native');
$p = make();
$d = memprof_dump_array();
$at = mp_node($d, mp_main(), 'make', 'FFI::new');
$leaf = $at['called_functions']['[native] ' . mp_php_binary_name()] ?? null;
echo "at FFI::new: ", $leaf && $leaf['memory_size'] >= 1048576 && $leaf['memory_size'] < 1048576 + 4096 ? '1 MiB' : json_encode($leaf),
    " in ", $leaf['blocks_count'] ?? 0, " block(s)\n";
FFI::free($p);
$d = memprof_dump_array();
$at = mp_node($d, mp_main(), 'make', 'FFI::new');
echo "after FFI::free: ", $at['native_memory_size_inclusive'] < 4096 ? 'gone' : $at['native_memory_size_inclusive'], "\n";
memprof_disable();
?>
--EXPECT--
at FFI::new: 1 MiB in 1 block(s)
after FFI::free: gone
