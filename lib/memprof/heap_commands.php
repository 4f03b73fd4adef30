<?php

/*
 * memprof command: `memprof heap ...`, the analyses of native heap
 * snapshots (memprof_dump_heap()): summary, ref-path, dominators, diff,
 * unreached.
 */

declare(strict_types=1);

namespace MemprofCli;

const HEAP_HELP = [
    '' => <<<'TXT'
        Usage: memprof heap COMMAND [options] FILE...

        Reads heap snapshots written by memprof_dump_heap() (format native, the
        default): every object, array and string the script could reach, with
        its size and, if profiling was on, the call path and line that
        allocated it.

        Commands:
          summary     count, self and retained bytes by class, site, or both
          ref-path    shortest paths from the roots to a class's instances, or to a node
          dominators  the dominator tree: what keeps the most memory alive
          diff        growth between two snapshots, by class and site
          unreached   live memory the walk could not reach, by allocation site

        'memprof heap COMMAND --help' explains each.

        TXT,
    'summary' => <<<'TXT'
        Usage: memprof heap summary [options] FILE

        Counts the snapshot's objects, arrays and strings by class (arrays and
        strings as "array" and "string"), by allocation site, or both: how
        many, their own bytes (self), and what they keep alive (retained: the
        bytes that would be freed if the group's members were; a member
        another member keeps alive is counted once).

        Options:
          --by class|site|class,site   grouping (default: class)
          --sort count|self|retained   order of the rows, largest first (default: retained)
          -n N                         show N rows (default 20; 0 = all)
          --exact                      exact numbers instead of KiB/MiB and 1,234
          -h, --help                   this help

        TXT,
    'ref-path' => <<<'TXT'
        Usage: memprof heap ref-path (--class NAME | --id ID) [options] FILE

        Prints the shortest paths from the roots to the instances of a class
        (a sample, grouped by the shape of their path: keys become [*]) or to
        one node, in meminfo's notation: $var["key"]->prop[3]. Roots are
        global variables ($x), variables of a running function ("Foo::bar()
        $x"), statics ("Foo::$x", "fn()::$x"), handlers, and "(unreached)" for
        objects that only the object store holds.

        Options:
          --class NAME    the class (as the snapshot names it: Foo, App\Foo)
          --id ID         a node id (as dominators and this command print them)
          --sample N      instances to look at (default 100; 0 = all)
          -n N            shapes to show (default 10; 0 = all)
          -h, --help      this help

        TXT,
    'dominators' => <<<'TXT'
        Usage: memprof heap dominators [options] FILE

        Prints the dominator tree, largest retained size first: a node's
        retained size is what would be freed if it were (what only it keeps
        alive). Each line: retained, self, what it is, where it was
        allocated, its id, and its shortest path from the roots.

        Options:
          -n N            children shown per node (default 5)
          --depth D       levels shown (default 4)
          --min PCT       hide nodes under PCT % of the heap (default 1)
          --exact         exact numbers instead of KiB/MiB
          -h, --help      this help

        TXT,
    'diff' => <<<'TXT'
        Usage: memprof heap diff [options] BASE NEW

        What grew from snapshot BASE to snapshot NEW (say, two points of a
        worker's loop): count, self and retained bytes by class and site,
        largest growth of count first (then of retained bytes, so that a
        leaking object comes before the arrays and strings it holds).

        Options:
          --by class|site|class,site   grouping (default: class,site)
          --sort count|self|retained   order of the rows (default: count)
          -n N                         show N rows (default 20; 0 = all)
          --exact                      exact numbers instead of KiB/MiB and 1,234
          -h, --help                   this help

        TXT,
    'unreached' => <<<'TXT'
        Usage: memprof heap unreached [--by site] [options] FILE

        Live memory that no node of the snapshot accounts for, grouped by the
        call path that allocated it: what a script holds outside anything the
        walk can see (compiled code, the engine's own tables, buffers of
        extensions, memory freed by nobody). The answer to "memory grows but
        the dump does not". Needs a snapshot taken with profiling on.

        Options:
          --by site       grouping (the only one)
          -n N            show N sites (default 20; 0 = all)
          --exact         exact numbers instead of KiB/MiB and 1,234
          -h, --help      this help

        TXT,
];

function cmdHeap(array $args): int
{
    $sub = array_shift($args);
    if ($sub === null) {
        throw new UsageError("heap: missing the command: summary, ref-path, dominators, diff or unreached (see 'memprof heap --help')");
    }
    if ($sub === '-h' || $sub === '--help') {
        @fwrite(STDOUT, HEAP_HELP['']);
        return 0;
    }
    if (!isset(HEAP_HELP[$sub]) || $sub === '') {
        throw new UsageError("heap: unknown command '$sub': summary, ref-path, dominators, diff or unreached");
    }
    if (\in_array('-h', $args, true) || \in_array('--help', $args, true)) {
        @fwrite(STDOUT, HEAP_HELP[$sub]);
        return 0;
    }
    return match ($sub) {
        'summary' => heapSummary($args),
        'ref-path' => heapRefPath($args),
        'dominators' => heapDominators($args),
        'diff' => heapDiff($args),
        'unreached' => heapUnreached($args),
    };
}

/** @return array{0: array<string, mixed>, 1: list<string>} */
function heapArgs(string $cmd, array $args, array $spec): array
{
    return parseArgs("heap $cmd", $args, $spec + ['-n' => ['n', true], '--exact' => ['exact', false]]);
}

function expectSnapshots(string $cmd, array $pos, int $n): void
{
    expectFiles("heap $cmd", $pos, $n, "memprof heap $cmd " . ($n === 1 ? 'FILE' : 'BASE NEW'), 'snapshot');
}

function heapIntro(HeapSnapshot $s, bool $exact): void
{
    $m = $s->meta;
    out('File: ' . $s->path);
    out(sprintf(
        'Snapshot: PHP %s, pid %s, %s nodes, %s edges, %s in nodes%s',
        $m['php_version'] ?? '?',
        $m['pid'] ?? '?',
        fmtCount($s->nodeCount, $exact),
        fmtCount($s->edgeCount, $exact),
        fmtHeapBytes((int) ($m['bytes'] ?? 0), $exact),
        $s->hasSites() ? '' : ' (profiling was off: no allocation sites)'
    ));
}

function fmtHeapBytes(int $v, bool $exact): string
{
    return $exact ? (string) $v : fmtBytes($v);
}

/** The node kinds reports count (not roots or frames). */
function isValueKind(int $k): bool
{
    return $k >= HeapSnapshot::KIND_OBJECT;
}

/**
 * Groups the snapshot's values: per node a group id, and per group its key.
 *
 * @return array{0: list<int>, 1: list<string>, 2: list<array{0: string, 1: int}>} group of each node,
 *         key of each group, and [label, site] of each group
 */
function heapGroups(HeapSnapshot $s, string $by): array
{
    $kind = $s->col('kind');
    $name = $s->col('name');
    $site = $by === 'class' ? [] : $s->col('site');
    $ids = [];
    $keys = [];
    $what = [];
    $group = [];
    // an int key per group: the name id, the site (+1), or both
    $sites = \count($s->siteFn) + 1;
    for ($i = 0, $n = $s->nodeCount; $i < $n; $i++) {
        if ($kind[$i] < HeapSnapshot::KIND_OBJECT) {
            $group[] = -1;
            continue;
        }
        $k = $by === 'class' ? $name[$i] : ($by === 'site' ? $site[$i] + 1 : $name[$i] * $sites + $site[$i] + 1);
        $g = $ids[$k] ??= \count($keys);
        if ($g === \count($keys)) {
            $keys[] = '';
            $what[] = [$by === 'site' ? '' : $s->strings[$name[$i]], $by === 'class' ? -2 : $site[$i]];
        }
        $group[] = $g;
    }
    foreach ($what as $g => [$label, $st]) {
        $keys[$g] = $label . "\0" . ($st === -2 ? '' : $s->siteLabel($st));
    }
    return [$group, $keys, $what];
}

/**
 * Count, self and retained bytes per group key.
 *
 * @return array<string, array{0: int, 1: int, 2: int, 3: int}> key => count, self, retained, site
 */
function heapGroupStats(HeapSnapshot $s, string $by): array
{
    [$group, $keys, $what] = heapGroups($s, $by);
    $size = $s->col('size');
    $count = array_fill(0, \count($keys), 0);
    $self = $count;
    foreach ($group as $i => $g) {
        if ($g >= 0) {
            ++$count[$g];
            $self[$g] += $size[$i];
        }
    }
    $ret = (new HeapAnalysis($s))->groupRetained($group);
    $stats = [];
    foreach ($keys as $g => $key) {
        // two sites may print the same (same line, other callers): one row
        $r = &$stats[$key];
        $r ??= [0, 0, 0, $what[$g][1]];
        $r[0] += $count[$g];
        $r[1] += $self[$g];
        $r[2] += $ret[$g] ?? 0;
        unset($r);
    }
    return $stats;
}

function heapGroupCells(string $key, string $by): array
{
    [$label, $site] = explode("\0", $key, 2);
    return match ($by) {
        'class' => [$label],
        'site' => [$site],
        default => [$label, $site],
    };
}

function heapGroupHeader(string $by): array
{
    return match ($by) {
        'class' => ['class'],
        'site' => ['site'],
        default => ['class', 'site'],
    };
}

function heapSummary(array $args): int
{
    [$o, $pos] = heapArgs('summary', $args, ['--by' => ['by', true], '--sort' => ['sort', true]]);
    $by = choiceOption($o, 'by', '--by', ['class', 'site', 'class,site'], 'class');
    $sort = choiceOption($o, 'sort', '--sort', ['count', 'self', 'retained'], 'retained');
    $limit = intOption($o, 'n', '-n', 20);
    $exact = isset($o['exact']);
    expectSnapshots('summary', $pos, 1);
    $s = HeapSnapshot::load($pos[0]);
    $stats = heapGroupStats($s, $by);
    $col = ['count' => 0, 'self' => 1, 'retained' => 2][$sort];
    uksort($stats, static fn (string $a, string $b): int => [$stats[$b][$col], $stats[$b][1], $a] <=> [$stats[$a][$col], $stats[$a][1], $b]);
    heapIntro($s, $exact);
    $shown = $limit === 0 ? $stats : \array_slice($stats, 0, $limit, true);
    out(sprintf('Showing %d of %d groups by %s, sorted by %s', \count($shown), \count($stats), $by, $sort));
    out();
    $rows = [];
    foreach ($shown as $key => [$count, $self, $ret]) {
        $rows[] = ['cells' => [fmtCount($count, $exact), fmtHeapBytes($self, $exact), fmtHeapBytes($ret, $exact), ...heapGroupCells($key, $by)]];
    }
    $header = ['count', 'self', 'retained', ...heapGroupHeader($by)];
    foreach (table($header, $rows, array_merge(['r', 'r', 'r'], array_fill(0, \count($header) - 3, 'l'))) as $line) {
        out($line);
    }
    return 0;
}

/** The node whose edges include edge e. */
function heapEdgeHolder(array $first, int $e): int
{
    $lo = 0;
    $hi = \count($first) - 2;
    while ($lo < $hi) {
        $mid = ($lo + $hi + 1) >> 1;
        if ($first[$mid] <= $e) {
            $lo = $mid;
        } else {
            $hi = $mid - 1;
        }
    }
    // nodes without edges share their first with the next one: take the last
    return $lo;
}

/** A node's shortest path from the roots, in meminfo's notation. */
function heapPath(HeapSnapshot $s, array $via, int $node, bool $shape = false): string
{
    $first = $s->col('first');
    $kind = $s->col('kind');
    $edges = [];
    for ($v = $node; $v > 0 && $via[$v] >= 0;) {
        $e = $via[$v];
        $h = heapEdgeHolder($first, $e);
        $edges[] = [$e, $h];
        $v = $h;
    }
    if ($node > 0 && ($via[$node] ?? -2) === -2) {
        return '(not reachable)';
    }
    $out = '';
    foreach (array_reverse($edges) as [$e, $h]) {
        $hk = $kind[$h];
        if ($h === 0) {
            continue;
        }
        if ($hk === HeapSnapshot::KIND_ROOT) {
            $root = $s->nodeName($h);
            if ($root === '(stack)') {
                continue;
            }
            $out .= $root === '(unreached)' ? '(unreached)' : $s->edgeStep($e, $hk, $shape);
            continue;
        }
        if ($hk === HeapSnapshot::KIND_FRAME) {
            $out .= $s->nodeName($h) . ' ' . $s->edgeStep($e, $hk, $shape);
            continue;
        }
        $out .= $s->edgeStep($e, $hk, $shape);
    }
    return $out === '' ? $s->nodeName($node) : $out;
}

function heapNodeInfo(HeapSnapshot $s, int $i, bool $exact = false): string
{
    $site = $s->col('site')[$i];
    $where = $s->hasSites() ? ', ' . $s->siteLabel($site) : '';
    return sprintf('node %d, %s, %s%s', $i, $s->label($i), fmtHeapBytes($s->col('size')[$i], $exact), $where);
}

function heapRefPath(array $args): int
{
    [$o, $pos] = heapArgs('ref-path', $args, ['--class' => ['class', true], '--id' => ['id', true], '--sample' => ['sample', true]]);
    expectSnapshots('ref-path', $pos, 1);
    if (isset($o['class']) === isset($o['id'])) {
        throw new UsageError("heap ref-path: give one of --class NAME or --id ID (see 'memprof heap ref-path --help')");
    }
    $limit = intOption($o, 'n', '-n', 10);
    $sample = intOption($o, 'sample', '--sample', 100);
    $s = HeapSnapshot::load($pos[0]);
    $via = (new HeapAnalysis($s))->parentEdges();
    if (isset($o['id'])) {
        if (!preg_match('/^\d+$/', (string) $o['id']) || (int) $o['id'] >= $s->nodeCount) {
            throw new Failure("heap ref-path: no node {$o['id']} in {$s->path} (ids run from 0 to " . ($s->nodeCount - 1) . ')');
        }
        $id = (int) $o['id'];
        out(heapPath($s, $via, $id));
        out('  ' . heapNodeInfo($s, $id));
        return 0;
    }
    $want = ltrim((string) $o['class'], '\\');
    $kind = $s->col('kind');
    $name = $s->col('name');
    $nameId = array_search($want, $s->strings, true);
    $instances = [];
    if ($nameId !== false) {
        for ($i = 0, $n = $s->nodeCount; $i < $n; $i++) {
            if ($name[$i] === $nameId && $kind[$i] === HeapSnapshot::KIND_OBJECT) {
                $instances[] = $i;
            }
        }
    }
    if ($instances === []) {
        throw new Failure("heap ref-path: no instance of class '$want' in {$s->path}");
    }
    $total = \count($instances);
    if ($sample > 0 && $total > $sample) {
        // spread over the whole set: the first ones found are the nearest
        $step = $total / $sample;
        $picked = [];
        for ($k = 0; $k < $sample; $k++) {
            $picked[] = $instances[(int) ($k * $step)];
        }
        $instances = $picked;
    }
    $shapes = [];
    foreach ($instances as $i) {
        $shape = heapPath($s, $via, $i, true);
        $shapes[$shape] ??= [0, $i];
        ++$shapes[$shape][0];
    }
    uasort($shapes, static fn (array $a, array $b): int => $b[0] <=> $a[0]);
    $shown = $limit === 0 ? $shapes : \array_slice($shapes, 0, $limit, true);
    out(sprintf(
        '%s instances of %s; shortest paths from the roots of %s, in %d shape%s:',
        number_format($total),
        $want,
        \count($instances) === $total ? 'all' : 'a sample of ' . \count($instances),
        \count($shapes),
        \count($shapes) === 1 ? '' : 's'
    ));
    foreach ($shown as $shape => [$count, $example]) {
        out();
        out(sprintf('%6s  %s', number_format($count), $shape));
        out('        e.g. ' . heapPath($s, $via, $example));
        out('        ' . heapNodeInfo($s, $example));
    }
    return 0;
}

function heapDominators(array $args): int
{
    [$o, $pos] = heapArgs('dominators', $args, ['--depth' => ['depth', true], '--min' => ['min', true]]);
    expectSnapshots('dominators', $pos, 1);
    $limit = intOption($o, 'n', '-n', 5);
    $depth = intOption($o, 'depth', '--depth', 4);
    $minPct = isset($o['min']) && is_numeric($o['min']) ? (float) $o['min'] : 1.0;
    $exact = isset($o['exact']);
    $s = HeapSnapshot::load($pos[0]);
    $a = new HeapAnalysis($s);
    $ret = $a->retained();
    [$start, $kids] = $a->domChildren();
    $via = $a->parentEdges();
    $kind = $s->col('kind');
    $size = $s->col('size');
    $total = $ret[0];
    $min = (int) ($total * $minPct / 100);
    heapIntro($s, $exact);
    out(sprintf('Dominator tree, largest retained first (%d per level, %d levels, nodes of %s%% of the heap or more):', $limit, $depth, $minPct));
    out();
    $rows = [];
    // roots and frames are ours, not memory: their children stand at their level
    $walk = static function (int $v, int $level) use (&$walk, &$rows, $start, $kids, $ret, $kind, $limit, $depth, $min, $s, $via, $size, $exact): void {
        $children = [];
        $queue = [$v];
        while ($queue !== []) {
            $u = array_pop($queue);
            for ($k = $start[$u]; $k < $start[$u + 1]; $k++) {
                $w = $kids[$k];
                if (isValueKind($kind[$w])) {
                    // sorting only what is shown: a node may dominate millions
                    if ($ret[$w] >= $min) {
                        $children[] = $w;
                    }
                } else {
                    $queue[] = $w;
                }
            }
        }
        usort($children, static fn (int $x, int $y): int => $ret[$y] <=> $ret[$x]);
        foreach (\array_slice($children, 0, $limit === 0 ? null : $limit) as $w) {
            $rows[] = ['cells' => [
                fmtHeapBytes($ret[$w], $exact),
                pct($ret[$w], $ret[0]),
                fmtHeapBytes($size[$w], $exact),
                str_repeat('  ', $level) . $s->label($w) . '  #' . $w,
            ], 'notes' => [str_repeat('  ', $level) . '  ' . heapPath($s, $via, $w) . ($s->hasSites() ? '   ' . $s->siteLabel($s->col('site')[$w]) : '')]];
            if ($level + 1 < $depth) {
                $walk($w, $level + 1);
            }
        }
    };
    $walk(0, 0);
    foreach (table(['retained', 'share', 'self', 'node'], $rows, ['r', 'r', 'r', 'l']) as $line) {
        out($line);
    }
    return 0;
}

function heapDiff(array $args): int
{
    [$o, $pos] = heapArgs('diff', $args, ['--by' => ['by', true], '--sort' => ['sort', true]]);
    $by = choiceOption($o, 'by', '--by', ['class', 'site', 'class,site'], 'class,site');
    $sort = choiceOption($o, 'sort', '--sort', ['count', 'self', 'retained'], 'count');
    $limit = intOption($o, 'n', '-n', 20);
    $exact = isset($o['exact']);
    expectSnapshots('diff', $pos, 2);
    $a = heapGroupStats($base = HeapSnapshot::load($pos[0]), $by);
    $b = heapGroupStats($new = HeapSnapshot::load($pos[1]), $by);
    $rows = [];
    foreach ($a + $b as $key => $_) {
        $x = $a[$key] ?? [0, 0, 0];
        $y = $b[$key] ?? [0, 0, 0];
        $d = [$y[0] - $x[0], $y[1] - $x[1], $y[2] - $x[2]];
        if ($d !== [0, 0, 0]) {
            $rows[$key] = [$d, $x, $y];
        }
    }
    $col = ['count' => 0, 'self' => 1, 'retained' => 2][$sort];
    // ties go to what keeps more alive: the leaking object before its parts
    uksort($rows, static fn (string $p, string $q): int => [$rows[$q][0][$col], $rows[$q][0][2], $p] <=> [$rows[$p][0][$col], $rows[$p][0][2], $q]);
    out(sprintf('Base: %s  %s nodes, %s', $base->path, fmtCount($base->nodeCount, $exact), fmtHeapBytes((int) ($base->meta['bytes'] ?? 0), $exact)));
    out(sprintf('New:  %s  %s nodes, %s', $new->path, fmtCount($new->nodeCount, $exact), fmtHeapBytes((int) ($new->meta['bytes'] ?? 0), $exact)));
    $shown = $limit === 0 ? $rows : \array_slice($rows, 0, $limit, true);
    out(sprintf('Showing %d of %d changed groups by %s, largest growth of %s first', \count($shown), \count($rows), $by, $sort));
    out();
    $cells = [];
    foreach ($shown as $key => [$d, $x, $y]) {
        $cells[] = ['cells' => [
            signed(fmtCount($d[0], $exact), $d[0]),
            signed(fmtHeapBytes($d[1], $exact), $d[1]),
            signed(fmtHeapBytes($d[2], $exact), $d[2]),
            fmtCount($x[0], $exact) . ' → ' . fmtCount($y[0], $exact),
            ...heapGroupCells($key, $by),
        ]];
    }
    $header = ['count', 'self', 'retained', 'instances', ...heapGroupHeader($by)];
    foreach (table($header, $cells, array_merge(['r', 'r', 'r', 'r'], array_fill(0, \count($header) - 4, 'l'))) as $line) {
        out($line);
    }
    return 0;
}

function heapUnreached(array $args): int
{
    [$o, $pos] = heapArgs('unreached', $args, ['--by' => ['by', true]]);
    choiceOption($o, 'by', '--by', ['site'], 'site');
    $limit = intOption($o, 'n', '-n', 20);
    $exact = isset($o['exact']);
    expectSnapshots('unreached', $pos, 1);
    $s = HeapSnapshot::load($pos[0]);
    if (!$s->hasSites()) {
        throw new Failure("{$s->path}: taken with profiling off: nothing to tell what the walk missed (dump it with profiling on: memprof_enable() or MEMPROF_PROFILE)");
    }
    $rows = $s->unreached;
    usort($rows, static fn (array $x, array $y): int => [$y[1], $x[0]] <=> [$x[1], $y[0]]);
    $bytes = array_sum(array_column($rows, 1));
    $blocks = array_sum(array_column($rows, 2));
    heapIntro($s, $exact);
    out(sprintf(
        'Live but in no node: %s in %s blocks, from %d sites (%s of the live memory profiled)',
        fmtHeapBytes($bytes, $exact),
        fmtCount($blocks, $exact),
        \count($rows),
        pct($bytes, $bytes + (int) ($s->meta['bytes'] ?? 0))
    ));
    $shown = $limit === 0 ? $rows : \array_slice($rows, 0, $limit);
    out(sprintf('Showing %d of %d sites, largest first', \count($shown), \count($rows)));
    out();
    $cells = [];
    foreach ($shown as [$site, $b, $n]) {
        $cells[] = ['cells' => [fmtHeapBytes($b, $exact), pct($b, $bytes), fmtCount($n, $exact), $s->siteLabel($site)],
            'notes' => ['  ' . $s->sitePath($site)]];
    }
    foreach (table(['bytes', 'share', 'blocks', 'site'], $cells, ['r', 'r', 'r', 'l']) as $line) {
        out($line);
    }
    return 0;
}
