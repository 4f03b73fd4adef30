--TEST--
native: with MEMPROF_PROFILE=native in the environment at startup, tracking starts with the module: what the process allocated with malloc before the first request and still holds is under [startup]
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--ENV--
MEMPROF_PROFILE=native
--INI--
memprof.output_dir={TMP}
--FILE--
<?php
require __DIR__ . '/inc/native.php';
$d = memprof_dump_array();
$s = $d['called_functions']['[startup]'] ?? null;
echo "[startup]: ", $s ? 'present' : 'missing', ", native ", json_encode($s && $s['native_memory_size_inclusive'] === $s['memory_size_inclusive']
    && $s['memory_size_inclusive'] > 0), ", its frames: ", json_encode($s && array_filter(array_keys($s['called_functions']), fn($k) => !str_starts_with($k, '[native] ')) === []), "\n";
memprof_disable();
memprof_enable('native');
$d = memprof_dump_array();
echo "a later profile has no [startup]: ", json_encode(!isset($d['called_functions']['[startup]'])), "\n";
?>
--EXPECT--
[startup]: present, native true, its frames: true
a later profile has no [startup]: true
