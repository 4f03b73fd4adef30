<?php

/*
 * memprof command: the profile commands: run, top, report, diff; and main(), which
 * dispatches every command.
 */

declare(strict_types=1);

namespace MemprofCli;

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

function cmdTop(array $args): int
{
    [$o, $pos] = parseArgs('top', $args, [
        '--by' => ['by', true], '--metric' => ['metric', true], '--sort' => ['sort', true],
        '-n' => ['n', true], '--exact' => ['exact', false], '-h' => ['help', false], '--help' => ['help', false],
    ]);
    if (isset($o['help'])) {
        return help('top');
    }
    $by = choiceOption($o, 'by', '--by', ['line', 'function'], 'line');
    $sort = choiceOption($o, 'sort', '--sort', ['self', 'inclusive'], 'self');
    $limit = intOption($o, 'n', '-n', 20);
    $exact = isset($o['exact']);
    expectFiles('top', $pos, 1, 'memprof top [options] FILE');
    $p = Profile::load($pos[0]);
    $m = resolveMetric($p, $o['metric'] ?? null);

    $rows = topRows($p, $m, $by);
    usort($rows, static function (array $a, array $b) use ($sort): int {
        $order = $sort === 'self'
            ? [$b['sv'] <=> $a['sv'], $b['iv'] <=> $a['iv']]
            : [$b['iv'] <=> $a['iv'], $b['sv'] <=> $a['sv']];
        return $order[0] ?: $order[1] ?: ($b['sc'] <=> $a['sc']) ?: strcmp($a['name'] . ' ' . $a['where'], $b['name'] . ' ' . $b['where']);
    });
    [$total] = totals($p, $m);
    $shown = $limit === 0 ? $rows : \array_slice($rows, 0, $limit);

    out('File: ' . $p->path);
    out('Metric: ' . $m->label . ' (' . $p->sampleTypes[$m->vi][0] . '), total ' . describeTotal($p, $m, $exact));
    $unitWord = $by === 'line' ? 'lines' : 'functions';
    out(sprintf('Showing %d of %d %s, sorted by %s', \count($shown), \count($rows), $unitWord, $sort));
    out();
    $blocks = $m->ci !== null;
    $header = ['self', 'self%'];
    $align = ['r', 'r'];
    if ($blocks) {
        $header[] = 'blocks';
        $align[] = 'r';
    }
    array_push($header, 'inclusive', 'incl%');
    array_push($align, 'r', 'r');
    if ($blocks) {
        $header[] = 'blocks';
        $align[] = 'r';
    }
    array_push($header, 'function', 'where');
    array_push($align, 'l', 'l');
    $trs = [];
    foreach ($shown as $r) {
        $cells = [fmtValue($r['sv'], $m->unit, $exact), pct($r['sv'], $total)];
        if ($blocks) {
            $cells[] = fmtCount($r['sc'], $exact);
        }
        array_push($cells, fmtValue($r['iv'], $m->unit, $exact), pct($r['iv'], $total));
        if ($blocks) {
            $cells[] = fmtCount($r['ic'], $exact);
        }
        array_push($cells, $r['name'], $r['where']);
        $trs[] = ['cells' => $cells];
    }
    foreach (table($header, $trs, $align) as $line) {
        out($line);
    }
    return 0;
}

/** userSites(), heaviest first. */
function rankedSites(Profile $p, Metric $m): array
{
    $sites = userSites($p, $m);
    uasort($sites, static fn (array $a, array $b): int => ($b['v'] <=> $a['v']) ?: ($b['c'] <=> $a['c'])
        ?: strcmp($a['where'] . $a['label'], $b['where'] . $b['label']));
    return $sites;
}

/**
 * What `run` and `report` print: the metric asked for, else the end or the
 * peak, whichever shows what the program held (peakLeads()).
 */
function printOverview(Profile $p, ?string $want, int $limit, bool $exact, bool $run): void
{
    $ep = $want === null ? endAndPeak($p) : null;
    if ($ep === null) {
        $m = resolveMetric($p, $want);
        printReport($p, $m, rankedSites($p, $m), $limit, $exact, summaryIntro($m, $run));
        return;
    }
    if (peakLeads($ep)) {
        out('memprof: only ' . fmtValue($ep['endTotal'], $ep['end']->unit, $exact) . ' of the '
            . fmtValue($ep['peakTotal'], $ep['peak']->unit, $exact)
            . ' peak is still in use at the end; showing what was live at the peak (--metric inuse for the end)');
        printReport($p, $ep['peak'], rankedSites($p, $ep['peak']), $limit, $exact, summaryIntro($ep['peak'], $run));
        return;
    }
    $endSites = rankedSites($p, $ep['end']);
    printReport($p, $ep['end'], $endSites, $limit, $exact, summaryIntro($ep['end'], $run));
    $peakSites = rankedSites($p, $ep['peak']);
    // Shown only when it tells something the end's top three do not; the end
    // side has no 1% cut, so a crumb near 1% cannot make the views "differ".
    $atPeak = leadingSites($peakSites, $ep['peakTotal']);
    $endTop = array_map('strval', \array_slice(array_keys($endSites), 0, 3));
    if ($atPeak === [] || ($atPeak[0] === ($endTop[0] ?? null) && array_diff($atPeak, $endTop) === [])) {
        return;
    }
    $m = $ep['peak'];
    out();
    out('The top lines at the peak (' . fmtValue($ep['peakTotal'], $m->unit, $exact) . ') differ (--metric peak for the whole view):');
    out();
    $rows = [];
    $rank = 0;
    foreach ($atPeak as $key) {
        $site = $peakSites[$key];
        $cells = [++$rank . '.', fmtValue($site['v'], $m->unit, $exact), pct($site['v'], $ep['peakTotal'])];
        if ($m->ci !== null) {
            $cells[] = fmtCount($site['c'], $exact);
        }
        $cells[] = $site['where'] . '  ' . siteLabel($site);
        $rows[] = ['cells' => $cells];
    }
    $header = $m->ci !== null ? ['#', $m->short, 'share', 'blocks', 'line and function'] : ['#', $m->short, 'share', 'line and function'];
    $align = $m->ci !== null ? ['r', 'r', 'r', 'r', 'l'] : ['r', 'r', 'r', 'l'];
    foreach (table($header, $rows, $align) as $line) {
        out($line);
    }
}

/**
 * Keys of the (up to) three heaviest lines, leaving out crumbs under 1% of
 * the total: not worth a table of their own.
 *
 * @return list<string>
 */
function leadingSites(array $ranked, int $total): array
{
    $keys = [];
    foreach ($ranked as $key => $s) {
        if (\count($keys) === 3 || $s['v'] <= 0 || $s['v'] * 100 < $total) {
            break;
        }
        $keys[] = (string) $key;
    }
    return $keys;
}

function summaryIntro(Metric $m, bool $run): string
{
    if (!$run) {
        return 'Total ' . $m->label . ': ';
    }
    return 'memprof: ' . match ($m->key) {
        'inuse' => 'in use at the end',
        'peak' => 'live at the peak',
        default => $m->label,
    } . ': ';
}

function printReport(Profile $p, Metric $m, array $sites, int $limit, bool $exact, string $intro): void
{
    [$total] = totals($p, $m);
    $summary = $intro . describeTotal($p, $m, $exact);
    if ($m->key === 'inuse') {
        try {
            $peak = resolveMetric($p, 'peak');
            $summary .= '; peak ' . fmtValue(totals($p, $peak)[0], $peak->unit, $exact);
        } catch (Failure) {
            // no peak in this profile
        }
    }
    out($summary);
    if ($sites === []) {
        out('No memory recorded for this metric.');
        return;
    }
    $shown = $limit === 0 ? $sites : \array_slice($sites, 0, $limit, true);
    out(sprintf('Top %d of %d lines by %s:', \count($shown), \count($sites), $m->label));
    out();
    $blocks = $m->ci !== null;
    $header = ['#', $m->short, 'share'];
    $align = ['r', 'r', 'r'];
    if ($blocks) {
        $header[] = 'blocks';
        $align[] = 'r';
    }
    $header[] = 'line, function and call path';
    $align[] = 'l';
    $rows = [];
    $rank = 0;
    foreach ($shown as $s) {
        $cells = [++$rank . '.', fmtValue($s['v'], $m->unit, $exact), pct($s['v'], $total)];
        if ($blocks) {
            $cells[] = fmtCount($s['c'], $exact);
        }
        $cells[] = $s['where'] . '  ' . siteLabel($s);
        $path = formatPath($p, $s['best']);
        if ($s['paths'] > 1) {
            $more = $s['paths'] - 1;
            $path .= "  (+$more more call path" . ($more > 1 ? 's' : '') . ')';
        }
        $rows[] = ['cells' => $cells, 'notes' => ['  ' . $path]];
    }
    foreach (table($header, $rows, $align) as $line) {
        out($line);
    }
}

function cmdReport(array $args): int
{
    [$o, $pos] = parseArgs('report', $args, [
        '--metric' => ['metric', true], '-n' => ['n', true], '--exact' => ['exact', false],
        '-h' => ['help', false], '--help' => ['help', false],
    ]);
    if (isset($o['help'])) {
        return help('report');
    }
    $limit = intOption($o, 'n', '-n', 10);
    expectFiles('report', $pos, 1, 'memprof report [options] FILE');
    $p = Profile::load($pos[0]);
    out('File: ' . $p->path);
    printOverview($p, $o['metric'] ?? null, $limit, isset($o['exact']), false);
    return 0;
}

function cmdDiff(array $args): int
{
    [$o, $pos] = parseArgs('diff', $args, [
        '--by' => ['by', true], '--metric' => ['metric', true], '-n' => ['n', true],
        '--exact' => ['exact', false], '-h' => ['help', false], '--help' => ['help', false],
    ]);
    if (isset($o['help'])) {
        return help('diff');
    }
    $by = choiceOption($o, 'by', '--by', ['path', 'line'], 'path');
    $limit = intOption($o, 'n', '-n', 20);
    $exact = isset($o['exact']);
    expectFiles('diff', $pos, 2, 'memprof diff [options] BASE NEW');
    $base = Profile::load($pos[0]);
    $new = Profile::load($pos[1]);
    $want = $o['metric'] ?? null;
    $why = null;
    // Decided on NEW alone: it is what `report NEW` shows, and an old spike
    // in BASE's peak must not turn a growing end into an unchanged peak.
    $ep = $want === null && hasEndAndPeak($base) ? endAndPeak($new) : null;
    if ($ep !== null) {
        $endV = fmtValue($ep['endTotal'], $ep['end']->unit, $exact);
        $peakV = fmtValue($ep['peakTotal'], $ep['peak']->unit, $exact);
        if (peakLeads($ep)) {
            $want = 'peak';
            $why = "memprof: comparing the peaks: only $endV of the new profile's $peakV peak is still in use at its end (--metric inuse to compare the ends)";
        } else {
            $want = 'inuse';
            $why = "memprof: comparing the ends: the new profile still holds $endV of its $peakV peak at its end (--metric peak to compare the peaks)";
        }
    }
    $mb = resolveMetric($base, $want);
    $mn = resolveMetric($new, $want ?? $mb->key);
    if ($mb->unit !== $mn->unit) {
        throw new Failure("the profiles measure different units ({$mb->unit} and {$mn->unit})");
    }
    $blocks = $mb->ci !== null && $mn->ci !== null;

    // key => [label, where, path text, base v, base c, new v, new c]
    $rows = [];
    foreach (['b' => [$base, $mb], 'n' => [$new, $mn]] as $side => [$p, $m]) {
        if ($by === 'line') {
            foreach (userSites($p, $m) as $key => $s) {
                $rows[$key] ??= ['label' => $s['label'], 'where' => $s['where'], 'via' => [], 'path' => null, 'bv' => 0, 'bc' => 0, 'nv' => 0, 'nc' => 0];
                $rows[$key][$side . 'v'] += $s['v'];
                $rows[$key][$side . 'c'] += $s['c'];
                foreach ($s['via'] as $via => $v) {
                    $rows[$key]['via'][$via] = ($rows[$key]['via'][$via] ?? 0) + $v;
                }
            }
            continue;
        }
        foreach ($p->samples as [$stack, $values]) {
            $v = $values[$m->vi];
            $c = $m->ci === null ? 0 : $values[$m->ci];
            $parts = [];
            foreach ($stack as $fi) {
                $parts[] = implode("\x1f", $p->frames[$fi]);
            }
            $key = implode("\x1e", $parts);
            if (!isset($rows[$key])) {
                $s = siteOf($p, $stack);
                $via = $s['via'] !== null ? [$s['via'] => 1] : [];
                $rows[$key] = ['label' => $s['label'], 'where' => $s['where'], 'via' => $via, 'path' => formatPath($p, $stack), 'bv' => 0, 'bc' => 0, 'nv' => 0, 'nc' => 0];
            }
            $rows[$key][$side . 'v'] += $v;
            $rows[$key][$side . 'c'] += $c;
        }
    }
    $changed = [];
    foreach ($rows as $r) {
        $r['dv'] = $r['nv'] - $r['bv'];
        $r['dc'] = $r['nc'] - $r['bc'];
        if ($r['dv'] !== 0 || ($blocks && $r['dc'] !== 0)) {
            $changed[] = $r;
        }
    }
    usort($changed, static fn (array $a, array $b): int => ($b['dv'] <=> $a['dv']) ?: ($b['dc'] <=> $a['dc'])
        ?: strcmp($a['where'] . $a['label'] . $a['path'], $b['where'] . $b['label'] . $b['path']));

    [$tb, $tbc] = totals($base, $mb);
    [$tn, $tnc] = totals($new, $mn);
    $u = $mb->unit;
    if ($why !== null) {
        out($why);
    }
    out('Base: ' . $base->path . '  ' . describeTotal($base, $mb, $exact));
    out('New:  ' . $new->path . '  ' . describeTotal($new, $mn, $exact));
    $change = 'Change in ' . $mb->label . ': ' . signed(fmtValue($tn - $tb, $u, $exact), $tn - $tb)
        . ($tb !== 0 ? ' (' . signed(sprintf('%.1f%%', 100 * ($tn - $tb) / $tb), $tn - $tb) . ')' : '');
    if ($blocks) {
        $change .= ', ' . signed(fmtCount($tnc - $tbc, $exact), $tnc - $tbc) . ' blocks';
    }
    out($change);
    if ($changed === []) {
        out('No ' . ($by === 'path' ? 'call path' : 'line') . ' changed.');
        return 0;
    }
    $shown = $limit === 0 ? $changed : \array_slice($changed, 0, $limit);
    $grew = \count(array_filter($changed, static fn (array $r): bool => $r['dv'] > 0));
    out(sprintf(
        'Showing %d of %d changed %s (%d grew), largest growth first:',
        \count($shown),
        \count($changed),
        $by === 'path' ? 'call paths' : 'lines',
        $grew
    ));
    out();
    $header = ['growth'];
    $align = ['r'];
    if ($blocks) {
        $header[] = 'blocks';
        $align[] = 'r';
    }
    array_push($header, 'base', 'new', $by === 'path' ? 'line, function and call path' : 'line and function');
    array_push($align, 'r', 'r', 'l');
    $trs = [];
    foreach ($shown as $r) {
        $cells = [signed(fmtValue($r['dv'], $u, $exact), $r['dv'])];
        if ($blocks) {
            $cells[] = signed(fmtCount($r['dc'], $exact), $r['dc']);
        }
        array_push($cells, fmtValue($r['bv'], $u, $exact), fmtValue($r['nv'], $u, $exact), $r['where'] . '  ' . siteLabel($r));
        $trs[] = ['cells' => $cells, 'notes' => $r['path'] !== null ? ['  ' . $r['path']] : []];
    }
    foreach (table($header, $trs, $align) as $line) {
        out($line);
    }
    return 0;
}

function findExtension(): ?string
{
    $env = getenv('MEMPROF_EXTENSION');
    if (\is_string($env) && $env !== '') {
        if (!is_file($env)) {
            throw new Failure("MEMPROF_EXTENSION=$env: no such file");
        }
        return (string) realpath($env);
    }
    $local = ROOT . '/modules/memprof.so';
    if (is_file($local)) {
        return (string) realpath($local);
    }
    $dirs = array_unique(array_filter([(string) ini_get('extension_dir'), PHP_EXTENSION_DIR]));
    foreach ($dirs as $dir) {
        if (is_file("$dir/memprof.so")) {
            return "$dir/memprof.so";
        }
    }
    // Loaded by php.ini from somewhere else: let the child read php.ini too.
    if (\extension_loaded('memprof') || phpListsMemprof()) {
        return null;
    }
    throw new Failure('the memprof extension was not found: build it (phpize && ./configure && make gives modules/memprof.so), install it, or set MEMPROF_EXTENSION');
}

function phpListsMemprof(): bool
{
    $proc = @proc_open([PHP_BINARY, '-m'], [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
    if (!\is_resource($proc)) {
        return false;
    }
    $out = (string) stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    proc_close($proc);
    return (bool) preg_match('/^memprof$/m', $out);
}

function cmdRun(array $args): int
{
    [$o, $pos] = parseArgs('run', $args, [
        '-o' => ['out', true], '--output' => ['out', true], '-n' => ['n', true], '--metric' => ['metric', true],
        '-d' => ['define', true, true], '-h' => ['help', false], '--help' => ['help', false],
    ], true);
    if (isset($o['help'])) {
        return help('run');
    }
    $limit = intOption($o, 'n', '-n', 10);
    if ($pos === []) {
        throw new UsageError('run: missing the script to run (usage: memprof run [-o FILE] script.php [args...])');
    }
    $script = array_shift($pos);
    if (!is_file($script)) {
        throw new Failure("$script: no such file");
    }
    $out = $o['out'] ?? null;
    if ($out !== null) {
        $dir = \dirname($out);
        if (!is_dir($dir) || !is_writable($dir)) {
            throw new Failure("$out: directory $dir is missing or not writable");
        }
    }
    $ext = findExtension();

    $tmp = rtrim(sys_get_temp_dir(), '/') . '/memprof-run-' . bin2hex(random_bytes(6));
    if (!@mkdir($tmp, 0700)) {
        throw new Failure("$tmp: cannot create the temporary directory" . lastError());
    }
    $cmd = [PHP_BINARY !== '' ? PHP_BINARY : 'php'];
    if ($ext !== null) {
        array_push($cmd, '-n', '-d', "extension=$ext");
    }
    array_push($cmd, '-d', 'memprof.output_format=pprof', '-d', "memprof.output_dir=$tmp");
    foreach ($o['define'] ?? [] as $d) {
        array_push($cmd, '-d', $d);
    }
    $cmd[] = $script;
    array_push($cmd, ...$pos);
    $env = getenv();
    $env['MEMPROF_PROFILE'] = '1';
    unset($env['MEMPROF_CLI_REEXEC']);

    $proc = proc_open($cmd, [0 => STDIN, 1 => STDOUT, 2 => STDERR], $pipes, null, $env);
    if (!\is_resource($proc)) {
        @rmdir($tmp);
        throw new Failure('cannot start ' . $cmd[0]);
    }
    $status = proc_get_status($proc);
    $pid = $status['pid'];
    $code = proc_close($proc);
    if (!$status['running']) {
        $code = $status['exitcode'];
    }

    $found = [];
    foreach (scandir($tmp) ?: [] as $f) {
        if (preg_match('/^memprof\.pprof\.(\d+)\.(\d+)\.pb\.gz$/', $f, $mm)) {
            $found[] = ['file' => "$tmp/$f", 'pid' => (int) $mm[1], 'time' => (int) $mm[2]];
        }
    }
    if ($found === []) {
        @rmdir($tmp);
        $how = $ext !== null ? "is $ext" : 'is the loaded extension';
        throw new Failure("the script wrote no profile (exit status $code); $how a memprof build with pprof output?");
    }
    usort($found, static fn (array $a, array $b): int => [$b['pid'] === $pid, $b['time']] <=> [$a['pid'] === $pid, $a['time']]);
    $file = $found[0]['file'];
    if ($out !== null) {
        if (!@rename($file, $out)) {
            if (!@copy($file, $out)) {
                throw new Failure("$out: cannot save the profile" . lastError() . "; it is still at $file");
            }
            @unlink($file);
        }
        $file = $out;
        if (\count($found) === 1) {
            @rmdir($tmp);
        }
    }
    out();
    out("memprof: profile saved to $file");
    if (\count($found) > 1) {
        out('memprof: ' . \count($found) . " profiles were written (child processes); the others are in $tmp");
    }
    $p = Profile::load($file);
    printOverview($p, $o['metric'] ?? null, $limit, false, true);
    return $code === 0 ? 0 : ($code > 0 ? $code : 1);
}

function main(array $argv): int
{
    array_shift($argv);
    $cmd = array_shift($argv);
    switch ($cmd) {
        case null:
            fwrite(STDERR, "memprof: missing command (see 'memprof --help')\n");
            return 2;
        case '-h':
        case '--help':
            return help('');
        case 'help':
            $topic = $argv[0] ?? '';
            if (!isset(HELP[$topic])) {
                throw new UsageError("no help for '$topic': commands are run, top, report, diff, flamegraph, merge, heap");
            }
            return $topic === 'heap' ? cmdHeap(['--help']) : help($topic);
        case '-V':
        case '--version':
            out('memprof (command) ' . VERSION);
            return 0;
        case 'run':
            return cmdRun($argv);
        case 'top':
            return cmdTop($argv);
        case 'report':
            return cmdReport($argv);
        case 'diff':
            return cmdDiff($argv);
        case 'flamegraph':
        case 'flame':
            return cmdFlamegraph($argv);
        case 'heap':
            return cmdHeap($argv);
        case 'merge':
            return cmdMerge($argv);
        default:
            if ($cmd !== '' && $cmd[0] === '-') {
                throw new UsageError("unknown option '$cmd' (see 'memprof --help')");
            }
            throw new UsageError("unknown command '$cmd' (see 'memprof --help')");
    }
}
