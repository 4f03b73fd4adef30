--TEST--
Exports into a userspace stream, whose PHP code calls functions the tree has not seen yet while the export runs
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
class CollectStream {
    public static string $data = '';
    public $context;
    public function stream_open($path, $mode, $options, &$opened) { return true; }
    public function stream_write(string $d): int {
        // new functions and new lines for the tree on every write
        return self::keep(self::copy($d));
    }
    private static function copy(string $d): string { return str_repeat($d, 1); }
    private static function keep(string $d): int { self::$data .= $d; return strlen($d); }
    public function stream_flush(): bool { return true; }
    public function stream_close(): void {}
}
stream_wrapper_register('collect', 'CollectStream');
// 800 functions: a profile larger than the writer's 64 KiB buffer, so the
// stream is written to (and its PHP code runs) while the export is going on
for ($i = 0; $i < 800; $i++) {
    eval("function f$i() { return str_repeat('y', $i + 1); }");
}
function work(): array {
    $a = [];
    for ($i = 0; $i < 800; $i++) { $a[] = ("f$i")(); }
    return $a;
}
memprof_enable();
$kept = work();
foreach (['callgrind', 'pprof', 'folded'] as $format) {
    CollectStream::$data = '';
    $f = fopen('collect://' . $format, 'w');
    $fn = 'memprof_dump_' . $format;
    $fn($f);
    fclose($f);
    $out = CollectStream::$data;
    switch ($format) {
        case 'callgrind':
            echo $format, ": ", str_starts_with($out, "version: 1\n") ? 'header ok' : 'bad header', ", ",
                preg_match('/^c?fn=\(\d+\) work$/m', $out) ? 'work listed' : 'work missing', "\n";
            break;
        case 'pprof':
            echo $format, ": ", bin2hex(substr($out, 0, 2)), ", ", strlen(gzdecode($out)) > 0 ? 'gunzips' : 'bad gzip', "\n";
            break;
        case 'folded':
            $bytes = 0;
            foreach (explode("\n", trim($out)) as $line) {
                if (str_contains($line, ';work (')) {
                    $bytes += (int) substr($line, strrpos($line, ' ') + 1);
                }
            }
            echo $format, ": work holds ", $bytes === mp_node(memprof_dump_array(), mp_main(), 'work')['memory_size_inclusive'] ? 'the same bytes as in the array dump' : "$bytes bytes: differs", "\n";
            break;
    }
}
memprof_disable();
?>
--EXPECT--
callgrind: header ok, work listed
pprof: 1f8b, gunzips
folded: work holds the same bytes as in the array dump
