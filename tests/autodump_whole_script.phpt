--TEST--
MEMPROF_PROFILE=1 writes one complete profile at script end: name, mode 0600, no temporary file left
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php function keep() { return str_repeat("w", 123456); } $k = keep(); echo "script done\n";');
foreach (['callgrind' => '', 'pprof' => '.pb.gz', 'folded' => '.folded'] as $fmt => $ext) {
    $out = shell_exec('MEMPROF_PROFILE=1 ' . mp_php() . " -d memprof.output_dir=$dir -d memprof.output_format=$fmt $script 2>&1");
    echo trim($out), "\n";
    $files = glob("$dir/{,.}memprof*", GLOB_BRACE);
    mp_dump(count($files));
    $f = $files[0];
    mp_dump(preg_match('/^memprof\.' . $fmt . '\.\d+\.\d{16}' . preg_quote($ext) . '$/', basename($f)));
    printf("%o\n", fileperms($f) & 0777);
    $data = file_get_contents($f);
    if ($fmt === 'pprof') $data = gzdecode($data);
    mp_dump(str_contains($data, 'keep'));
    if ($fmt === 'folded') mp_dump(str_contains($data, "keep ($script:1);str_repeat (php:internal:0) 123488\n"));
    unlink($f);
}
?>
--EXPECTF--
script done
int(1)
int(1)
600
bool(true)
script done
int(1)
int(1)
600
bool(true)
script done
int(1)
int(1)
600
bool(true)
bool(true)
