<?php

/*
 * memprof command: reports of profiles: number formats, names, tables, and the sites
 * (lines) a report ranks.
 */

declare(strict_types=1);

namespace MemprofCli;

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

function fmtBytes(int $v): string
{
    $a = abs($v);
    if ($a < 1024) {
        return "$v B";
    }
    $units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    $x = $a / 1024;
    $u = 0;
    while ($x >= 1024 && $u < \count($units) - 1) {
        $x /= 1024;
        $u++;
    }
    $s = $x < 10 ? sprintf('%.2f', $x) : ($x < 100 ? sprintf('%.1f', $x) : sprintf('%.0f', $x));
    return ($v < 0 ? '-' : '') . $s . ' ' . $units[$u];
}

function fmtValue(int $v, string $unit, bool $exact): string
{
    if ($exact) {
        return (string) $v;
    }
    if ($unit === 'bytes') {
        return fmtBytes($v);
    }
    if ($unit === 'nanoseconds') {
        $a = abs($v);
        if ($a >= 1_000_000_000) {
            return sprintf('%.2f s', $v / 1e9);
        }
        if ($a >= 1_000_000) {
            return sprintf('%.2f ms', $v / 1e6);
        }
        if ($a >= 1000) {
            return sprintf('%.2f us', $v / 1e3);
        }
        return "$v ns";
    }
    return number_format($v);
}

function fmtCount(int $v, bool $exact): string
{
    return $exact ? (string) $v : number_format($v);
}

function signed(string $s, int $v): string
{
    return $v > 0 ? '+' . $s : $s;
}

function pct(int $part, int $total): string
{
    if ($total === 0) {
        return '-';
    }
    return sprintf('%.1f%%', 100 * $part / $total);
}

/** A path relative to the working directory when it lies below it. */
function displayPath(string $file): string
{
    static $cwd = null;
    $cwd ??= rtrim((string) getcwd(), '/') . '/';
    if ($cwd !== '/' && str_starts_with($file, $cwd)) {
        return substr($file, \strlen($cwd));
    }
    return $file;
}

/**
 * [name, file] of a function as the rest of this tool sees it, whatever
 * the writer: memprof's pprof names file-level code and compiles by the
 * file's base name and gives each internal function a file of its own
 * (php:internal/NAME, so that pprof's source view keeps them apart); here
 * they are `main /abs/x.php`, `compile /abs/x.php` and php:internal, as in
 * memprof_dump_array() and in profiles of earlier versions.
 */
function canonicalFunction(string $name, string $file): array
{
    if (str_starts_with($file, INTERNAL_FILE . '/')) {
        return [$name, INTERNAL_FILE];
    }
    foreach (['main ', 'compile '] as $kind) {
        if (str_starts_with($name, $kind) && $file !== '' && $file[0] === '/' && !str_starts_with($name, "$kind/")) {
            return [$kind . $file, $file];
        }
    }
    return [$name, $file];
}

/** Function name for display: `main /abs/x.php` gets the short path too. */
function displayName(string $name): string
{
    foreach (['main ', 'compile '] as $kind) {
        if (str_starts_with($name, "$kind/")) {
            return $kind . displayPath(substr($name, \strlen($kind)));
        }
    }
    return $name;
}

/** `file:line` of a frame, or php:internal. */
function frameWhere(array $frame): string
{
    [, $file, $line] = $frame;
    if ($file === INTERNAL_FILE) {
        return INTERNAL_FILE;
    }
    $f = $file === '' ? '?' : displayPath($file);
    return $line > 0 ? "$f:$line" : $f;
}

/** One frame of a call path; the file is shown when it differs from the caller's. */
function pathFrame(array $frame, ?string $callerFile): string
{
    [$name, $file, $line] = $frame;
    $shown = displayName($name);
    $ln = $line > 0 ? ":$line" : '';
    if ($file === INTERNAL_FILE || $file === '' || $file === ENGINE_FILE) {
        return $shown . ($file === '' ? $ln : '');
    }
    if ($name === 'main ' . $file || $name === 'compile ' . $file || $file === $callerFile) {
        return $shown . $ln;
    }
    return $shown . ' (' . displayPath($file) . $ln . ')';
}

/** @param list<int> $stack leaf-first */
function formatPath(Profile $p, array $stack): string
{
    if ($stack === []) {
        return '(no stack)';
    }
    $parts = [];
    $callerFile = null;
    for ($i = \count($stack) - 1; $i >= 0; $i--) {
        $frame = $p->frames[$stack[$i]];
        $parts[] = pathFrame($frame, $callerFile);
        if ($frame[1] !== INTERNAL_FILE && $frame[1] !== '') {
            $callerFile = $frame[1];
        }
    }
    return implode(' > ', $parts);
}

function textWidth(string $s): int
{
    $n = preg_match_all('/./us', $s);
    return $n === false ? \strlen($s) : $n;
}

function pad(string $s, int $width, bool $right): string
{
    $fill = str_repeat(' ', max(0, $width - textWidth($s)));
    return $right ? $fill . $s : $s . $fill;
}

/**
 * Renders a table. $align: 'r' or 'l' per column; the last column is never padded.
 * A row may carry 'note' lines printed under it, indented to its last column.
 *
 * @param list<string> $header
 * @param list<array{cells: list<string>, notes?: list<string>}> $rows
 * @param list<string> $align
 * @return list<string>
 */
function table(array $header, array $rows, array $align): array
{
    $n = \count($header);
    $widths = array_map('MemprofCli\textWidth', $header);
    foreach ($rows as $row) {
        foreach ($row['cells'] as $i => $c) {
            $widths[$i] = max($widths[$i], textWidth($c));
        }
    }
    $render = static function (array $cells) use ($n, $widths, $align): string {
        $out = [];
        foreach ($cells as $i => $c) {
            $out[] = $i === $n - 1 ? $c : pad($c, $widths[$i], $align[$i] === 'r');
        }
        return rtrim(implode('  ', $out));
    };
    $indent = 0;
    for ($i = 0; $i < $n - 1; $i++) {
        $indent += $widths[$i] + 2;
    }
    $lines = [$render($header)];
    foreach ($rows as $row) {
        $lines[] = $render($row['cells']);
        foreach ($row['notes'] ?? [] as $note) {
            $lines[] = str_repeat(' ', $indent) . $note;
        }
    }
    return $lines;
}

function out(string $text = ''): void
{
    // names come from the profile: no terminal control sequences from there
    $text = (string) preg_replace('/[\x00-\x08\x0b-\x1f\x7f]/', '?', $text);
    if (@fwrite(STDOUT, $text . "\n") === false) {
        exit(0);  // the reader went away (`memprof top FILE | head`): nothing left to do
    }
}

// ---------------------------------------------------------------------------
// Aggregations
// ---------------------------------------------------------------------------

/**
 * Self and inclusive totals per function, or per function and line.
 * By line, an internal function is placed at the user-code line that called it.
 *
 * @return list<array{name: string, where: string, sv: int, sc: int, iv: int, ic: int}>
 */
function topRows(Profile $p, Metric $m, string $by): array
{
    // Integer keys: a frame index, or per function a group id; by line, an
    // internal frame is keyed by itself and its user-code caller.
    $nf = \count($p->frames);
    $internal = [];
    $group = [];
    $groups = [];
    foreach ($p->frames as $i => [$name, $file]) {
        $internal[$i] = $file === INTERNAL_FILE;
        $group[$i] = $groups[$name . "\0" . $file] ??= \count($groups);
    }
    $sv = $sc = $iv = $ic = [];
    $first = [];  // key => [frame, caller]
    foreach ($p->samples as [$stack, $values]) {
        $v = $values[$m->vi];
        $c = $m->ci === null ? 0 : $values[$m->ci];
        if (($v === 0 && $c === 0) || $stack === []) {
            continue;
        }
        $keys = [];
        if ($by === 'function') {
            foreach ($stack as $pos => $fi) {
                $keys[$pos] = $group[$fi];
                $first[$group[$fi]] ??= [$fi, -1];
            }
        } else {
            $user = -1;
            for ($pos = \count($stack) - 1; $pos >= 0; $pos--) {
                $fi = $stack[$pos];
                if ($internal[$fi]) {
                    $k = $nf + $fi * ($nf + 1) + $user + 1;
                    $first[$k] ??= [$fi, $user];
                } else {
                    $k = $fi;
                    $user = $fi;
                    $first[$k] ??= [$fi, -1];
                }
                $keys[$pos] = $k;
            }
        }
        $k = $keys[0];
        $sv[$k] = ($sv[$k] ?? 0) + $v;
        $sc[$k] = ($sc[$k] ?? 0) + $c;
        foreach (array_unique($keys) as $k) {
            $iv[$k] = ($iv[$k] ?? 0) + $v;
            $ic[$k] = ($ic[$k] ?? 0) + $c;
        }
    }
    $rows = [];
    foreach ($iv as $k => $total) {
        [$fi, $caller] = $first[$k];
        [$name, $file] = $p->frames[$fi];
        if ($by === 'function') {
            $where = $file === INTERNAL_FILE ? INTERNAL_FILE : ($file === '' ? '?' : displayPath($file));
        } elseif ($file === INTERNAL_FILE) {
            $where = $caller >= 0 ? 'internal, called at ' . frameWhere($p->frames[$caller]) : INTERNAL_FILE;
        } else {
            $where = frameWhere($p->frames[$fi]);
        }
        $rows[] = [
            'name' => displayName($name), 'where' => $where,
            'sv' => $sv[$k] ?? 0, 'sc' => $sc[$k] ?? 0, 'iv' => $total, 'ic' => $ic[$k],
        ];
    }
    return $rows;
}

/**
 * Memory grouped by the user-code line holding it: the leaf frame, or for an
 * internal function (php:internal) the user frame that called it.
 *
 * @return array<string, array{label: string, where: string, via: array<string, int>, v: int, c: int, paths: int, best: list<int>, bestV: int}>
 */
function userSites(Profile $p, Metric $m): array
{
    $sites = [];
    foreach ($p->samples as [$stack, $values]) {
        $v = $values[$m->vi];
        $c = $m->ci === null ? 0 : $values[$m->ci];
        if ($v === 0 && $c === 0) {
            continue;
        }
        $site = siteOf($p, $stack);
        $key = $site['key'];
        if (!isset($sites[$key])) {
            $sites[$key] = ['label' => $site['label'], 'where' => $site['where'], 'via' => [], 'v' => 0, 'c' => 0, 'paths' => 0, 'best' => $stack, 'bestV' => PHP_INT_MIN];
        }
        $s = &$sites[$key];
        $s['v'] += $v;
        $s['c'] += $c;
        $s['paths']++;
        if ($site['via'] !== null) {
            $s['via'][$site['via']] = ($s['via'][$site['via']] ?? 0) + $v;
        }
        if ($v > $s['bestV']) {
            $s['bestV'] = $v;
            $s['best'] = $stack;
        }
        unset($s);
    }
    return $sites;
}

/**
 * The user-code line a stack allocates from: its leaf, or the first frame
 * above a run of internal functions (then 'via' names the internal leaf).
 *
 * @param list<int> $stack leaf-first
 * @return array{key: string, label: string, where: string, via: ?string}
 */
function siteOf(Profile $p, array $stack): array
{
    $n = \count($stack);
    if ($n === 0) {
        return ['key' => '', 'label' => '(no stack)', 'where' => '?', 'via' => null];
    }
    $u = 0;
    while ($u < $n && $p->isInternal($stack[$u])) {
        $u++;
    }
    if ($u === $n) {
        $u = 0;  // nothing but internal frames: keep the leaf
    }
    $frame = $p->frames[$stack[$u]];
    return [
        'key' => implode("\0", $frame),
        'label' => displayName($frame[0]),
        'where' => frameWhere($frame),
        'via' => $u > 0 ? $p->frames[$stack[0]][0] : null,
    ];
}

function siteLabel(array $s): string
{
    $label = $s['label'];
    if ($s['via'] !== []) {
        arsort($s['via']);
        $label .= ' (via ' . implode(', ', \array_slice(array_keys($s['via']), 0, 3)) . ')';
    }
    return $label;
}

/** @return array{0: int, 1: int} total value and blocks of a metric */
function totals(Profile $p, Metric $m): array
{
    $v = 0;
    $c = 0;
    foreach ($p->samples as [, $values]) {
        $v += $values[$m->vi];
        if ($m->ci !== null) {
            $c += $values[$m->ci];
        }
    }
    return [$v, $c];
}

function describeTotal(Profile $p, Metric $m, bool $exact): string
{
    [$v, $c] = totals($p, $m);
    $s = fmtValue($v, $m->unit, $exact);
    if ($m->ci !== null) {
        $s .= ' in ' . fmtCount($c, $exact) . ' blocks';
    }
    return $s;
}

/**
 * The end (inuse) and peak metrics with their totals, for a profile that has
 * both (memprof's do); null otherwise.
 *
 * @return ?array{end: Metric, peak: Metric, endTotal: int, peakTotal: int}
 */
function endAndPeak(Profile $p): ?array
{
    if (!hasEndAndPeak($p)) {
        return null;
    }
    $end = resolveMetric($p, 'inuse');
    $peak = resolveMetric($p, 'peak');
    return ['end' => $end, 'peak' => $peak, 'endTotal' => totals($p, $end)[0], 'peakTotal' => totals($p, $peak)[0]];
}

function hasEndAndPeak(Profile $p): bool
{
    $names = $p->typeNames();
    return \in_array('inuse_space', $names, true) && \in_array('peak_space', $names, true);
}

/**
 * Whether the peak, not the end, is the view to lead with: when under a
 * quarter of the peak is still in use at the end, what the program held
 * (a cache that died with its object) is invisible in the end view.
 *
 * @param array{endTotal: int, peakTotal: int} $ep
 */
function peakLeads(array $ep): bool
{
    return $ep['endTotal'] * 4 < $ep['peakTotal'];
}
