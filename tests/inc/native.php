<?php
/* Test helpers for native (malloc) tracking. */
require_once __DIR__ . '/common.php';

/** Sum of $key over every node named $name anywhere in $tree (memprof_dump_array()). */
function mp_sum_named(array $tree, string $name, string $key = 'memory_size'): int {
    $sum = 0;
    foreach ($tree['called_functions'] as $fn => $child) {
        $sum += $fn === $name ? $child[$key] : mp_sum_named($child, $name, $key);
    }
    return $sum;
}

/**
 * The native frame of the loaded library whose file name starts with
 * $prefix ("libxml2.so": libxml2.so.2 on Debian 12 and 13, .so.16 later).
 */
function mp_native_frame(string $prefix): string {
    foreach (memprof_native_status()['objects'] as $o) {
        if ($o['loaded'] && str_starts_with(basename($o['path']), $prefix)) {
            return '[native] ' . basename($o['path']);
        }
    }
    return "[native] $prefix (not loaded)";
}

/** The base name of the PHP binary: its native frames are "[native] <this>". */
function mp_php_binary_name(): string {
    return basename(realpath(PHP_BINARY));
}

/** Why native tracking cannot be tested here, or '' if it can. */
function mp_native_skip_reason(): string {
    // glibc on x86-64 and AArch64: the relocation types memprof patches
    if (PHP_OS !== 'Linux' || !in_array(php_uname('m'), ['x86_64', 'aarch64'], true)) {
        return 'native tracking is implemented for Linux on x86-64 and AArch64';
    }
    return '';
}

/**
 * Builds tests/inc/native_testlib.c as $dir/$name.so (with gcc, extra
 * linker flags in $ldflags) and returns its path, or throws.
 */
function mp_native_testlib(string $dir, string $name, string ...$ldflags): string {
    $so = "$dir/$name.so";
    $cmd = ['cc', '-shared', '-fPIC', '-O1', '-pthread', '-o', $so, __DIR__ . '/native_testlib.c', ...$ldflags];
    exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1', $out, $rc);
    if ($rc !== 0) {
        throw new RuntimeException("cc failed: " . implode("\n", $out));
    }
    return $so;
}

/** The FFI declarations of native_testlib.c. */
const MP_NATIVE_TESTLIB_CDEF = <<<'C'
void *mpt_alloc(size_t n);
void mpt_free(void *p);
void **mpt_thread_alloc(size_t n, int count);
void mpt_thread_free(void **blocks, int count);
void mpt_free_in_thread(void *p);
void mpt_free_array(void **blocks);
int mpt_errno_kept(void);
C;

/** Whether the native test library can be built and loaded here ('' if so). */
function mp_native_testlib_skip_reason(): string {
    if (!extension_loaded('ffi')) {
        return 'ffi not loaded';
    }
    exec('command -v cc', $out, $rc);
    return $rc === 0 ? '' : 'no C compiler (cc)';
}

/** The permissions column of /proc/self/maps for every mapping of $path. */
function mp_map_perms(string $path): array {
    $out = [];
    foreach (file('/proc/self/maps') as $line) {
        $f = preg_split('/\s+/', trim($line), 6);
        if (($f[5] ?? '') === $path) {
            $out[$f[0]] = $f[1];
        }
    }
    return $out;
}
