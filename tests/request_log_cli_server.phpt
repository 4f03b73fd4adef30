--TEST--
memprof.request_log for web requests (built-in server): method, URI with query, profiling on/off, MEMPROF_SECRET values redacted, long URIs cut
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (PHP_OS_FAMILY === 'Windows') die('skip POSIX only'); ?>
--FILE--
<?php
require __DIR__ . '/web/inc/cli_server.php';
$dir = sigw_tmpdir();
$log = "$dir/requests.log";
$secret = 'L0g-s3cret';
$s = srv_start(['memprof.request_log' => $log, 'memprof.trigger_secret' => $secret,
    'memprof.output_dir' => $dir, 'memprof.output_format' => 'folded'],
    ['page.php' => '<?php echo memprof_enabled() ? "on" : "off";']);
$long = '/page.php?q=' . str_repeat('a', 3000);
$reqs = [
    ['/page.php?a=1&b=two'],
    ['/page.php?x=1', 'POST', 'body=1'],
    ["/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret&n=1"],
    ["/page.php?MEMPROF_SECRET=$secret#frag"],
    ["/page.php?MEMPROF%5FSECRET=$secret&MEMPROF.SECRET=$secret&MEMPROF_SECRET%5B%5D=$secret&xMEMPROF_SECRET=visible"],
    ['/page.php', 'GET', null, "MEMPROF_PROFILE=1; MEMPROF_SECRET=$secret"],
    [$long],
];
foreach ($reqs as $r) {
    echo srv_req($s, ...$r), ' ';
}
echo "\n";
srv_stop($s);
exec(escapeshellarg(PHP_BINARY) . ' -n ' . escapeshellarg(__DIR__ . '/web/inc/request_log_parse.php') . ' ' . escapeshellarg($log) . ' 2>&1', $rows, $rc);
echo "parse exit code $rc, ", count($rows), " lines\n";
$pids = [];
foreach ($rows as $row) {
    [$pid, $method, $uri, $prof] = explode("\t", $row);
    $pids[$pid] = 1;
    if (strlen($uri) > 100) {
        $uri = substr($uri, 0, 20) . '...(' . strlen($uri) . ' bytes)';
    }
    echo "$method $prof $uri\n";
}
echo "one server process: ", count($pids), "\n";
echo "secret in the log: ", var_export(str_contains(file_get_contents($log), $secret), true), "\n";
?>
--EXPECT--
off off on off off on off 
parse exit code 0, 7 lines
GET off /page.php?a=1&b=two
POST off /page.php?x=1
GET on /page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=***&n=1
GET off /page.php?MEMPROF_SECRET=***
GET off /page.php?MEMPROF%5FSECRET=***&MEMPROF.SECRET=***&MEMPROF_SECRET%5B%5D=***&xMEMPROF_SECRET=visible
GET on /page.php
GET off /page.php?q=aaaaaaaa...(2051 bytes)
one server process: 1
secret in the log: false
