<?php
/* Test helpers: walk memprof_dump_array() output. */

/** The node reached by following function names from the root. */
function mp_node(array $tree, string ...$path): ?array {
    $n = $tree;
    foreach ($path as $name) {
        if (!isset($n['called_functions'][$name])) {
            return null;
        }
        $n = $n['called_functions'][$name];
    }
    return $n;
}

/**
 * A node's calls, when memprof counts them. Without the call observer
 * (memprof.observer, README) calls are not counted and must all be 0: then
 * this checks that, and stands in $counted, so one EXPECT covers both modes.
 */
function mp_calls(?array $n, int $counted): int|string {
    if ($n === null) {
        return 'no such node';
    }
    if (memprof_enabled_flags()['calls']) {
        return $n['calls'];
    }
    return $n['calls'] === 0 ? $counted : "calls={$n['calls']} without the observer";
}

function mp_main(): string {
    return 'main ' . $_SERVER['SCRIPT_FILENAME'];
}

/** memprof_dump_folded() output as [stack => bytes]. */
function mp_folded(): array {
    $f = fopen('php://memory', 'w+');
    memprof_dump_folded($f);
    rewind($f);
    $out = [];
    while (($line = fgets($f)) !== false) {
        $sp = strrpos($line, ' ');
        // one stack may come on several lines (two closures made from one
        // declaration are two functions): readers add them up, so do we
        $k = substr($line, 0, $sp);
        $out[$k] = ($out[$k] ?? 0) + (int) substr($line, $sp + 1);
    }
    fclose($f);
    return $out;
}

/** $v, computed at run time: opcache cannot fold str_repeat(.., rt(N)) into a literal. */
function rt(int $v): int {
    return $v + (int) getenv('MEMPROF_TEST_NEVER_SET');
}

/** Command prefix running PHP with only this build of memprof loaded. */
function mp_php(): string {
    $so = getenv('MEMPROF_SO') ?: dirname(__DIR__, 2) . '/modules/memprof.so';
    return escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg($so);
}

/** A fresh empty directory, removed at exit. */
function mp_tmpdir(): string {
    $d = sys_get_temp_dir() . '/memprof-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
    mkdir($d, 0700);
    register_shutdown_function(function () use ($d) {
        foreach (glob("$d/{,.}*", GLOB_BRACE) as $f) {
            if (is_file($f)) unlink($f);
        }
        @rmdir($d);
    });
    return $d;
}

/** Writes a PHP script to a temp dir and returns its path. */
function mp_script(string $dir, string $code): string {
    $p = "$dir/script.php";
    file_put_contents($p, $code);
    return $p;
}

/**
 * $out without the stack traces PHP 8.5+ prints under fatal errors
 * ("Stack trace:", "#0 ...", ...), so one EXPECT holds on every version.
 */
function mp_no_traces(string $out): string {
    return preg_replace('/^Stack trace:\R(?:#\d+ .*(?:\R|$))*/m', '', $out);
}

/** The bytes of the folded stack(s) ending in $suffix, in a folded profile file. */
function mp_folded_bytes(string $file, string $suffix): int {
    $sum = 0;
    foreach (file($file) as $line) {
        $sp = strrpos($line, ' ');
        if (str_ends_with(substr($line, 0, $sp), $suffix)) {
            $sum += (int) substr($line, $sp + 1);
        }
    }
    return $sum;
}
