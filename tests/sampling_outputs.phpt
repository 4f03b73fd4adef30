--TEST--
Sampled mode says so everywhere: memprof_enabled_flags(), the array (sample_rate, samples counts), pprof (period, comment, labels), callgrind (a comment, sample events); invalid settings are refused; memprof.sample_requests profiles the first request and every Nth after it, and the request's labels name its method and URI path without the query string
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (!trim((string) shell_exec('command -v go'))) die('skip go (golang-go) not installed'); ?>
--FILE--
<?php
require __DIR__ . '/inc/common.php';
require __DIR__ . '/web/inc/cli_server.php';
function keep_many() { $a = []; for ($i = 0; $i < 200000; $i++) $a[] = str_repeat('k', rt(40)); return $a; }

echo "-- settings\n";
foreach (['memprof.sample_rate' => 'abc', 'memprof.sample_seed' => '-3', 'memprof.sample_gaps' => 'uniform',
        'memprof.labels' => 'service'] as $k => $v) {
    ob_start();
    $r = ini_set($k, $v);
    echo trim(mp_strip_xdebug_stack(ob_get_clean())), ' => ', json_encode($r), "\n";
}
ini_set('memprof.sample_rate', '512K');
ini_set('memprof.sample_seed', '7');
ini_set('memprof.labels', 'service=api,version:1.2');

echo "-- in this process\n";
memprof_enable();
$kept = keep_many();
$f = memprof_enabled_flags();
echo 'flags: sample_rate ', $f['sample_rate'], ', calls counted ', json_encode($f['calls']), "\n";
$d = memprof_dump_array();
$n = mp_node($d, mp_main(), 'keep_many', 'str_repeat');
echo 'array: sample_rate ', $d['sample_rate'] ?? 'none', ', samples ', $n['samples_count'] > 0 ? 'counted' : 'none',
    // (Xdebug's develop mode adds blocks of its own to each call, freed after it)
    ', in use ', $n['inuse_samples_count'] > 0 && $n['inuse_samples_count'] <= $n['samples_count'] ? 'counted' : 'wrong', "\n";
$pp = tempnam(sys_get_temp_dir(), 'pp');
$fh = fopen($pp, 'w'); memprof_dump_pprof($fh); fclose($fh);
$cg = tempnam(sys_get_temp_dir(), 'cg');
$fh = fopen($cg, 'w'); memprof_dump_callgrind($fh); fclose($fh);
memprof_disable();
$raw = (string) shell_exec('go tool pprof -raw ' . escapeshellarg($pp) . ' 2>&1');
preg_match('/^Period: (\d+)$/m', $raw, $m);
echo 'pprof: period ', $m[1] ?? '?', ', comment ', json_encode(str_contains($raw, 'Comment: memprof: sampled, sample_rate=524288 bytes')), "\n";
preg_match('/^\s+(\w+:\[.*)$/m', $raw, $m);
echo 'pprof labels: ', preg_replace('/pid:\[\d+\]/', 'pid:[N]', str_replace(__FILE__, 'FILE', $m[1] ?? '?')), "\n";
$top = (string) shell_exec('go tool pprof -top -tagfocus=service=api ' . escapeshellarg($pp) . ' 2>&1');
echo 'tagfocus service=api: ', str_contains($top, 'keep_many') ? 'keeps the samples' : 'matched nothing', "\n";
$c = file_get_contents($cg);
echo 'callgrind: ', json_encode(str_contains($c, "# memprof: sampled, sample_rate=524288 bytes")), ' ',
    json_encode(str_contains($c, 'events: MemorySize BlocksCount AllocMemorySize AllocBlocksCount PeakMemorySize PeakBlocksCount AllocSamples InuseSamples')), "\n";
unlink($pp); unlink($cg);

echo "-- memprof.sample_requests=3, ten requests\n";
$secret = 'S4mpled-s3cret';
$out = sigw_tmpdir();
$s = srv_start(['memprof.output_dir' => $out, 'memprof.output_format' => 'pprof', 'memprof.trigger_secret' => $secret,
    'memprof.sample_rate' => '512K', 'memprof.sample_requests' => '3'],
    // sampling at startup: no call observer is registered (calls false), even with a secret
    ['page.php' => '<?php /* 8 MiB: sampled at 512K with probability 1 - e^-16, so each profile has samples (and labels) */ $k = str_repeat("p", 1 << 23); echo memprof_enabled() ? "on" : "off", " ", memprof_enabled_flags()["sample_rate"], " ", json_encode(memprof_enabled_flags()["calls"]);']);
$r = [];
for ($i = 1; $i <= 10; $i++) {
    $r[] = srv_req($s, "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret&i=$i");
}
srv_stop($s);
echo implode(' | ', array_unique($r)), "\n";
echo 'profiled: ', implode(',', array_keys(array_filter($r, fn($x) => str_starts_with($x, 'on')))), "\n";
$files = srv_profiles($out);
echo count($files), " profiles\n";
$raw = (string) shell_exec('go tool pprof -raw ' . escapeshellarg($files[0]) . ' 2>&1');
preg_match('/^\s+(\w+:\[.*)$/m', $raw, $m);
echo 'labels: ', preg_replace(['/pid:\[\d+\]/', '/script:\[[^\]]*\]/'], ['pid:[N]', 'script:[S]'], $m[1] ?? '?'), "\n";
echo 'the secret in a label: ', json_encode(str_contains($raw, $secret)), "\n";
?>
--EXPECTF--
-- settings
Warning: ini_set(): Invalid memprof.sample_rate 'abc'; accepted values: 0 (exact mode) or bytes between samples, e.g. 524288 or 512K in %s on line %d => false
Warning: ini_set(): Invalid memprof.sample_seed '-3'; accepted values: 0 (random) or a positive integer in %s on line %d => false
Warning: ini_set(): Invalid memprof.sample_gaps 'uniform'; accepted values: exponential, poisson (biased: for tests only) in %s on line %d => false
Warning: ini_set(): Invalid memprof.labels 'service'; accepted values: empty, or key=value pairs separated by commas (keys of letters, digits, _ . -) in %s on line %d => false
-- in this process
flags: sample_rate 524288, calls counted false
array: sample_rate 524288, samples counted, in use counted
pprof: period 524288, comment true
pprof labels: pid:[N] sapi:[cli] script:[FILE] service:[api] version:[1.2]
tagfocus service=api: keeps the samples
callgrind: true true
-- memprof.sample_requests=3, ten requests
on 524288 false | off 0 false
profiled: 0,3,6,9
4 profiles
labels: method:[GET] pid:[N] sapi:[cli-server] script:[S] uri:[/page.php]
the secret in a label: false
