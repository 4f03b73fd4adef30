--TEST--
Wrong arguments, unknown and malformed MEMPROF_PROFILE flags: warnings and errors, known flags (native among them) still apply
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function attempt(callable $f) {
    try { $f(); echo "no error\n"; }
    catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
attempt(fn() => memprof_enable('', 2));
attempt(fn() => memprof_enable(new stdClass()));
attempt(fn() => memprof_dump_array(STDOUT));
attempt(fn() => memprof_dump_callgrind());
attempt(fn() => memprof_dump_folded(STDOUT, 2));
attempt(fn() => memprof_version('x'));
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php echo json_encode(memprof_enabled_flags()), "\n";');
foreach (['dump_on_limit,,bogus', ' native ', 'x=1;dump_on_limit', ','] as $v) {
    echo "MEMPROF_PROFILE=", json_encode($v), "\n";
    echo trim(shell_exec('MEMPROF_PROFILE=' . escapeshellarg($v) . ' ' . mp_php() . " -d memprof.output_dir=$dir $script 2>&1")), "\n";
}
?>
--EXPECTF--
ArgumentCountError: memprof_enable() expects at most 1 argument, 2 given
TypeError: memprof_enable(): Argument #1 ($flags) must be of type array|string, stdClass given
ArgumentCountError: memprof_dump_array() expects exactly 0 arguments, 1 given
ArgumentCountError: memprof_dump_callgrind() expects exactly 1 argument, 0 given
ArgumentCountError: memprof_dump_folded() expects exactly 1 argument, 2 given
ArgumentCountError: memprof_version() expects exactly 0 arguments, 1 given
MEMPROF_PROFILE="dump_on_limit,,bogus"
Warning: PHP Request Startup: MEMPROF_PROFILE: unknown flag 'bogus' ignored; known flags: 1, dump_on_limit, native in Unknown on line 0
{"enabled":true,"native":false,"dump_on_limit":true,"autodump":true,"calls":true,"sample_rate":0}
MEMPROF_PROFILE=" native "
{"enabled":true,"native":true,"dump_on_limit":false,"autodump":true,"calls":true,"sample_rate":0}
MEMPROF_PROFILE="x=1;dump_on_limit"
Warning: PHP Request Startup: MEMPROF_PROFILE: unknown flag 'x=1;dump_on_limit' ignored; known flags: 1, dump_on_limit, native in Unknown on line 0
{"enabled":true,"native":false,"dump_on_limit":false,"autodump":true,"calls":true,"sample_rate":0}
MEMPROF_PROFILE=","
{"enabled":true,"native":false,"dump_on_limit":false,"autodump":true,"calls":true,"sample_rate":0}
