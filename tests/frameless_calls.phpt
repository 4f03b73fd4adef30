--TEST--
Frameless internal calls (PHP 8.4+: implode, str_replace, substr, in_array... run without a frame and, unless an observer watches them, without an observer call): what they allocate lands on the calling line, exact bytes; as an internal frame under it where there is one (PHP < 8.4, or the call observer on), on the line itself otherwise
--EXTENSIONS--
memprof
--SKIPIF--
<?php require __DIR__ . '/inc/dump.php'; if (mp_calls_allocate()) die('skip Xdebug (develop, trace) allocates during calls: exact allocation totals do not hold'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function build(array $parts, int $n) {
    $joined = implode(',', $parts);
    $replaced = str_replace('a', 'bb', $joined);
    $cut = substr($replaced, 1, $n);
    $found = in_array('zz', $parts, true);
    return [$joined, $replaced, $cut, $found];
}
// made before profiling: only what the calls make is counted
$parts = [str_repeat('a', rt(30000)), str_repeat('c', rt(20000))];
memprof_enable();
$kept = build($parts, rt(40000));
$folded = mp_folded();
memprof_disable();

$file = __FILE__;
$caller = mp_main_label() . " ($file:13);build";
// implode asks for 50033 bytes: zend_string_safe_alloc(1, 1, 50000) adds the
// separator's byte after rounding the rest up
// PHP 8.4 compiles these calls to frameless opcodes; the engine gives them a
// frame only when an observer watches the function (memprof's call observer)
$framed = PHP_VERSION_ID < 80400 || memprof_enabled_flags()['calls'];
$under = 0;
foreach ($folded as $stack => $bytes) {
    if (str_starts_with($stack, "$caller (")) $under += $bytes;
}
foreach ([4 => 'implode', 5 => 'str_replace', 6 => 'substr', 7 => 'in_array'] as $line => $fn) {
    $on_line = $folded["$caller ($file:$line)"] ?? 0;
    $in_frame = $folded["$caller ($file:$line);$fn (php:internal:0)"] ?? 0;
    $form = $on_line && $in_frame ? 'both' : ($in_frame ? 'frame' : ($on_line ? 'line' : 'none'));
    $want = $on_line + $in_frame === 0 ? 'none' : ($framed ? 'frame' : 'line');
    echo "$fn: ", $on_line + $in_frame, " bytes on line $line, ", $form === $want ? 'as expected' : "as $form, expected $want", "\n";
    $under -= $on_line + $in_frame;
}
// the returned array is on line 8; nothing else is under build()
echo "elsewhere in build(): ", $under - ($folded["$caller ($file:8)"] ?? 0), "\n";
?>
--EXPECT--
implode: 50033 bytes on line 4, as expected
str_replace: 80032 bytes on line 5, as expected
substr: 40032 bytes on line 6, as expected
in_array: 0 bytes on line 7, as expected
elsewhere in build(): 0
