--TEST--
memprof.observer: "auto" takes the engine's call observer only when MEMPROF_PROFILE or a trigger secret is set at startup; "on" and "off" force it (the ini parser turns them into "1" and ""); both modes profile; invalid values are refused
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = "$dir/s.php";
file_put_contents($script, <<<'PHP'
<?php
function f() { return str_repeat('x', 1000 + (int) getenv('NEVER')); }
if (!memprof_enabled()) memprof_enable();
$k = [f(), f()];
$d = memprof_dump_array();
$n = $d['called_functions']['main ' . __FILE__]['called_functions']['f'];
ob_start(); phpinfo(INFO_MODULES); $info = ob_get_clean();
preg_match('/Call observer => (not registered|registered)/', $info, $m);
echo json_encode(['calls_flag' => memprof_enabled_flags()['calls'], 'f_bytes' => $n['memory_size_inclusive'],
    'f_calls' => $n['calls'], 'ini' => ini_get('memprof.observer'), 'phpinfo' => $m[1],
    'ini_set' => ini_set('memprof.observer', 'on')]), "\n";
PHP);
// the mode's memprof.observer would decide what this test is about; startup
// warnings are printed by each request startup, preloading's too; a file
// cache shared by runs with different settings would serve a script whose
// ini_get() of a startup setting opcache folded under other settings
$php = mp_php(mp_php_argv('memprof.observer=', 'opcache.preload', 'opcache.file_cache')) . ' -d memprof.output_dir=' . escapeshellarg($dir);
$cases = [
    'default, no MEMPROF_PROFILE' => ['', ''],
    'auto, MEMPROF_PROFILE=1' => ['MEMPROF_PROFILE=1', '-d memprof.observer=auto'],
    'auto, trigger secret set' => ['', '-d memprof.trigger_secret=s3cret'],
    'on' => ['', '-d memprof.observer=on'],
    '1' => ['', '-d memprof.observer=1'],
    'off, MEMPROF_PROFILE=1' => ['MEMPROF_PROFILE=1', '-d memprof.observer=off'],
    'OFF' => ['', '-d memprof.observer=OFF'],
    'invalid' => ['', '-d memprof.observer=sometimes'],
];
foreach ($cases as $label => [$env, $ini]) {
    $out = shell_exec("env -u MEMPROF_PROFILE $env $php $ini " . escapeshellarg($script) . ' 2>&1');
    echo "$label: ", trim($out), "\n";
}
?>
--EXPECT--
default, no MEMPROF_PROFILE: {"calls_flag":false,"f_bytes":2064,"f_calls":0,"ini":"auto","phpinfo":"not registered","ini_set":false}
auto, MEMPROF_PROFILE=1: {"calls_flag":true,"f_bytes":2064,"f_calls":2,"ini":"auto","phpinfo":"registered","ini_set":false}
auto, trigger secret set: {"calls_flag":true,"f_bytes":2064,"f_calls":2,"ini":"auto","phpinfo":"registered","ini_set":false}
on: {"calls_flag":true,"f_bytes":2064,"f_calls":2,"ini":"1","phpinfo":"registered","ini_set":false}
1: {"calls_flag":true,"f_bytes":2064,"f_calls":2,"ini":"1","phpinfo":"registered","ini_set":false}
off, MEMPROF_PROFILE=1: {"calls_flag":false,"f_bytes":2064,"f_calls":0,"ini":"","phpinfo":"not registered","ini_set":false}
OFF: {"calls_flag":false,"f_bytes":2064,"f_calls":0,"ini":"","phpinfo":"not registered","ini_set":false}
invalid: Warning: PHP Startup: Invalid memprof.observer 'sometimes'; accepted values: auto, on, off in Unknown on line 0
{"calls_flag":false,"f_bytes":2064,"f_calls":0,"ini":"auto","phpinfo":"not registered","ini_set":false}
