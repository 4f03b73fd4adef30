<?php
/* Parent side of the dump-signal tests: runs tests/web/inc/signal_worker.php
 * under this build of memprof and talks to it. */

function sigw_so(): string {
    return getenv('MEMPROF_SO') ?: dirname(__DIR__, 3) . '/modules/memprof.so';
}

/** A fresh private directory, removed at exit unless $autoRemove is false. */
function sigw_tmpdir(bool $autoRemove = true): string {
    $d = sys_get_temp_dir() . '/memprof-sig-' . getmypid() . '-' . bin2hex(random_bytes(4));
    mkdir($d, 0700);
    if ($autoRemove) {
        register_shutdown_function('sigw_rmtree', $d);
    }
    return $d;
}

function sigw_rmtree(string $d): void {
    foreach (scandir($d) ?: [] as $f) {
        if ($f === '.' || $f === '..') continue;
        $p = "$d/$f";
        is_dir($p) && !is_link($p) ? sigw_rmtree($p) : @unlink($p);
    }
    @rmdir($d);
}

/** Starts a worker; $profile: whether MEMPROF_PROFILE=1 is in its environment. */
function sigw_start(string $mode, bool $profile, string $signal = 'SIGUSR2', string $format = 'folded'): array {
    $dir = sigw_tmpdir();
    $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . sigw_so(),
        '-d', "memprof.dump_signal=$signal", '-d', "memprof.output_dir=$dir",
        '-d', "memprof.output_format=$format", '-d', 'display_errors=stderr',
        __DIR__ . '/signal_worker.php', $mode, "$dir/stop"];
    $env = getenv();
    unset($env['MEMPROF_PROFILE']);
    if ($profile) {
        $env['MEMPROF_PROFILE'] = '1';
    }
    // array command: no shell in between, proc_terminate() reaches the worker
    $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    stream_set_blocking($pipes[1], false);
    stream_set_blocking($pipes[2], false);
    $w = ['proc' => $proc, 'pipes' => $pipes, 'dir' => $dir, 'out' => '', 'err' => '', 'tick' => -1, 'pos' => 0];
    $ready = sigw_wait($w, '/^ready (\d+)$/m', 10);
    $w['pid'] = $ready ? (int) $ready[1] : 0;
    return $w;
}

/** Reads what the worker wrote so far. */
function sigw_pump(array &$w, float $timeout = 0.05): void {
    $r = [$w['pipes'][1], $w['pipes'][2]];
    $x = null;
    $wr = null;
    if (@stream_select($r, $wr, $x, 0, (int) ($timeout * 1e6)) > 0) {
        foreach ($r as $s) {
            $data = stream_get_contents($s);
            if ($s === $w['pipes'][1]) {
                $w['out'] .= $data;
            } else {
                $w['err'] .= $data;
            }
        }
    }
    if (preg_match_all('/^tick (\d+)$/m', $w['out'], $m)) {
        $w['tick'] = (int) end($m[1]);
    }
}

/** Waits for stdout (from the last match on) to match $re; returns the match or null. */
function sigw_wait(array &$w, string $re, float $timeout): ?array {
    $end = microtime(true) + $timeout;
    do {
        sigw_pump($w);
        if (preg_match($re, substr($w['out'], $w['pos']), $m, PREG_OFFSET_CAPTURE)) {
            $w['pos'] += $m[0][1] + strlen($m[0][0]);
            return array_map(fn($g) => $g[0], $m);
        }
    } while (microtime(true) < $end);
    return null;
}

/** Waits until the worker has done $n more iterations; false if it did not. */
function sigw_more_ticks(array &$w, int $n, float $timeout = 10): bool {
    $from = $w['tick'];
    $end = microtime(true) + $timeout;
    do {
        sigw_pump($w);
        if ($w['tick'] >= $from + $n) {
            return true;
        }
    } while (microtime(true) < $end);
    return false;
}

function sigw_files(array $w): array {
    $f = glob($w['dir'] . '/memprof.*');
    sort($f);
    return $f;
}

/** Waits for the count of profile files to reach $n. */
function sigw_wait_files(array &$w, int $n, float $timeout = 10): array {
    $end = microtime(true) + $timeout;
    do {
        sigw_pump($w);
        $f = sigw_files($w);
        if (count($f) >= $n) {
            return $f;
        }
    } while (microtime(true) < $end);
    return sigw_files($w);
}

function sigw_signal(array $w, int $signo): void {
    proc_terminate($w['proc'], $signo);
}

/** Asks the worker to stop and returns its exit code. */
function sigw_stop(array &$w): int {
    touch($w['dir'] . '/stop');
    $end = microtime(true) + 20;
    while (($st = proc_get_status($w['proc']))['running'] && microtime(true) < $end) {
        sigw_pump($w);
    }
    if ($st['running']) {
        proc_terminate($w['proc'], 9);
    }
    sigw_pump($w);
    foreach ($w['pipes'] as $p) {
        fclose($p);
    }
    proc_close($w['proc']);
    return $st['running'] ? -1 : $st['exitcode'];
}

/**
 * Checks a folded profile of the worker: every line "frames bytes", and the
 * worker's growth site present. Returns how many strings it holds, or a
 * string saying what is wrong.
 */
function sigw_folded_blocks(string $file): int|string {
    $data = file_get_contents($file);
    if ($data === '' || !str_ends_with($data, "\n")) {
        return 'empty or truncated';
    }
    $bytes = null;
    $src = __DIR__ . '/signal_worker.php';
    foreach (explode("\n", rtrim($data, "\n")) as $line) {
        if (!preg_match('/^(.+) (\d+)$/', $line, $m)) {
            return "bad line: $line";
        }
        if (preg_match('/;signal_worker_grow \(' . preg_quote($src, '/') . ':\d+\);str_repeat \(php:internal:0\)$/', $m[1])) {
            $bytes = (int) $m[2];
        }
    }
    if ($bytes === null) {
        return 'no signal_worker_grow;str_repeat line';
    }
    // each string asks for 10000 + (i % 7) + 32 bytes
    $k = intdiv($bytes, 10035);
    foreach ([$k - 1, $k, $k + 1] as $n) {
        if ($n > 0 && $bytes >= 10032 * $n && $bytes <= 10038 * $n) {
            return $n;
        }
    }
    return "$bytes bytes is not a whole number of strings";
}
