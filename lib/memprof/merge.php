<?php

/*
 * memprof command: merging pprof profiles into one, as `go tool pprof -proto`
 * does: the per-request profiles of a pool (sampled mode) into one view.
 * Works on the wire format itself, so that what this tool does not read
 * (labels, mappings, comments) is carried over as it is.
 */

declare(strict_types=1);

namespace MemprofCli;

/** A protocol-buffer message being written. */
final class PbOut
{
    public string $b = '';

    public function varint(int $v): void
    {
        // negative int64 go out as their two's complement, ten bytes
        while ($v < 0 || $v >= 0x80) {
            $this->b .= \chr(($v & 0x7f) | 0x80);
            $v = ($v >> 7) & (PHP_INT_MAX >> 6);
        }
        $this->b .= \chr($v);
    }

    public function uint(int $field, int $v): void
    {
        $this->varint($field << 3);
        $this->varint($v);
    }

    public function bytes(int $field, string $s): void
    {
        $this->varint($field << 3 | 2);
        $this->varint(\strlen($s));
        $this->b .= $s;
    }

    /** @param list<int> $vs */
    public function packed(int $field, array $vs): void
    {
        $m = new self();
        foreach ($vs as $v) {
            $m->varint($v);
        }
        $this->bytes($field, $m->b);
    }
}

/** The merged profile, as it is built. */
final class Merger
{
    /** @var array<string, int> */
    private array $strings = ['' => 0];
    /** @var array<string, int> key => new id, for functions, mappings, locations */
    private array $ids = ['f' => [], 'm' => [], 'l' => []];
    private string $functions = '';
    private string $mappings = '';
    private string $locations = '';
    /** @var array<string, list<int>> sample key => values */
    private array $samples = [];
    /** @var array<string, array{0: list<int>, 1: string}> sample key => [locations, labels] */
    private array $sampleHead = [];
    private ?string $types = null;
    private ?string $periodType = null;
    private int $period = 0;
    private int $timeNanos = 0;
    private int $durationNanos = 0;
    /** @var array<int, true> */
    private array $comments = [];
    private int $defaultType = 0;
    public int $inputs = 0;

    private function str(string $s): int
    {
        return $this->strings[$s] ??= \count($this->strings);
    }

    /** Reads a ValueType {type, unit} into its strings. */
    private static function valueType(string $msg, array $strings): string
    {
        $t = $u = 0;
        foreach (Wire::fields($msg) as [$f, $ty, $v]) {
            if ($f === 1) $t = Wire::int($ty, $v, 'type');
            if ($f === 2) $u = Wire::int($ty, $v, 'unit');
        }
        return ($strings[$t] ?? '') . '/' . ($strings[$u] ?? '');
    }

    private function writeValueType(PbOut $o, int $field, string $tu): void
    {
        [$t, $u] = explode('/', $tu, 2);
        $m = new PbOut();
        $m->uint(1, $this->str($t));
        $m->uint(2, $this->str($u));
        $o->bytes($field, $m->b);
    }

    public function add(string $path): void
    {
        try {
            $this->addProfile($path);
        } catch (FormatError $e) {
            throw new FormatError(str_starts_with($e->getMessage(), "$path:") ? $e->getMessage()
                : "$path: not a pprof profile (" . $e->getMessage() . ')');
        }
    }

    private function addProfile(string $path): void
    {
        $raw = (string) @file_get_contents($path);
        $data = str_starts_with($raw, "\x1f\x8b") ? @gzdecode($raw) : $raw;
        if ($raw === '' || $data === false) {
            throw new FormatError("$path: not a pprof profile");
        }
        $strings = [];
        $parts = [1 => [], 2 => [], 3 => [], 4 => [], 5 => [], 13 => []];
        $scalars = [];
        foreach (Wire::fields($data) as [$f, $t, $v]) {
            if ($f === 6) {
                $strings[] = Wire::bytes($t, $v, 'string_table');
            } elseif (isset($parts[$f])) {
                $parts[$f][] = $v;
            } else {
                $scalars[$f] = $v;
            }
        }
        if ($strings === [] || $strings[0] !== '') {
            throw new FormatError("$path: not a pprof profile (no string table)");
        }
        $s = fn(int $i): string => $strings[$i] ?? throw new FormatError("$path: string index $i out of range");

        $types = implode(',', array_map(fn($m) => self::valueType($m, $strings), $parts[1]));
        if ($this->types !== null && $types !== $this->types) {
            throw new Failure("$path: its sample types ($types) are not those of the first profile ($this->types)");
        }
        $this->types = $types;
        if (isset($scalars[11])) {
            $pt = self::valueType($scalars[11], $strings);
            if ($this->periodType !== null && $pt !== $this->periodType) {
                throw new Failure("$path: its period type ($pt) is not that of the first profile ($this->periodType)");
            }
            $this->periodType = $pt;
        }
        // values are already scaled: a period is informational; keep the largest
        $this->period = max($this->period, (int) ($scalars[12] ?? 0));
        $time = (int) ($scalars[9] ?? 0);
        if ($time > 0 && ($this->timeNanos === 0 || $time < $this->timeNanos)) {
            $this->timeNanos = $time;
        }
        $this->durationNanos += (int) ($scalars[10] ?? 0);
        if (isset($scalars[14]) && $this->defaultType === 0) {
            $this->defaultType = $this->str($s((int) $scalars[14]));
        }
        foreach ($parts[13] as $c) {
            foreach (\is_int($c) ? [$c] : self::unpackVarints($c) as $ci) {
                $this->comments[$this->str($s($ci))] = true;
            }
        }

        // functions and mappings: one per distinct content
        $fmap = $this->remap('f', $parts[5], [2, 3, 4], $s, $this->functions, 5);
        $mmap = $this->remap('m', $parts[3], [5, 6], $s, $this->mappings, 3);
        // locations: their mapping and functions renumbered
        $lmap = [];
        foreach ($parts[4] as $msg) {
            $id = 0;
            $o = new PbOut();
            foreach (Wire::fields($msg) as [$f, $t, $v]) {
                if ($f === 1) {
                    $id = Wire::int($t, $v, 'location id');
                } elseif ($f === 2) {
                    $o->uint(2, $mmap[Wire::int($t, $v, 'mapping_id')] ?? 0);
                } elseif ($f === 4) {
                    $line = new PbOut();
                    foreach (Wire::fields(Wire::bytes($t, $v, 'line')) as [$lf, $lt, $lv]) {
                        $line->uint($lf, $lf === 1 ? ($fmap[Wire::int($lt, $lv, 'function_id')] ?? 0) : Wire::int($lt, $lv, 'line'));
                    }
                    $o->bytes(4, $line->b);
                } elseif ($t === 0) {
                    $o->uint($f, Wire::int($t, $v, 'location'));
                }
            }
            $lmap[$id] = $this->ids['l'][$o->b] ??= $this->newEntry('l', $o, $this->locations, 4);
        }
        // samples: same locations and labels add up
        foreach ($parts[2] as $msg) {
            $locs = [];
            $vals = [];
            $labels = '';
            foreach (Wire::fields($msg) as [$f, $t, $v]) {
                if ($f === 1) {
                    foreach (\is_int($v) ? [$v] : self::unpackVarints($v) as $l) {
                        $locs[] = $lmap[$l] ?? throw new FormatError("$path: a sample refers to unknown location $l");
                    }
                } elseif ($f === 2) {
                    array_push($vals, ...(\is_int($v) ? [$v] : self::unpackVarints($v)));
                } elseif ($f === 3) {
                    $label = new PbOut();
                    foreach (Wire::fields(Wire::bytes($t, $v, 'label')) as [$lf, $lt, $lv]) {
                        $n = Wire::int($lt, $lv, 'label');
                        $label->uint($lf, $lf === 3 ? $n : ($n ? $this->str($s($n)) : 0));
                    }
                    $labels .= $label->b . "\0";
                }
            }
            $key = implode(',', $locs) . '|' . $labels;
            if (isset($this->samples[$key])) {
                foreach ($vals as $i => $x) {
                    $this->samples[$key][$i] += $x;
                }
            } else {
                $this->samples[$key] = $vals;
                $this->sampleHead[$key] = [$locs, $labels];
            }
        }
        $this->inputs++;
    }

    /** @return list<int> */
    private static function unpackVarints(string $packed): array
    {
        $out = [];
        $pos = 0;
        $end = \strlen($packed);
        while ($pos < $end) {
            $out[] = Wire::varint($packed, $pos, $end);
        }
        return $out;
    }

    /**
     * Renumbers messages (functions or mappings) whose string fields are
     * $strFields, keeping one per distinct content: old id => new id.
     */
    private function remap(string $kind, array $msgs, array $strFields, callable $s, string &$out, int $field): array
    {
        $map = [];
        foreach ($msgs as $msg) {
            $id = 0;
            $o = new PbOut();
            foreach (Wire::fields($msg) as [$f, $t, $v]) {
                if ($f === 1) {
                    $id = Wire::int($t, $v, "$kind id");
                } elseif ($t === 0) {
                    $n = Wire::int($t, $v, $kind);
                    $o->uint($f, \in_array($f, $strFields, true) ? $this->str($s($n)) : $n);
                }
            }
            $map[$id] = $this->ids[$kind][$o->b] ??= $this->newEntry($kind, $o, $out, $field);
        }
        return $map;
    }

    /** Appends a message with a new id (1, 2, ...) in front of its fields. */
    private function newEntry(string $kind, PbOut $fields, string &$out, int $field): int
    {
        $id = \count($this->ids[$kind]) + 1;
        $m = new PbOut();
        $m->uint(1, $id);
        $m->b .= $fields->b;
        $o = new PbOut();
        $o->bytes($field, $m->b);
        $out .= $o->b;
        return $id;
    }

    public function bytes(): string
    {
        $o = new PbOut();
        foreach (explode(',', (string) $this->types) as $tu) {
            $this->writeValueType($o, 1, $tu);
        }
        foreach ($this->samples as $key => $vals) {
            [$locs, $labels] = $this->sampleHead[$key];
            $m = new PbOut();
            $m->packed(1, $locs);
            $m->packed(2, $vals);
            foreach ($labels === '' ? [] : explode("\0", rtrim($labels, "\0")) as $l) {
                $m->bytes(3, $l);
            }
            $o->bytes(2, $m->b);
        }
        $o->b .= $this->mappings . $this->locations . $this->functions;
        if ($this->timeNanos) $o->uint(9, $this->timeNanos);
        if ($this->durationNanos) $o->uint(10, $this->durationNanos);
        if ($this->periodType !== null) $this->writeValueType($o, 11, $this->periodType);
        if ($this->period) $o->uint(12, $this->period);
        foreach (array_keys($this->comments) as $c) $o->uint(13, $c);
        if ($this->defaultType) $o->uint(14, $this->defaultType);
        foreach (array_keys($this->strings) as $str) {
            $o->bytes(6, (string) $str);
        }
        return $o->b;
    }
}

function cmdMerge(array $args): int
{
    [$o, $pos] = parseArgs('merge', $args, ['-o' => ['out', true], '-h' => ['help', false], '--help' => ['help', false]]);
    if (isset($o['help'])) {
        return help('merge');
    }
    if (!isset($o['out'])) {
        throw new UsageError('merge: -o OUT is required (the merged profile to write)');
    }
    $files = [];
    foreach ($pos as $p) {
        if (is_dir($p)) {
            array_push($files, ...(glob(rtrim($p, '/') . '/*.pb.gz') ?: []));
        } else {
            $files[] = $p;
        }
    }
    if ($files === []) {
        throw new UsageError('merge: no profile to merge (give files, or directories of *.pb.gz)');
    }
    $m = new Merger();
    foreach ($files as $f) {
        if (!is_file($f)) {
            throw new Failure("$f: no such file");
        }
        $m->add($f);
    }
    $tmp = $o['out'] . '.tmp' . getmypid();
    if (@file_put_contents($tmp, gzencode($m->bytes())) === false || !@rename($tmp, $o['out'])) {
        @unlink($tmp);
        throw new Failure("{$o['out']}: cannot write it (" . lastError() . ')');
    }
    out("memprof: merged $m->inputs profiles into {$o['out']}");
    return 0;
}
