<?php

/*
 * memprof command: the command line: options and the help texts.
 */

declare(strict_types=1);

namespace MemprofCli;

// ---------------------------------------------------------------------------
// Command-line parsing
// ---------------------------------------------------------------------------

/**
 * @param array<string, array{0: string, 1: bool, 2?: bool}> $spec
 *        option => [name, takes a value, may repeat]
 * @param list<string> $args
 * @return array{0: array<string, mixed>, 1: list<string>}
 */
function parseArgs(string $cmd, array $args, array $spec, bool $stopAtPositional = false): array
{
    $opts = [];
    $pos = [];
    $see = $cmd === '' ? 'memprof --help' : "memprof $cmd --help";
    for ($i = 0; $i < \count($args); $i++) {
        $a = $args[$i];
        if ($a === '--') {
            array_push($pos, ...\array_slice($args, $i + 1));
            break;
        }
        if ($a === '' || $a[0] !== '-' || $a === '-') {
            $pos[] = $a;
            if ($stopAtPositional) {
                array_push($pos, ...\array_slice($args, $i + 1));
                break;
            }
            continue;
        }
        $value = null;
        if (str_starts_with($a, '--') && str_contains($a, '=')) {
            [$a, $value] = explode('=', $a, 2);
        } elseif (!str_starts_with($a, '--') && \strlen($a) > 2 && isset($spec[substr($a, 0, 2)]) && $spec[substr($a, 0, 2)][1]) {
            $value = substr($a, 2);
            $a = substr($a, 0, 2);
        }
        if (!isset($spec[$a])) {
            $what = $cmd === '' ? 'memprof' : "memprof $cmd";
            throw new UsageError("unknown option '$a' for '$what' (see '$see')");
        }
        [$name, $takesValue] = $spec[$a];
        $repeat = $spec[$a][2] ?? false;
        if ($takesValue) {
            if ($value === null) {
                if ($i + 1 >= \count($args)) {
                    throw new UsageError("option '$a' needs a value (see '$see')");
                }
                $value = $args[++$i];
            }
        } elseif ($value !== null) {
            throw new UsageError("option '$a' takes no value (see '$see')");
        } else {
            $value = true;
        }
        if ($repeat) {
            $opts[$name][] = $value;
        } else {
            $opts[$name] = $value;
        }
    }
    return [$opts, $pos];
}

function intOption(array $opts, string $name, string $flag, int $default): int
{
    if (!isset($opts[$name])) {
        return $default;
    }
    $v = $opts[$name];
    if (!\is_string($v) || !preg_match('/^\d{1,9}$/', $v)) {
        throw new UsageError("option '$flag' needs a whole number, got '$v'");
    }
    return (int) $v;
}

/** @param list<string> $allowed */
function choiceOption(array $opts, string $name, string $flag, array $allowed, string $default): string
{
    $v = $opts[$name] ?? $default;
    if (!\in_array($v, $allowed, true)) {
        throw new UsageError("option '$flag' must be " . implode(' or ', $allowed) . ", got '$v'");
    }
    return $v;
}

/** @param list<string> $pos */
function expectFiles(string $cmd, array $pos, int $n, string $usage, string $what = 'profile'): void
{
    if (\count($pos) < $n) {
        throw new UsageError("$cmd: missing " . ($n === 1 ? "the $what file" : "$what files") . " (usage: $usage)");
    }
    if (\count($pos) > $n) {
        throw new UsageError("$cmd: unexpected argument '" . $pos[$n] . "' (usage: $usage)");
    }
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

const HELP = [
    '' => <<<'TXT'
        memprof — look at the memory profiles of the memprof PHP extension

        Usage:
          memprof run [-o FILE] [-n N] [--metric inuse|alloc|peak] [-d KEY=VALUE]... script.php [args...]
          memprof top [--by line|function] [--metric inuse|alloc|peak] [-n N] FILE
          memprof report [--metric inuse|alloc|peak] [-n N] FILE
          memprof diff [--by path|line] [--metric inuse|alloc|peak] [-n N] BASE NEW
          memprof flamegraph [--metric inuse|alloc|peak] -o OUT.html FILE
          memprof merge -o OUT FILE|DIR...
          memprof heap summary|ref-path|dominators|diff|unreached [options] SNAPSHOT...
          memprof help [COMMAND]

        Commands:
          run         run a script under the extension, save its profile, print the top sites
          top         table of the heaviest functions or lines, self and inclusive
          report      the top sites of a profile, as 'run' prints them
          diff        what grew between two profiles, by call path or line
          flamegraph  write a self-contained, zoomable, searchable HTML flame graph
          merge       one profile of many (a sampled pool's per-request profiles)
          heap        analyses of heap snapshots (memprof_dump_heap()): what keeps memory alive

        FILE is a pprof profile (profile.proto, gzip-compressed or not), as written
        by memprof_dump_pprof() or with memprof.output_format=pprof.

        Metrics: inuse = bytes still allocated, alloc = bytes ever allocated,
        peak = bytes live when the total was highest. Any other sample type of
        the profile can be named too (e.g. inuse_objects). Without --metric,
        run, report and diff show the end (inuse), unless under a quarter of
        the peak is still in use at the end: then they show the peak, and say so.

        Options for every command: -h, --help. Also: memprof --version.

        TXT,
    'heap' => '',
    'run' => <<<'TXT'
        Usage: memprof run [options] script.php [args...]

        Runs `php script.php args...` with the memprof extension loaded in
        whole-script mode (MEMPROF_PROFILE=1, pprof output), then prints the
        lines holding the most memory, each with its call path, as 'memprof
        report' does: at the end of the script, or at the peak when under a
        quarter of the peak is still in use at the end. An internal function
        such as str_repeat is shown at the user-code line that called it.

        Options (before the script name; everything after it goes to the script):
          -o FILE        save the profile as FILE (default: leave it in a new
                         temporary directory and print its path)
          -n N           show N sites (default 10; 0 = all)
          --metric NAME  inuse, alloc, peak, or a sample type (default: as above)
          -d KEY=VALUE   pass an ini setting to the profiled php (repeatable)
          -h, --help     this help

        The extension used: $MEMPROF_EXTENSION if set, else modules/memprof.so
        next to this command's bin/ directory, else memprof.so in PHP's
        extension_dir. The script runs as `php -n -d extension=...`: php.ini is
        not read, so pass what it needs with -d.

        The exit status is the script's.

        TXT,
    'top' => <<<'TXT'
        Usage: memprof top [options] FILE

        Prints the heaviest sites of a profile: self (allocated by the site
        itself) and inclusive (the site and everything it called), sorted by
        self, largest first.

        Options:
          --by line|function     group by function and line (default), or by
                                 function; by line, an internal function is
                                 placed at the user-code line that called it
          --metric NAME          inuse (default), alloc, peak, or a sample type
          --sort self|inclusive  order of the rows (default: self)
          -n N                   show N rows (default 20; 0 = all)
          --exact                exact numbers instead of KiB/MiB and 1,234
          -h, --help             this help

        TXT,
    'report' => <<<'TXT'
        Usage: memprof report [options] FILE

        Prints what 'memprof run' prints for a profile it already has: the
        user-code lines holding the most memory, each with its heaviest call
        path.

        Which memory: at the end (inuse), unless under a quarter of the peak
        is still in use at the end; then what was live at the peak, with a
        line saying so. When the end leads and other lines were on top at the
        peak, a short table of those follows.

        Options:
          --metric NAME   inuse, alloc, peak, or a sample type (no heuristic then)
          -n N            show N sites (default 10; 0 = all)
          --exact         exact numbers instead of KiB/MiB and 1,234
          -h, --help      this help

        TXT,
    'diff' => <<<'TXT'
        Usage: memprof diff [options] BASE NEW

        Shows what grew from profile BASE to profile NEW: for each call path
        (function names and lines, not the files' internal ids) the change of
        the metric and of its block count, largest growth first. Paths that
        shrank come last.

        Without --metric it compares the ends (inuse), unless under a quarter
        of NEW's peak is still in use at its end: then the peaks. A first line
        says which and why.

        Options:
          --by path|line   one row per call path (default), or per user-code line
          --metric NAME    inuse, alloc, peak, or a sample type (no heuristic then)
          -n N             show N rows (default 20; 0 = all)
          --exact          exact numbers instead of KiB/MiB and 1,234
          -h, --help       this help

        TXT,
    'merge' => <<<'TXT'
        Usage: memprof merge -o OUT FILE|DIR...

        Writes one pprof profile holding the samples of all the given ones
        (each DIR: its *.pb.gz files), as `go tool pprof -proto` does: the
        per-request profiles of a pool in sampled mode, for instance. Samples
        with the same call path and the same labels add up; labels, mappings
        and comments are kept, so `go tool pprof -tagfocus` still filters by
        request. The profiles must have the same sample types.

        Options:
          -o FILE         the merged profile to write (gzip-compressed); required
          -h, --help      this help

        TXT,
    'flamegraph' => <<<'TXT'
        Usage: memprof flamegraph [options] FILE -o OUT.html

        Writes one self-contained HTML file (no network access, no external
        scripts) showing the profile as a flame graph: click a frame to zoom
        into it, click an ancestor or press Esc to zoom out, type in the
        search box to highlight matching frames (a regular expression), and
        switch between in-use, allocated and peak bytes.

        Options:
          -o FILE         the HTML file to write ('-' for standard output); required
          --metric NAME   metric shown first: inuse (default), alloc, peak
          --title TEXT    page title (default: the profile's file name)
          -h, --help      this help

        TXT,
];

function help(string $cmd): int
{
    @fwrite(STDOUT, HELP[$cmd]);
    return 0;
}
