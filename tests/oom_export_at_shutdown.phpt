--TEST--
The profile written at request end needs no memory under memory_limit: a script that ends with the heap at its limit and a large profile gets it written, with no error and no crash, in every format
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
// 35 000 lines that allocate: as many places in the profile. Taking their
// ids through the Zend heap would need blocks larger than a chunk.
$lines = ['<?php', 'function big($p) {'];
for ($i = 0; $i < 35000; $i++) {
    $lines[] = '    $s = $p . "x";';
}
$lines[] = '}';
$lines[] = 'big(str_repeat("p", 3));';
// no more chunks from here on: the limit is what the heap holds now
$lines[] = 'ini_set("memory_limit", (string) memory_get_usage(true));';
$lines[] = 'echo "script ended at its memory limit: ", ini_get("memory_limit") === (string) memory_get_usage(true) ? "yes" : "no", "\n";';
$script = mp_script($dir, implode("\n", $lines) . "\n");
foreach (['pprof', 'callgrind', 'folded'] as $fmt) {
    $out = shell_exec('USE_ZEND_ALLOC=1 MEMPROF_PROFILE=1 ' . mp_php() . " -d memory_limit=256M"
        . " -d memprof.output_dir=$dir -d memprof.output_format=$fmt $script 2>&1; echo exit=$?");
    echo "== $fmt\n", trim(mp_no_traces($out)), "\n";
    $files = glob("$dir/{,.}memprof*", GLOB_BRACE);
    echo 'profiles written: ', count($files), "\n";
    foreach ($files as $f) {
        $data = file_get_contents($f);
        if ($fmt === 'pprof') $data = gzdecode($data);
        echo 'names the script: ', var_export(is_string($data) && str_contains($data, $script), true), "\n";
        unlink($f);
    }
}
?>
--EXPECT--
== pprof
script ended at its memory limit: yes
exit=0
profiles written: 1
names the script: true
== callgrind
script ended at its memory limit: yes
exit=0
profiles written: 1
names the script: true
== folded
script ended at its memory limit: yes
exit=0
profiles written: 1
names the script: true
