<?php

/*
 * memprof command: reading pprof profiles (profile.proto, gzip or not): the wire
 * format, the profile, the metrics it carries.
 */

declare(strict_types=1);

namespace MemprofCli;

// ---------------------------------------------------------------------------
// Protocol-buffer wire format
// ---------------------------------------------------------------------------

final class Wire
{
    public static function varint(string $buf, int &$pos, int $end): int
    {
        $result = 0;
        $shift = 0;
        while (true) {
            if ($pos >= $end) {
                throw new FormatError('truncated varint');
            }
            $byte = \ord($buf[$pos++]);
            if ($shift < 64) {
                $result |= ($byte & 0x7f) << $shift;
            }
            if ($byte < 0x80) {
                return $result;
            }
            $shift += 7;
            if ($shift >= 70) {
                throw new FormatError('varint longer than 10 bytes');
            }
        }
    }

    /**
     * Iterates over the fields of one message.
     *
     * @return \Generator<int, array{int, int, int|string}> field number, wire type, value
     */
    public static function fields(string $buf): \Generator
    {
        $pos = 0;
        $end = \strlen($buf);
        while ($pos < $end) {
            $key = self::varint($buf, $pos, $end);
            $field = $key >> 3;
            $type = $key & 7;
            if ($field < 1 || $field > 0x1fffffff) {
                throw new FormatError("invalid field number $field");
            }
            switch ($type) {
                case 0:
                    $value = self::varint($buf, $pos, $end);
                    break;
                case 1:
                    if ($end - $pos < 8) {
                        throw new FormatError('truncated 64-bit field');
                    }
                    $value = unpack('P', $buf, $pos)[1];
                    $pos += 8;
                    break;
                case 2:
                    $len = self::varint($buf, $pos, $end);
                    if ($len < 0 || $len > $end - $pos) {
                        throw new FormatError("field $field runs past the end of its message");
                    }
                    $value = (string) substr($buf, $pos, $len);
                    $pos += $len;
                    break;
                case 5:
                    if ($end - $pos < 4) {
                        throw new FormatError('truncated 32-bit field');
                    }
                    $value = unpack('V', $buf, $pos)[1];
                    $pos += 4;
                    break;
                default:
                    throw new FormatError("unsupported wire type $type in field $field");
            }
            yield [$field, $type, $value];
        }
    }

    /** A singular integer field (int64/uint64/bool: varint). */
    public static function int(int $type, int|string $value, string $what): int
    {
        if ($type !== 0 || !\is_int($value)) {
            throw new FormatError("$what: expected a varint, got wire type $type");
        }
        return $value;
    }

    public static function bytes(int $type, int|string $value, string $what): string
    {
        if ($type !== 2 || !\is_string($value)) {
            throw new FormatError("$what: expected a length-delimited field, got wire type $type");
        }
        return $value;
    }

    /**
     * A repeated integer field: packed (one length-delimited run) or not
     * (one varint per element); both are valid encodings.
     *
     * @param list<int> $out
     */
    public static function ints(array &$out, int $type, int|string $value, string $what): void
    {
        if ($type === 0 && \is_int($value)) {
            $out[] = $value;
            return;
        }
        if ($type === 2 && \is_string($value)) {
            $pos = 0;
            $end = \strlen($value);
            while ($pos < $end) {
                $out[] = self::varint($value, $pos, $end);
            }
            return;
        }
        throw new FormatError("$what: expected varints, got wire type $type");
    }
}

// ---------------------------------------------------------------------------
// The profile (github.com/google/pprof proto/profile.proto)
// ---------------------------------------------------------------------------

final class Profile
{
    /** @var list<array{0: string, 1: string}> type, unit */
    public array $sampleTypes = [];

    /** @var list<array{0: list<int>, 1: list<int>}> frame indexes leaf-first, values */
    public array $samples = [];

    /** @var list<array{0: string, 1: string, 2: int}> function name, file, line */
    public array $frames = [];

    public string $defaultSampleType = '';
    public int $timeNanos = 0;

    public function __construct(public string $path)
    {
    }

    public static function load(string $path): self
    {
        if (!file_exists($path)) {
            throw new Failure("$path: no such file");
        }
        if (is_dir($path)) {
            throw new Failure("$path: is a directory, not a profile");
        }
        if (!is_readable($path)) {
            throw new Failure("$path: permission denied");
        }
        $raw = file_get_contents($path);
        if ($raw === false) {
            throw new Failure("$path: cannot read the file");
        }
        if ($raw === '') {
            throw new FormatError("$path: empty file, not a pprof profile");
        }
        if (str_starts_with($raw, "\x1f\x8b")) {
            if (!\function_exists('gzdecode')) {
                throw new Failure("$path: reading gzip needs PHP's zlib extension, which this PHP lacks");
            }
            $data = @gzdecode($raw);
            if ($data === false) {
                throw new FormatError("$path: corrupt gzip data, not a readable pprof profile");
            }
        } else {
            $data = $raw;  // pprof readers accept an uncompressed profile too
        }
        $profile = new self($path);
        try {
            $profile->decode($data);
        } catch (FormatError $e) {
            throw new FormatError("$path: not a pprof profile (" . $e->getMessage() . ')');
        }
        return $profile;
    }

    private function decode(string $data): void
    {
        $strings = [];
        $typeMsgs = [];
        $sampleMsgs = [];
        $locationMsgs = [];
        $functionMsgs = [];
        $defaultType = 0;
        foreach (Wire::fields($data) as [$field, $type, $value]) {
            switch ($field) {
                case 1:
                    $typeMsgs[] = Wire::bytes($type, $value, 'sample_type');
                    break;
                case 2:
                    $sampleMsgs[] = Wire::bytes($type, $value, 'sample');
                    break;
                case 4:
                    $locationMsgs[] = Wire::bytes($type, $value, 'location');
                    break;
                case 5:
                    $functionMsgs[] = Wire::bytes($type, $value, 'function');
                    break;
                case 6:
                    $strings[] = Wire::bytes($type, $value, 'string_table');
                    break;
                case 9:
                    $this->timeNanos = Wire::int($type, $value, 'time_nanos');
                    break;
                case 14:
                    $defaultType = Wire::int($type, $value, 'default_sample_type');
                    break;
                default:
                    // mapping, drop/keep_frames, duration, period, comments, doc_url: not needed
                    break;
            }
        }
        if ($strings === [] || $strings[0] !== '') {
            throw new FormatError('its string table does not start with the empty string');
        }
        $str = static function (int $i) use ($strings): string {
            if ($i < 0 || $i >= \count($strings)) {
                throw new FormatError("string index $i out of range");
            }
            return $strings[$i];
        };

        foreach ($typeMsgs as $msg) {
            $t = 0;
            $u = 0;
            foreach (Wire::fields($msg) as [$field, $type, $value]) {
                if ($field === 1) {
                    $t = Wire::int($type, $value, 'ValueType.type');
                } elseif ($field === 2) {
                    $u = Wire::int($type, $value, 'ValueType.unit');
                }
            }
            $this->sampleTypes[] = [$str($t), $str($u)];
        }
        if ($this->sampleTypes === []) {
            throw new FormatError('it has no sample types');
        }
        $this->defaultSampleType = $str($defaultType);

        // functions: id => [name, file]
        $functions = [];
        foreach ($functionMsgs as $msg) {
            $id = 0;
            $name = 0;
            $file = 0;
            foreach (Wire::fields($msg) as [$field, $type, $value]) {
                switch ($field) {
                    case 1:
                        $id = Wire::int($type, $value, 'Function.id');
                        break;
                    case 2:
                        $name = Wire::int($type, $value, 'Function.name');
                        break;
                    case 4:
                        $file = Wire::int($type, $value, 'Function.filename');
                        break;
                }
            }
            if ($id === 0) {
                throw new FormatError('a function has id 0');
            }
            if (isset($functions[$id])) {
                throw new FormatError("function id $id is used twice");
            }
            $functions[$id] = canonicalFunction($str($name), $str($file));
        }

        // locations: id => frame indexes, innermost first
        $frameIndex = [];
        $locations = [];
        foreach ($locationMsgs as $msg) {
            $id = 0;
            $address = 0;
            $lines = [];
            foreach (Wire::fields($msg) as [$field, $type, $value]) {
                switch ($field) {
                    case 1:
                        $id = Wire::int($type, $value, 'Location.id');
                        break;
                    case 3:
                        $address = Wire::int($type, $value, 'Location.address');
                        break;
                    case 4:
                        $fn = 0;
                        $ln = 0;
                        foreach (Wire::fields(Wire::bytes($type, $value, 'Location.line')) as [$f2, $t2, $v2]) {
                            if ($f2 === 1) {
                                $fn = Wire::int($t2, $v2, 'Line.function_id');
                            } elseif ($f2 === 2) {
                                $ln = Wire::int($t2, $v2, 'Line.line');
                            }
                        }
                        $lines[] = [$fn, $ln];
                        break;
                }
            }
            if ($id === 0) {
                throw new FormatError('a location has id 0');
            }
            if (isset($locations[$id])) {
                throw new FormatError("location id $id is used twice");
            }
            $frames = [];
            if ($lines === []) {
                $lines[] = [0, 0];  // unsymbolized: show the address
            }
            foreach ($lines as [$fn, $ln]) {
                if ($fn === 0) {
                    $frame = [sprintf('0x%x', $address), '', 0];
                } elseif (!isset($functions[$fn])) {
                    throw new FormatError("location $id refers to unknown function id $fn");
                } else {
                    $frame = [$functions[$fn][0], $functions[$fn][1], $ln];
                }
                $key = $frame[0] . "\0" . $frame[1] . "\0" . $frame[2];
                if (!isset($frameIndex[$key])) {
                    $frameIndex[$key] = \count($this->frames);
                    $this->frames[] = $frame;
                }
                $frames[] = $frameIndex[$key];
            }
            $locations[$id] = $frames;
        }

        // Samples are most of a profile: decoded inline rather than with Wire::fields().
        $ntypes = \count($this->sampleTypes);
        foreach ($sampleMsgs as $msg) {
            $lists = [1 => [], 2 => []];  // location_id, value
            $pos = 0;
            $end = \strlen($msg);
            while ($pos < $end) {
                $key = Wire::varint($msg, $pos, $end);
                $field = $key >> 3;
                $type = $key & 7;
                if ($type === 2) {
                    $len = Wire::varint($msg, $pos, $end);
                    if ($len < 0 || $len > $end - $pos) {
                        throw new FormatError("field $field runs past the end of its message");
                    }
                    $stop = $pos + $len;
                    if ($field === 1 || $field === 2) {
                        while ($pos < $stop) {
                            $byte = \ord($msg[$pos]);
                            if ($byte < 0x80) {
                                $lists[$field][] = $byte;
                                $pos++;
                            } elseif ($pos + 1 < $stop && ($next = \ord($msg[$pos + 1])) < 0x80) {
                                $lists[$field][] = ($byte & 0x7f) | ($next << 7);
                                $pos += 2;
                            } else {
                                $lists[$field][] = Wire::varint($msg, $pos, $stop);
                            }
                        }
                    }
                    $pos = $stop;
                } elseif ($type === 0) {
                    $value = Wire::varint($msg, $pos, $end);
                    if ($field === 1 || $field === 2) {
                        $lists[$field][] = $value;
                    }
                } elseif (($type === 1 || $type === 5) && $field !== 1 && $field !== 2) {
                    $pos += $type === 1 ? 8 : 4;
                    if ($pos > $end) {
                        throw new FormatError('truncated fixed-size field');
                    }
                } else {
                    throw new FormatError("unexpected wire type $type in field $field of a sample");
                }
            }
            if (\count($lists[2]) !== $ntypes) {
                throw new FormatError('a sample has ' . \count($lists[2]) . " values for $ntypes sample types");
            }
            $stack = [];
            foreach ($lists[1] as $lid) {
                $frames = $locations[$lid] ?? throw new FormatError("a sample refers to unknown location id $lid");
                if (\count($frames) === 1) {
                    $stack[] = $frames[0];
                } else {
                    array_push($stack, ...$frames);
                }
            }
            $this->samples[] = [$stack, $lists[2]];
        }
    }

    public function isInternal(int $frame): bool
    {
        return $this->frames[$frame][1] === INTERNAL_FILE;
    }

    /** @return list<string> */
    public function typeNames(): array
    {
        return array_map(static fn (array $t): string => $t[0], $this->sampleTypes);
    }
}

// ---------------------------------------------------------------------------
// Metrics: which sample type to add up
// ---------------------------------------------------------------------------

final class Metric
{
    public function __construct(
        public string $key,          // inuse, alloc, peak, or a sample-type name
        public string $label,        // "in-use bytes"
        public string $short,        // "in use" (column header)
        public int $vi,              // index of the value
        public ?int $ci,             // index of the matching block count, if any
        public string $unit,
    ) {
    }
}

const METRICS = [
    'inuse' => ['inuse_space', 'inuse_objects', 'in-use bytes', 'in use'],
    'alloc' => ['alloc_space', 'alloc_objects', 'allocated bytes', 'allocated'],
    'peak' => ['peak_space', 'peak_objects', 'bytes live at peak', 'at peak'],
];

function resolveMetric(Profile $p, ?string $want): Metric
{
    $names = $p->typeNames();
    $index = [];
    foreach ($names as $i => $n) {
        $index[$n] ??= $i;
    }
    if ($want === null) {
        if (isset($index['inuse_space'])) {
            $want = 'inuse';
        } elseif ($p->defaultSampleType !== '' && isset($index[$p->defaultSampleType])) {
            $want = $p->defaultSampleType;
        } else {
            $want = $names[\count($names) - 1];
        }
    }
    $has = ' (it has: ' . implode(', ', $names) . ')';
    if (isset(METRICS[$want])) {
        [$space, $objects, $label, $short] = METRICS[$want];
        if (!isset($index[$space])) {
            throw new Failure("{$p->path}: the profile has no $space sample type, so no '$want' metric$has");
        }
        $vi = $index[$space];
        return new Metric($want, $label, $short, $vi, $index[$objects] ?? null, $p->sampleTypes[$vi][1]);
    }
    if (isset($index[$want])) {
        $vi = $index[$want];
        $ci = null;
        if (str_ends_with($want, '_space')) {
            $ci = $index[substr($want, 0, -6) . '_objects'] ?? null;
        }
        $unit = $p->sampleTypes[$vi][1];
        return new Metric($want, $want . ($unit !== '' ? " ($unit)" : ''), $want, $vi, $ci, $unit);
    }
    throw new Failure("unknown metric '$want': use inuse, alloc, peak or a sample type of {$p->path}$has");
}
