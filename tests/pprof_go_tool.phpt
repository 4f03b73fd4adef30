--TEST--
pprof: go tool pprof reads it; right bytes at the right file:line for each sample type
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
<?php if (!trim((string) shell_exec('command -v go'))) die('skip go (golang-go) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function keep() {
    return str_repeat('k', 300000);
}
function churn() {
    for ($i = 0; $i < 4; $i++) {
        $t = str_repeat('c', 500000);
        unset($t);
    }
}
memprof_enable();
$kept = keep();
churn();
$file = tempnam(sys_get_temp_dir(), 'pp');
$f = fopen($file, 'w');
memprof_dump_pprof($f);
fclose($f);
memprof_disable();
mp_dump(bin2hex(substr(file_get_contents($file), 0, 2)));   // gzip magic
$base = basename(__FILE__);
$top = function (string $index) use ($file, $base) {
    $out = shell_exec('go tool pprof -top -lines -sample_index=' . $index . ' ' . escapeshellarg($file) . ' 2>&1');
    $rows = [];
    foreach (explode("\n", $out) as $line) {
        // flat flat% sum% cum cum% function file:line   (units printed as B/kB: use -unit=B below)
        if (preg_match('/^\s*(\d+)B?\s+\S+%\s+\S+%\s+(\d+)B?\s+\S+%\s+(.+)$/', $line, $m)) {
            $rows[trim($m[3])] = [(int) $m[1], (int) $m[2]];
        }
    }
    return $rows;
};
$q = fn($i) => $top("$i -unit=B");
$inuse = $q('inuse_space');
$alloc = $q('alloc_space');
$peak = $q('peak_space');
$objs = $top('alloc_objects');
$f = __FILE__;
// in-use: the kept string, charged to keep() at line 4 (cum) and str_repeat (flat)
mp_dump($inuse["keep $f:4"][1] ?? null);
mp_dump(isset($inuse["churn $f:8"]));
// alloc: 4 x 500032 from churn line 8
mp_dump($alloc["churn $f:8"][1] ?? null);
mp_dump($objs["churn $f:8"][1] ?? null);
// peak: the highest moment had the kept string and one churn string
mp_dump($peak["keep $f:4"][1] ?? null, $peak["churn $f:8"][1] ?? null);
// -raw lists the six sample types in order
$raw = shell_exec('go tool pprof -raw ' . escapeshellarg($file) . ' 2>&1');
mp_dump(str_contains($raw, 'alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes[dflt] peak_objects/count peak_space/bytes'));
unlink($file);
?>
--EXPECT--
string(4) "1f8b"
int(300032)
bool(false)
int(2000128)
int(4)
int(300032)
int(500032)
bool(true)
