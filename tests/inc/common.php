<?php
/* Test helpers: walk memprof_dump_array() output. */
require_once __DIR__ . "/dump.php";

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

/** The main frame's name in folded, callgrind and pprof (the file is beside it). */
function mp_main_label(): string {
    return 'main ' . basename($_SERVER['SCRIPT_FILENAME']);
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

/** This build of memprof. */
function mp_so(): string {
    return getenv('MEMPROF_SO') ?: dirname(__DIR__, 2) . '/modules/memprof.so';
}

/**
 * The test mode's PHP settings (test.sh: opcache, JIT, Xdebug...), as
 * separate arguments, so that the PHP processes a test starts run in the
 * mode too.
 */
function mp_mode_args(): array {
    $a = trim((string) getenv('MEMPROF_TEST_ARGS'));
    return $a === '' ? [] : preg_split('/\s+/', $a);
}

/**
 * PHP with only this build of memprof loaded, in the test mode, as an argv;
 * without the mode's settings that start with one of $drop (a test that is
 * about them sets them itself).
 */
function mp_php_argv(string ...$drop): array {
    return [PHP_BINARY, '-n', '-d', 'extension=' . mp_so(), ...mp_argv_without(mp_mode_args(), ...$drop)];
}

/** $argv without the "-d SETTING" pairs whose setting starts with one of $drop. */
function mp_argv_without(array $argv, string ...$drop): array {
    $out = [];
    for ($i = 0; $i < count($argv); $i++) {
        if ($argv[$i] === '-d' && isset($argv[$i + 1])) {
            foreach ($drop as $prefix) {
                if (str_starts_with($argv[$i + 1], $prefix)) {
                    $i++;
                    continue 2;
                }
            }
        }
        $out[] = $argv[$i];
    }
    return $out;
}

/** mp_php_argv() without opcache, whatever the mode. */
function mp_php_no_opcache_argv(): array {
    return mp_php_argv('zend_extension=opcache', 'opcache.');
}

/**
 * mp_php_argv() with opcache caching scripts (and $more settings), whatever
 * the mode: scripts a test writes are young, so file_update_protection=0.
 */
function mp_php_opcache_argv(string ...$more): array {
    // caching in shared memory, not the file cache of a mode
    $a = mp_php_argv('opcache.file_cache');
    // 8.5 has opcache built in; a mode may have loaded it already
    if (PHP_VERSION_ID < 80500 && !in_array('zend_extension=opcache', $a, true)) {
        array_push($a, '-d', 'zend_extension=opcache');
    }
    array_push($a, '-d', 'opcache.enable_cli=1', '-d', 'opcache.file_update_protection=0');
    foreach ($more as $m) {
        array_push($a, '-d', $m);
    }
    return $a;
}

/** An argv as a command prefix for the shell (default: mp_php_argv()). */
function mp_php(?array $argv = null): string {
    return implode(' ', array_map('escapeshellarg', $argv ?? mp_php_argv()));
}

/**
 * What is wrong with this process for test mode $mode (test.sh), '' if
 * nothing: a mode must prove that what it is named after is on.
 */
function mp_mode_problems(string $mode): string {
    $bad = [];
    $want = getenv('MEMPROF_TEST_PHP');
    if ($want !== false && $want !== '' && PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION !== $want) {
        $bad[] = 'PHP ' . PHP_VERSION . ", not $want";
    }
    $opcache = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
    $cached = function_exists('opcache_is_script_cached') && opcache_is_script_cached($_SERVER['SCRIPT_FILENAME']);
    $jit = is_array($opcache) ? ($opcache['jit'] ?? []) : [];
    $xdebug = extension_loaded('xdebug');
    $calls = memprof_enabled_flags()['calls'];
    $observer = !in_array($mode, ['plain', 'opcache-walk', 'jit-walk'], true);
    if ($calls !== $observer) $bad[] = 'call observer ' . ($calls ? 'on' : 'off');
    if (str_starts_with($mode, 'xdebug-')) {
        $m = substr($mode, 7);
        if (!$xdebug) $bad[] = 'xdebug not loaded';
        elseif (implode(',', xdebug_info('mode')) !== ($m === 'off' ? '' : $m)) $bad[] = 'xdebug mode ' . implode(',', xdebug_info('mode'));
    } elseif ($xdebug) {
        $bad[] = 'xdebug loaded';
    }
    $opcacheModes = ['opcache', 'opcache-walk', 'jit-tracing', 'jit-function', 'jit-walk', 'preload', 'file-cache'];
    if (!in_array($mode, $opcacheModes, true)) {
        if ($cached || ($opcache['opcache_enabled'] ?? false)) $bad[] = 'opcache on';
        return implode('; ', $bad);
    }
    if ($mode === 'file-cache') {
        // no shared memory: the script must have gone to the file cache
        $dir = ini_get('opcache.file_cache');
        $bin = $dir ? glob("$dir/*" . $_SERVER['SCRIPT_FILENAME'] . '.bin') : [];
        if (!($opcache['file_cache_only'] ?? false)) $bad[] = 'not file_cache_only';
        if (!$bin) $bad[] = "no file cache entry for {$_SERVER['SCRIPT_FILENAME']} in $dir";
    } elseif (!$cached) {
        $bad[] = 'script not cached by opcache';
    }
    $jitOn = (bool) ($jit['on'] ?? false);
    if (str_starts_with($mode, 'jit-')) {
        $kind = $mode === 'jit-function' ? 'function' : 'tracing';
        if (!$jitOn) $bad[] = 'JIT off';
        elseif (ini_get('opcache.jit') !== $kind) $bad[] = 'JIT ' . ini_get('opcache.jit');
    } elseif ($jitOn) {
        $bad[] = 'JIT on';
    }
    if ($mode === 'preload') {
        $f = function_exists('mp_preloaded_keep') ? new ReflectionFunction('mp_preloaded_keep') : null;
        if (!$f || $f->getFileName() !== __DIR__ . '/preload.php' || !isset($opcache['preload_statistics'])) {
            $bad[] = 'tests/inc/preload.php not preloaded';
        }
    }
    return implode('; ', $bad);
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
    // a new name for each script of a test: opcache's file cache tells a
    // rewritten file by its mtime, which has a resolution of one second
    static $n = [];
    $i = $n[$dir] = ($n[$dir] ?? 0) + 1;
    $p = $i === 1 ? "$dir/script.php" : "$dir/script$i.php";
    file_put_contents($p, $code);
    return $p;
}

/**
 * $out without the stack traces PHP 8.5+ prints under fatal errors
 * ("Stack trace:", "#0 ...", ...), so one EXPECT holds on every version.
 */
function mp_no_traces(string $out): string {
    return mp_strip_xdebug_stack(preg_replace('/^Stack trace:\R(?:#\d+ .*(?:\R|$))*/m', '', $out));
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
