--TEST--
native: memprof_enable('native') / (['native' => true]) and MEMPROF_PROFILE=native; memprof_enabled_flags()['native'] only while it runs; memprof_native_status(); disabling stops counting at once; the formats add native counters only to native profiles
--EXTENSIONS--
memprof
dom
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--ENV--
MEMPROF_PROFILE=native
--INI--
memprof.output_dir={TMP}
--FILE--
<?php
require __DIR__ . '/inc/native.php';

function xml_work(): DOMDocument {
    $d = new DOMDocument();
    $d->loadXML('<r>' . str_repeat('<i>x</i>', rt(2000)) . '</r>');
    return $d;
}
function has_native(array $d): bool {
    return mp_sum_named($d, mp_native_frame('libxml2.so'), 'alloc_memory_size') > 0;
}
function formats(): string {
    $f = fopen('php://memory', 'w+');
    memprof_dump_callgrind($f);
    rewind($f);
    $cg = stream_get_contents($f);
    ftruncate($f, 0);
    rewind($f);
    memprof_dump_pprof($f);
    rewind($f);
    $pb = gzdecode(stream_get_contents($f));
    preg_match('/^events: (.*)$/m', $cg, $m);
    return 'events: ' . $m[1] . '; pprof native types: ' . json_encode(str_contains($pb, 'native_inuse_space') && str_contains($pb, 'native_alloc_objects'))
        . '; array keys: ' . json_encode(array_key_exists('native_memory_size', memprof_dump_array()));
}

$st = memprof_native_status();
echo "MEMPROF_PROFILE=native: flag ", json_encode(memprof_enabled_flags()['native']), ", active ", json_encode($st['active']), "\n";
echo "status keys: ", implode(',', array_keys($st)), "\n";
echo "slot keys: ", implode(',', array_keys($st['slots'])), "\n";
$byPath = [];
foreach ($st['objects'] as $o) {
    $byPath[$o['path']] = $o;
}
$php = $byPath[realpath(PHP_BINARY)];
echo "object keys: ", implode(',', array_keys($php)), "\n";
// (foreign slots depend on the build: PHP 8.4+ points lexbor's allocator words at its own functions)
echo "the PHP binary: ", $php['skip'] ?? 'patched', ", slots patched ", $php['patched'] > 0 ? 'yes' : 'no', "\n";
$self = array_values(array_filter($st['objects'], fn($o) => str_ends_with($o['path'], '/memprof.so')))[0];
$ld = array_values(array_filter($st['objects'], fn($o) => $o['skip'] === 'loader'));
// valgrind gives no vDSO
$vdso = array_filter($st['objects'], fn($o) => str_starts_with($o['path'], 'linux-vdso'));
echo "skipped: memprof itself (", $self['skip'], ", ", $self['patched'], " patched), the loader ", count($ld), ", the vDSO ",
    json_encode(array_unique(array_column($vdso, 'skip')) === ($vdso ? ['vdso'] : [])), "\n";
echo "libxml2 patched: ", json_encode(array_sum(array_map(fn($o) => str_contains($o['path'], 'libxml2') ? $o['patched'] : 0, $st['objects'])) >= 3), "\n";
echo "totals: ", json_encode($st['slots']['patched'] === array_sum(array_column($st['objects'], 'patched'))), "\n";
$keep = xml_work();
echo "counted: ", json_encode(has_native(memprof_dump_array())), "\n";
echo formats(), "\n";

memprof_disable();
echo "disabled: flag ", json_encode(memprof_enabled_flags()['native']), ", active ", json_encode(memprof_native_status()['active']),
    ", slots still patched ", json_encode(memprof_native_status()['slots']['patched'] === $st['slots']['patched']), "\n";
memprof_enable();
$keep = xml_work();
echo "memprof_enable(): flag ", json_encode(memprof_enabled_flags()['native']), ", counted ", json_encode(has_native(memprof_dump_array())), "\n";
echo formats(), "\n";
memprof_disable();

memprof_enable('native');
$keep = xml_work();
echo "memprof_enable('native'): flag ", json_encode(memprof_enabled_flags()['native']), ", counted ", json_encode(has_native(memprof_dump_array())), "\n";
memprof_disable();
memprof_enable(['native' => true, 'dump_on_limit' => true]);
echo "memprof_enable(['native' => true, 'dump_on_limit' => true]): ", json_encode(memprof_enabled_flags()), "\n";
memprof_disable();
memprof_enable(['native' => false]);
echo "memprof_enable(['native' => false]): native ", json_encode(memprof_enabled_flags()['native']), "\n";
memprof_disable();
foreach (['bogus', ['bogus' => true], ['native' => 'yes'], [1]] as $bad) {
    try {
        memprof_enable($bad);
        echo "accepted ", json_encode($bad), "\n";
        memprof_disable();
    } catch (Throwable $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
echo "still off: ", json_encode(memprof_enabled()), "\n";
?>
--EXPECTF--
MEMPROF_PROFILE=native: flag true, active true
status keys: supported,active,pinned,objects,slots,remote_frees_lost
slot keys: patched,lazy,foreign,skipped
object keys: path,base,skip,loaded,patched,lazy,foreign,skipped
the PHP binary: patched, slots patched yes
skipped: memprof itself (self, 0 patched), the loader 1, the vDSO true
libxml2 patched: true
totals: true
counted: true
events: MemorySize BlocksCount AllocMemorySize AllocBlocksCount PeakMemorySize PeakBlocksCount NativeMemorySize NativeBlocksCount NativeAllocMemorySize NativeAllocBlocksCount NativePeakMemorySize NativePeakBlocksCount; pprof native types: true; array keys: true
disabled: flag false, active false, slots still patched true
memprof_enable(): flag false, counted false
events: MemorySize BlocksCount AllocMemorySize AllocBlocksCount PeakMemorySize PeakBlocksCount; pprof native types: false; array keys: false
memprof_enable('native'): flag true, counted true
memprof_enable(['native' => true, 'dump_on_limit' => true]): {"enabled":true,"native":true,"dump_on_limit":true,"autodump":false,"calls":%s}
memprof_enable(['native' => false]): native false
ValueError: memprof_enable(): Argument #1 ($flags) has an unknown flag 'bogus'; known flags: dump_on_limit, native
ValueError: memprof_enable(): Argument #1 ($flags) has an unknown flag 'bogus'; known flags: dump_on_limit, native
TypeError: memprof_enable(): Argument #1 ($flags) flag 'native' must be of type bool, string given
ValueError: memprof_enable(): Argument #1 ($flags) must have string keys (flag names)
still off: false
