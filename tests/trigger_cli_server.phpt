--TEST--
Request triggers: MEMPROF_PROFILE from GET, POST or cookie honored only with memprof.trigger_secret set and a matching MEMPROF_SECRET
--EXTENSIONS--
memprof
--SKIPIF--
<?php if (PHP_OS_FAMILY === 'Windows') die('skip POSIX only'); ?>
--FILE--
<?php
require __DIR__ . '/web/inc/cli_server.php';
$page = ['page.php' => '<?php
function trigger_marker(int $n) { return str_repeat("t", $n); }
$keep = trigger_marker((int) ($_GET["n"] ?? $_POST["n"] ?? $_COOKIE["n"] ?? 1));
echo memprof_enabled() ? "on" : "off";'];
$secret = 'Tr1gger-s3cret';

// -- no secret configured: every request trigger ignored
$s = srv_start(['memprof.output_dir' => sys_get_temp_dir() . '/memprof-never', 'memprof.trigger_secret' => ''], $page);
$r = [];
$r[] = srv_req($s, '/page.php?MEMPROF_PROFILE=1');
$r[] = srv_req($s, "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret");
$r[] = srv_req($s, "/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=");
$r[] = srv_req($s, '/page.php', 'POST', "MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret");
$r[] = srv_req($s, '/page.php', 'GET', null, "MEMPROF_PROFILE=1; MEMPROF_SECRET=$secret");
echo "no secret configured: ", implode(' ', $r), "\n";
srv_stop($s);

// -- secret configured
$dir = sigw_tmpdir();
mkdir("$dir/out");
$s = srv_start(['memprof.output_dir' => "$dir/out", 'memprof.output_format' => 'folded',
    'memprof.trigger_secret' => $secret], $page);
$cases = [
    'no secret'       => ['/page.php?MEMPROF_PROFILE=1'],
    'empty secret'    => ['/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET='],
    'wrong secret'    => ['/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=wrong'],
    'prefix'          => ['/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=' . substr($secret, 0, -1)],
    'longer'          => ["/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET={$secret}x"],
    'last byte off'   => ['/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=' . substr($secret, 0, -1) . 'T'],
    'other case'      => ['/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=' . strtoupper($secret)],
    'array secret'    => ["/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET[]=$secret"],
    'array profile'   => ["/page.php?MEMPROF_PROFILE[]=1&MEMPROF_SECRET=$secret"],
    'empty profile'   => ["/page.php?MEMPROF_PROFILE=&MEMPROF_SECRET=$secret"],
    'secret only'     => ["/page.php?MEMPROF_SECRET=$secret"],
    'wrong POST'      => ['/page.php', 'POST', 'MEMPROF_PROFILE=1&MEMPROF_SECRET=nope'],
    'wrong cookie'    => ['/page.php', 'GET', null, 'MEMPROF_PROFILE=1; MEMPROF_SECRET=nope'],
    // secret and trigger may come from different places
    'GET'             => ["/page.php?MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret&n=200001"],
    'POST'            => ['/page.php', 'POST', "MEMPROF_PROFILE=1&MEMPROF_SECRET=$secret&n=200002"],
    'cookie'          => ['/page.php', 'GET', null, "MEMPROF_PROFILE=1; MEMPROF_SECRET=$secret; n=200003"],
    'GET + cookie secret' => ['/page.php?MEMPROF_PROFILE=1&n=200004', 'GET', null, "MEMPROF_SECRET=$secret"],
    // flags are the same as the environment variable's
    'GET dump_on_limit' => ["/page.php?MEMPROF_PROFILE=dump_on_limit&MEMPROF_SECRET=$secret&n=200005"],
];
$seen = 0;
foreach ($cases as $label => $args) {
    $body = srv_req($s, ...$args);
    $files = srv_profiles("$dir/out");
    $new = count($files) - $seen;
    $seen = count($files);
    $extra = '';
    if ($new === 1) {
        // the profile holds this request's marker and nobody else's
        usort($files, fn($a, $b) => filemtime($a) <=> filemtime($b) ?: strcmp($a, $b));
        preg_match_all('/;trigger_marker \(.*?\);str_repeat \(php:internal:0\) (\d+)$/m', file_get_contents(end($files)), $m);
        $extra = ', marker bytes ' . implode(',', $m[1]);
    }
    echo str_pad($label, 20), "$body, $new new profile$extra\n";
}
echo "server log has no warnings: ", var_export(!preg_match('/Warning|Fatal/', srv_log($s)), true), "\n";
?>
--EXPECT--
no secret configured: off off off off off
no secret           off, 0 new profile
empty secret        off, 0 new profile
wrong secret        off, 0 new profile
prefix              off, 0 new profile
longer              off, 0 new profile
last byte off       off, 0 new profile
other case          off, 0 new profile
array secret        off, 0 new profile
array profile       off, 0 new profile
empty profile       off, 0 new profile
secret only         off, 0 new profile
wrong POST          off, 0 new profile
wrong cookie        off, 0 new profile
GET                 on, 1 new profile, marker bytes 200033
POST                on, 1 new profile, marker bytes 200034
cookie              on, 1 new profile, marker bytes 200035
GET + cookie secret on, 1 new profile, marker bytes 200036
GET dump_on_limit   on, 1 new profile, marker bytes 200037
server log has no warnings: true
