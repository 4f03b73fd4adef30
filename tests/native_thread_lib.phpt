--TEST--
native: a library loaded late through FFI is patched at the next enable (lazily bound or with full RELRO), its mallocs are charged to the line that called it under [native] <lib>; on its own threads under [thread]; blocks freed on another thread are forgotten; errno kept; read-only pages stay read-only
--EXTENSIONS--
memprof
ffi
--SKIPIF--
<?php require __DIR__ . '/inc/native.php';
if ($r = mp_native_skip_reason() ?: mp_native_testlib_skip_reason()) die("skip $r"); ?>
--INI--
ffi.enable=1
--FILE--
<?php
require __DIR__ . '/inc/native.php';
$dir = mp_tmpdir();
$lazy = mp_native_testlib($dir, 'libmptlazy');
$now = mp_native_testlib($dir, 'libmptnow', '-Wl,-z,relro,-z,now');

function lib_status(string $path): ?array {
    foreach (memprof_native_status()['objects'] as $o) {
        if ($o['path'] === $path && $o['loaded']) {
            return $o;
        }
    }
    return null;
}

// loaded before native tracking starts: patched when it starts
$a = FFI::cdef(MP_NATIVE_TESTLIB_CDEF, $lazy);
$perms = [mp_map_perms(realpath(PHP_BINARY)), mp_map_perms($lazy)];
memprof_enable('native');
echo "read-only pages stay read-only: ", json_encode($perms === [mp_map_perms(realpath(PHP_BINARY)), mp_map_perms($lazy)]), "\n";
$st = lib_status($lazy);
echo "lazy library: patched ", $st['patched'] > 0 ? 'yes' : 'no', ", lazy stubs among them ", $st['lazy'] > 0 ? 'yes' : 'no', ", foreign ", $st['foreign'], "\n";

// loaded while tracking: not seen until the next enable
$b = FFI::cdef(MP_NATIVE_TESTLIB_CDEF, $now);
echo "loaded during the profile: ", json_encode(lib_status($now)['patched'] ?? 'not walked yet'), "\n";
function alloc_now($b) { return $b->mpt_alloc(300000); }
$p = alloc_now($b);
$d = memprof_dump_array();
echo "its allocation before the next enable: ", mp_sum_named($d, '[native] libmptnow.so'), " bytes\n";
$b->mpt_free($p);
memprof_disable();
$perms = mp_map_perms($now);
memprof_enable('native');
echo "full RELRO library: patched ", lib_status($now)['patched'] > 0 ? 'yes' : 'no', ", read-only pages stay read-only: ",
    json_encode(in_array('r--p', $perms, true) && $perms === mp_map_perms($now)), "\n";
$p = alloc_now($b);
$d = memprof_dump_array();
$n = mp_node($d, mp_main(), 'alloc_now');
echo "after the next enable: ", mp_sum_named($n, '[native] libmptnow.so'), " bytes under alloc_now\n";
$b->mpt_free($p);

// a block of this thread freed on another one
function alloc_lazy($a) { return $a->mpt_alloc(200000); }
$p = alloc_lazy($a);
$d = memprof_dump_array();
echo "this thread's block: ", mp_sum_named(mp_node($d, mp_main(), 'alloc_lazy'), '[native] libmptlazy.so'), " bytes\n";
$a->mpt_free_in_thread($p);
$d = memprof_dump_array();
echo "freed on another thread: ", mp_sum_named(mp_node($d, mp_main(), 'alloc_lazy'), '[native] libmptlazy.so'), " bytes left\n";

// blocks of the library's own threads
$blocks = $a->mpt_thread_alloc(4096, 100);
$d = memprof_dump_array();
$t = $d['called_functions']['[thread]']['called_functions']['[native] libmptlazy.so'] ?? null;
echo "[thread]: ", $t ? "{$t['memory_size']} bytes in {$t['blocks_count']} blocks" : 'missing', ", native ",
    json_encode($t && $t['native_memory_size'] === $t['memory_size']), ", counted in the root: ",
    json_encode($d['native_memory_size_inclusive'] >= 409600), "\n";
$a->mpt_thread_free($blocks, 100);
$a->mpt_free_array($blocks);
$d = memprof_dump_array();
$t = $d['called_functions']['[thread]']['called_functions']['[native] libmptlazy.so'];
echo "[thread] after the other thread freed them: {$t['memory_size']} bytes, allocated {$t['alloc_memory_size']}\n";

echo "errno kept: ", $a->mpt_errno_kept(), "\n";
memprof_disable();
unset($a, $b); // FFI unloads the libraries: their slots go with them
echo "done\n";
?>
--EXPECT--
read-only pages stay read-only: true
lazy library: patched yes, lazy stubs among them yes, foreign 0
loaded during the profile: "not walked yet"
its allocation before the next enable: 0 bytes
full RELRO library: patched yes, read-only pages stay read-only: true
after the next enable: 300000 bytes under alloc_now
this thread's block: 200000 bytes
freed on another thread: 0 bytes left
[thread]: 409600 bytes in 100 blocks, native true, counted in the root: true
[thread] after the other thread freed them: 0 bytes, allocated 409600
errno kept: 4242
done
