<?php

/*
 * Writes the pprof fixtures of tests/cli/run.sh: profiles shaped like the
 * ones the memprof extension writes (six sample types: alloc, inuse and peak
 * objects/bytes), with known numbers, encoded here by hand (protobuf wire
 * format + gzip) so the reader in bin/memprof is tested against an
 * independent writer. `go tool pprof` reads them too.
 *
 *   php tests/cli/make_fixture.php [OUT_DIR]     (default: tests/cli/fixtures)
 *
 * new.pb.gz   — a worker after 1000 jobs; packed repeated fields
 * base.pb.gz  — the same worker after 400 jobs; other ids, other string
 *               order, unpacked repeated fields, extra fields to skip
 * weird.pb.gz — function names with markup and UTF-8, for the flame graph
 * scoped.pb.gz — the worker after 3000 jobs, its cache freed before the end:
 *               little in use at the end, the cache live at the peak
 * spike.pb.gz — the worker holding its cache at the end, but a big decode
 *               on another line was live at the peak
 *
 * The expected numbers are in tests/cli/run.sh; change both together.
 *
 * go_heap.pb.gz, beside them, is not made here: it is a real heap profile
 * written by Go's runtime/pprof.WriteHeapProfile (a small program leaking
 * 500 x 2 KiB slices through a recursion, with MemProfileRate = 1), kept to
 * test a profile from another writer: four sample types, no peak, inlined
 * frames, mappings and labels.
 */

declare(strict_types=1);

/** Protocol-buffer wire-format writer. */
final class Pb
{
    public static function varint(int $v): string
    {
        $out = '';
        do {
            $byte = $v & 0x7f;
            $v = ($v >> 7) & 0x01ffffffffffffff;  // logical shift, also for negative int64
            $out .= \chr($v !== 0 ? $byte | 0x80 : $byte);
        } while ($v !== 0);
        return $out;
    }

    public static function int(int $field, int $v): string
    {
        return $v === 0 ? '' : self::varint($field << 3) . self::varint($v);
    }

    public static function bytes(int $field, string $s): string
    {
        return self::varint(($field << 3) | 2) . self::varint(\strlen($s)) . $s;
    }

    /** @param list<int> $vs */
    public static function ints(int $field, array $vs, bool $packed): string
    {
        if ($vs === []) {
            return '';
        }
        if ($packed) {
            return self::bytes($field, implode('', array_map([self::class, 'varint'], $vs)));
        }
        $out = '';
        foreach ($vs as $v) {
            $out .= self::varint($field << 3) . self::varint($v);
        }
        return $out;
    }
}

const TYPES = [
    ['alloc_objects', 'count'], ['alloc_space', 'bytes'],
    ['inuse_objects', 'count'], ['inuse_space', 'bytes'],
    ['peak_objects', 'count'], ['peak_space', 'bytes'],
];

const FUNCTIONS = [
    'main' => ['main /app/worker.php', '/app/worker.php', 1],
    'run' => ['Worker::run', '/app/worker.php', 10],
    'handle' => ['Worker::handle', '/app/worker.php', 20],
    'str_repeat' => ['str_repeat', 'php:internal', 0],
    'json_decode' => ['json_decode', 'php:internal', 0],
    'array_map' => ['array_map', 'php:internal', 0],
    'closure' => ['{closure}', '/app/lib.php', 5],
    'fib' => ['fib', '/app/lib.php', 50],
];

// Call paths, leaf first, as [function, line].
const PATHS = [
    'leak' => [['str_repeat', 0], ['handle', 25], ['run', 14], ['main', 40]],
    'table' => [['handle', 25], ['run', 14], ['main', 40]],
    'json' => [['json_decode', 0], ['handle', 22], ['run', 14], ['main', 40]],
    'closure' => [['closure', 7], ['array_map', 0], ['handle', 23], ['run', 14], ['main', 40]],
    'map' => [['array_map', 0], ['handle', 23], ['run', 14], ['main', 40]],
    'boot' => [['main', 5]],
    'fib' => [['fib', 52], ['fib', 53], ['fib', 53], ['main', 42]],
    'old' => [['handle', 28], ['run', 14], ['main', 40]],
];

// Values in TYPES order: alloc objects/bytes, inuse objects/bytes, peak objects/bytes.
const NEW_SAMPLES = [
    'leak' => [1000, 1536000, 1000, 1536000, 1000, 1536000],
    'table' => [11, 65520, 1, 32768, 1, 32768],
    'json' => [5000, 2560000, 0, 0, 5, 2560],
    'closure' => [50000, 1600000, 50, 1600, 100, 3200],
    'map' => [1000, 1024000, 1, 1024, 2, 2048],
    'boot' => [10, 4096, 10, 4096, 10, 4096],
    'fib' => [8, 512, 4, 256, 4, 256],
];

const BASE_SAMPLES = [
    'old' => [20, 8192, 20, 8192, 20, 8192],
    'fib' => [8, 512, 4, 256, 4, 256],
    'boot' => [10, 4096, 10, 4096, 10, 4096],
    'closure' => [20000, 640000, 50, 1600, 100, 3200],
    'json' => [2000, 1024000, 0, 0, 5, 2560],
    'table' => [10, 32752, 1, 16384, 1, 16384],
    'leak' => [400, 614400, 400, 614400, 400, 614400],
];

// The cache died with its object: what `run` and `report` should show is the peak.
const SCOPED_SAMPLES = [
    'leak' => [3000, 4608000, 0, 0, 3000, 4608000],
    'table' => [12, 131056, 0, 0, 1, 131072],
    'json' => [3000, 1536000, 0, 0, 1, 512],
    'boot' => [10, 4096, 10, 4096, 10, 4096],
    'fib' => [8, 512, 4, 256, 4, 256],
];

// More than a quarter of the peak is left at the end, but another line led at the peak.
const SPIKE_SAMPLES = [
    'leak' => [400, 614400, 400, 614400, 400, 614400],
    'json' => [2000, 2048000, 0, 0, 1, 1048576],
    'table' => [10, 32752, 1, 16384, 1, 16384],
    'boot' => [10, 4096, 10, 4096, 10, 4096],
];

/**
 * @param array<string, array{0: string, 1: string, 2: int}> $functions key => name, file, start line
 * @param array<string, list<array{0: string, 1: int}>> $paths key => frames leaf first
 * @param array<string, list<int>> $samples path key => values in TYPES order
 * @param array{packed: bool, idBase: int, reverse: bool, extras: bool} $how
 */
function profile(array $functions, array $paths, array $samples, array $how): string
{
    $strings = [''];
    $index = ['' => 0];
    $s = static function (string $v) use (&$strings, &$index): int {
        if (!isset($index[$v])) {
            $index[$v] = \count($strings);
            $strings[] = $v;
        }
        return $index[$v];
    };
    $msg = '';
    foreach (TYPES as [$type, $unit]) {
        $msg .= Pb::bytes(1, Pb::int(1, $s($type)) . Pb::int(2, $s($unit)));
    }

    // Ids in order of first use; the base profile numbers them backwards from idBase.
    $fnIds = [];
    $locIds = [];
    $locs = [];
    $order = array_keys($samples);
    $nextFn = 0;
    $nextLoc = 0;
    $id = static fn (int $n): int => $how['reverse'] ? $how['idBase'] - $n : $how['idBase'] + $n;
    $sampleMsgs = '';
    foreach ($order as $name) {
        $ids = [];
        foreach ($paths[$name] as [$fn, $line]) {
            $fnIds[$fn] ??= $id(++$nextFn);
            $key = "$fn:$line";
            if (!isset($locIds[$key])) {
                $locIds[$key] = $id(++$nextLoc);
                $locs[$key] = [$fnIds[$fn], $line];
            }
            $ids[] = $locIds[$key];
        }
        $body = Pb::ints(1, $ids, $how['packed']) . Pb::ints(2, $samples[$name], $how['packed']);
        if ($how['extras'] && $name === 'leak') {
            $body .= Pb::bytes(3, Pb::int(1, $s('note')) . Pb::int(2, $s('the leak')));  // a label
        }
        $sampleMsgs .= Pb::bytes(2, $body);
    }
    $msg .= $sampleMsgs;
    if ($how['extras']) {
        // a mapping (field 3), which the reader has to skip
        $msg .= Pb::bytes(3, Pb::int(1, 1) . Pb::int(2, 0x400000) . Pb::int(3, 0x500000) . Pb::int(5, $s('/usr/bin/php')));
    }
    foreach ($locs as $key => [$fid, $line]) {
        $msg .= Pb::bytes(4, Pb::int(1, $locIds[$key]) . Pb::bytes(4, Pb::int(1, $fid) . Pb::int(2, $line)));
    }
    foreach ($fnIds as $fn => $fid) {
        [$name, $file, $start] = $functions[$fn];
        $msg .= Pb::bytes(5, Pb::int(1, $fid) . Pb::int(2, $s($name)) . Pb::int(3, $s($name))
            . Pb::int(4, $s($file)) . Pb::int(5, $start));
    }
    $defaultType = $s('inuse_space');
    $period = Pb::bytes(11, Pb::int(1, $s('space')) . Pb::int(2, $s('bytes')));
    $tail = Pb::int(9, 1_700_000_000_000_000_000) . Pb::int(10, 250_000_000) . $period . Pb::int(12, 1);
    if ($how['extras']) {
        $tail .= Pb::ints(13, [$s('memprof fixture')], false);  // comment
    }
    $tail .= Pb::int(14, $defaultType);
    foreach ($strings as $str) {
        $msg .= Pb::bytes(6, $str);
    }
    return gzencode($msg . $tail, 9);
}

$dir = $argv[1] ?? __DIR__ . '/fixtures';
if (!is_dir($dir) && !mkdir($dir, 0777, true)) {
    fwrite(STDERR, "cannot create $dir\n");
    exit(1);
}
// Names that must be shown as text, never as markup: the flame graph escapes them.
const WEIRD_FUNCTIONS = [
    'main' => ['main /app/a&b.php', '/app/a&b.php', 1],
    'evil' => ['</script><img src=x onerror=alert(1)>', '/app/a&b.php', 3],
    'utf8' => ['Évènement::traiter', '/app/a&b.php', 9],
];
const WEIRD_PATHS = [
    'evil' => [['evil', 4], ['main', 2]],
    'utf8' => [['utf8', 10], ['main', 3]],
];
const WEIRD_SAMPLES = [
    'evil' => [3, 3000, 2, 2000, 3, 3000],
    'utf8' => [1, 1000, 1, 1000, 1, 1000],
];

file_put_contents("$dir/new.pb.gz", profile(FUNCTIONS, PATHS, NEW_SAMPLES, ['packed' => true, 'idBase' => 0, 'reverse' => false, 'extras' => false]));
file_put_contents("$dir/base.pb.gz", profile(FUNCTIONS, PATHS, BASE_SAMPLES, ['packed' => false, 'idBase' => 1000, 'reverse' => true, 'extras' => true]));
file_put_contents("$dir/weird.pb.gz", profile(WEIRD_FUNCTIONS, WEIRD_PATHS, WEIRD_SAMPLES, ['packed' => true, 'idBase' => 0, 'reverse' => false, 'extras' => false]));
file_put_contents("$dir/scoped.pb.gz", profile(FUNCTIONS, PATHS, SCOPED_SAMPLES, ['packed' => true, 'idBase' => 0, 'reverse' => false, 'extras' => false]));
file_put_contents("$dir/spike.pb.gz", profile(FUNCTIONS, PATHS, SPIKE_SAMPLES, ['packed' => true, 'idBase' => 0, 'reverse' => false, 'extras' => false]));
echo "wrote new.pb.gz, base.pb.gz, weird.pb.gz, scoped.pb.gz and spike.pb.gz in $dir\n";
