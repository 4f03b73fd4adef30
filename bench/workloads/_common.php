<?php
/*
 * Shared helpers for the benchmark workloads (bench/workloads/*.php).
 *
 * A workload is run as:   php [-n ...] bench/workloads/NAME.php [tiny|small|full]
 * It prepares its input, then measures only its own work:
 *
 *     $t0 = hrtime(true);  ...work...  $t1 = hrtime(true);
 *     bench_finish($t0, $t1, $check);   // while the work's data is still live
 *
 * bench_finish() prints one machine-readable line
 *
 *     BENCH time_ns=… rss_before_dump_kb=… hwm_before_dump_kb=… profiling=0|1 check=…
 *
 * and, when profiling is on, only AFTER that (the dump itself costs memory and
 * time) takes memprof_dump_array() and prints
 *
 *     BENCH live_blocks=… live_bytes=… dump_ns=…
 *
 * The workloads run fine without the extension (plain PHP).
 */

declare(strict_types=1);

const BENCH_SIZES = ['tiny', 'small', 'full'];

/** The size argument: argv[1], or BENCH_SIZE, default "small". */
function bench_size(): string
{
    global $argv;
    $size = $argv[1] ?? (getenv('BENCH_SIZE') ?: 'small');
    if (!in_array($size, BENCH_SIZES, true)) {
        fwrite(STDERR, "unknown size '$size' (expected: " . implode('|', BENCH_SIZES) . ")\n");
        exit(2);
    }
    return $size;
}

/** Pick the value for the current size from ['tiny' => …, 'small' => …, 'full' => …]. */
function bench_param(array $bySize)
{
    return $bySize[bench_size()];
}

/** VmRSS / VmHWM (kB) of this process, from /proc/self/status; -1 if unreadable. */
function bench_proc_status(): array
{
    $out = ['VmRSS' => -1, 'VmHWM' => -1];
    $s = @file_get_contents('/proc/self/status');
    if ($s === false) {
        return $out;
    }
    foreach (explode("\n", $s) as $line) {
        if (preg_match('/^(VmRSS|VmHWM):\s+(\d+)\s+kB/', $line, $m)) {
            $out[$m[1]] = (int) $m[2];
        }
    }
    return $out;
}

function bench_profiling(): bool
{
    return function_exists('memprof_enabled') && memprof_enabled();
}

/**
 * Live block / byte totals of a memprof_dump_array() result. The root node's
 * *_inclusive counters are the totals; if an implementation lacks them, add
 * up the tree ourselves.
 */
function bench_profile_totals(array $node): array
{
    if (isset($node['blocks_count_inclusive'], $node['memory_size_inclusive'])) {
        return [(int) $node['blocks_count_inclusive'], (int) $node['memory_size_inclusive']];
    }
    $blocks = (int) ($node['blocks_count'] ?? 0);
    $bytes = (int) ($node['memory_size'] ?? 0);
    foreach ($node['called_functions'] ?? [] as $child) {
        [$b, $m] = bench_profile_totals($child);
        $blocks += $b;
        $bytes += $m;
    }
    return [$blocks, $bytes];
}

/**
 * Alternative trigger (run.php --trigger call): enable from inside the
 * script (BENCH_PROFILE=native: with native tracking). BENCH_NATIVE_PATCHED
 * (run.php --native, "off" side): native tracking on and off again, which
 * leaves the malloc slots patched, profiling off.
 */
function bench_maybe_enable(): void
{
    if (!function_exists('memprof_enable') || memprof_enabled()) {
        return;
    }
    if (getenv('BENCH_NATIVE_PATCHED')) {
        memprof_enable('native');
        memprof_disable();
    } elseif ($p = getenv('BENCH_PROFILE')) {
        $p === 'native' ? memprof_enable('native') : memprof_enable();
    }
}

/** "1" if malloc is tracked, "patched" if its slots are patched but not tracked, else "0". */
function bench_native(): string
{
    if (!function_exists('memprof_native_status')) {
        return '0';
    }
    if (memprof_enabled_flags()['native']) {
        return '1';
    }
    return memprof_native_status()['slots']['patched'] > 0 ? 'patched' : '0';
}

function bench_finish(int $t0, int $t1, string $check): void
{
    // Read memory first, before anything below allocates.
    $st = bench_proc_status();
    $on = bench_profiling();
    // what opcache did for this run, so that the harness can tell that a
    // side it runs with opcache (and its JIT) really had them
    $oc = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
    $script = get_included_files()[0];
    printf(
        "BENCH time_ns=%d rss_before_dump_kb=%d hwm_before_dump_kb=%d profiling=%d check=%s opcache_cached=%d jit=%d native=%s\n",
        $t1 - $t0,
        $st['VmRSS'],
        $st['VmHWM'],
        $on ? 1 : 0,
        $check,
        function_exists('opcache_is_script_cached') && opcache_is_script_cached($script) ? 1 : 0,
        is_array($oc) && ($oc['jit']['on'] ?? false) ? 1 : 0,
        bench_native()
    );
    if ($on) {
        $d0 = hrtime(true);
        $dump = memprof_dump_array();
        $d1 = hrtime(true);
        [$blocks, $bytes] = bench_profile_totals($dump);
        unset($dump);
        printf("BENCH live_blocks=%d live_bytes=%d dump_ns=%d\n", $blocks, $bytes, $d1 - $d0);
    }
    fflush(STDOUT);
}

bench_maybe_enable();
