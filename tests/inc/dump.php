<?php
/*
 * var_dump()'s output for the values tests print, written without it:
 * Xdebug's develop mode (one of test.sh's modes) replaces var_dump() with
 * its own, whose output differs (a file:line header, other spacing).
 */
function mp_dump(mixed ...$values): void {
    foreach ($values as $v) {
        echo mp_dump_str($v, '');
    }
}

function mp_dump_str(mixed $v, string $indent): string {
    switch (true) {
        case $v === null:
            return "{$indent}NULL\n";
        case is_bool($v):
            return $indent . 'bool(' . ($v ? 'true' : 'false') . ")\n";
        case is_int($v):
            return "{$indent}int($v)\n";
        case is_float($v):
            $s = var_export($v, true);
            return $indent . 'float(' . (str_ends_with($s, '.0') ? substr($s, 0, -2) : $s) . ")\n";
        case is_string($v):
            return $indent . 'string(' . strlen($v) . ') "' . $v . "\"\n";
        case is_array($v):
            $out = $indent . 'array(' . count($v) . ") {\n";
            foreach ($v as $k => $e) {
                $out .= "$indent  " . (is_int($k) ? "[$k]" : "[\"$k\"]") . "=>\n" . mp_dump_str($e, "$indent  ");
            }
            return "$out$indent}\n";
        default:
            throw new LogicException('mp_dump: ' . get_debug_type($v) . ' not supported');
    }
}

/**
 * $out without the "Call Stack:" blocks that Xdebug's develop mode adds to
 * every error message (no setting turns them off), and without blank lines,
 * which it adds too.
 */
function mp_strip_xdebug_stack(string $out): string {
    $out = preg_replace('/\nCall Stack:\n(?: +\d.*(?:\n|$))+/', "\n", $out);
    return preg_replace('/\n{2,}/', "\n", $out);
}

/**
 * Whether an extension in this process allocates on the Zend heap during
 * calls: Xdebug's develop and trace modes keep each internal call's
 * arguments. Those allocations are real and counted, so exact allocation
 * totals of calls do not hold then.
 */
function mp_calls_allocate(): bool {
    return extension_loaded('xdebug') && array_intersect(['develop', 'trace'], xdebug_info('mode'));
}
