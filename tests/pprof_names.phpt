--TEST--
pprof names: `go tool pprof -top` lists each function once; file-level code and compiles are named by the file's base name (the path is in the location, once); internal functions each have a file of their own, so pprof's source view does not add them together; memory outside PHP code is "(engine)", not a second "root"
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (!trim((string) shell_exec('command -v go'))) die('skip go (golang-go) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
memprof_enable();
require __DIR__ . '/inc/app_small.php';
$kept = app_main();
$file = tempnam(sys_get_temp_dir(), 'pp');
$f = fopen($file, 'w');
memprof_dump_pprof($f);
fclose($f);
memprof_disable();
$go = fn(string $args) => (string) shell_exec("go tool pprof $args " . escapeshellarg($file) . ' 2>&1');
$names = function (string $out): array {
    $n = [];
    foreach (explode("\n", $out) as $line) {
        if (preg_match('/^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+)$/', $line, $m)) $n[] = trim($m[1]);
    }
    return $n;
};
$top = $names($go('-top -nodefraction=0 -sample_index=alloc_space'));
$dups = array_keys(array_filter(array_count_values($top), fn($c) => $c > 1));
echo 'functions: ', count($top) > 8 ? 'listed' : implode(', ', $top), ', each once: ', json_encode($dups === []), "\n";
$self = basename(__FILE__);
foreach (["main $self", 'compile app_small.php', 'Repo::__construct', 'explode', 'str_repeat', '{closure}'] as $want) {
    echo "$want: ", in_array($want, $top, true) ? 'yes' : 'no', "\n";
}
echo 'no path in a name: ', json_encode(!array_filter($top, fn($n) => str_contains($n, '/'))), "\n";
echo 'root: ', json_encode(array_values(array_filter($top, fn($n) => in_array($n, ['root', '(engine)'], true)))), "\n";
// -lines: the file and line once, after the name
$lines = $names($go('-top -lines -nodefraction=0 -sample_index=alloc_space'));
$f = __FILE__;
echo 'main with -lines: ', json_encode(in_array("main $self $f:5", $lines, true)), "\n";
echo 'path once per row: ', json_encode(!array_filter($lines, fn($l) => count(array_filter(explode(' ', $l), fn($w) => str_contains($w, '/'))) > 1)), "\n";
// -raw: internal functions in files of their own
$raw = $go('-raw');
foreach (['explode', 'str_repeat'] as $fn) {
    // file:line, and :column after it in newer pprof (Go 1.24 has it, 1.19 not)
    echo "$fn file: ", preg_match('/^\s*\d+: 0x[0-9a-f]+ M=1 ' . preg_quote($fn) . ' php:internal\/' . preg_quote($fn) . ':0(:0)? /m', $raw) ? "php:internal/$fn" : 'other', "\n";
}
unlink($file);
?>
--EXPECT--
functions: listed, each once: true
main pprof_names.php: yes
compile app_small.php: yes
Repo::__construct: yes
explode: yes
str_repeat: yes
{closure}: yes
no path in a name: true
root: []
main with -lines: true
path once per row: true
explode file: php:internal/explode
str_repeat file: php:internal/str_repeat
