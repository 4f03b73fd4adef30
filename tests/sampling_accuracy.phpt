--TEST--
Sampled mode (memprof.sample_rate=512K, fixed seeds): a million small strings, blocks of exactly R bytes and blocks of 9 MiB are estimated within 3 standard deviations of the exact counts, per site and in total; what is freed leaves exactly 0 in use; the same test fails for a sampler with Poisson-distributed gaps (the bias other profilers shipped)
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
$dir = mp_tmpdir();
$script = mp_script($dir, '<?php require ' . var_export(__DIR__ . '/inc/common.php', true) . ";\n" . <<<'PHP'
function small() { $a = []; for ($i = 0; $i < 1000000; $i++) $a[] = str_repeat('s', rt(8 + ($i % 41))); return $a; }
function at_rate() { for ($i = 0; $i < 2000; $i++) { $s = str_repeat('r', rt(524288 - 25)); unset($s); } }
function big() { for ($i = 0; $i < 48; $i++) { $s = str_repeat('b', rt((9 << 20) - 25)); unset($s); } }
memprof_enable();
$kept = small();
at_rate();
big();
$d = memprof_dump_array();
$m = mp_node($d, 'main ' . __FILE__);
$out = ['rate' => memprof_enabled_flags()['sample_rate']];
foreach (['small', 'at_rate', 'big'] as $f) {
    $n = mp_node($m, $f, 'str_repeat');
    $out[$f] = [$n['memory_size'], $n['blocks_count'], $n['alloc_memory_size'], $n['alloc_blocks_count'], $n['samples_count'] ?? null];
}
$out['total'] = [$d['memory_size_inclusive'], $d['alloc_memory_size_inclusive']];
echo json_encode($out);
PHP);
$run = function (string ...$ini) use ($script) {
    // without Xdebug: in its develop mode it allocates during every internal
    // call, which the block sizes below leave out
    $argv = mp_php_argv('zend_extension=xdebug', 'xdebug.');
    foreach ($ini as $i) array_push($argv, '-d', $i);
    $env = ['MEMPROF_TEST_NEVER_SET' => '', 'USE_ZEND_ALLOC' => '1'] + getenv();
    unset($env['XDEBUG_MODE']);
    $p = proc_open([...$argv, '-d', 'memory_limit=-1', $script], [1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, null, $env);
    $o = stream_get_contents($pipes[1]);
    proc_close($p);
    return json_decode($o, true) ?? $o;
};
$exact = $run();
// Horvitz-Thompson: a block of s bytes is sampled with p = 1 - e^(-s/R) and
// then counts s/p bytes; the variance is the sum over blocks of s^2 (1-p)/p
$R = 524288;
$var = function (array $sizes) use ($R) {
    $v = [0.0, 0.0];
    foreach ($sizes as [$s, $n]) {
        $p = -expm1(-$s / $R);
        $v[0] += $n * $s * $s * (1 - $p) / $p;
        $v[1] += $n * (1 - $p) / $p;
    }
    return $v;
};
$smallSizes = [];
for ($k = 0; $k < 41; $k++) $smallSizes[] = [24 + 8 + $k + 1, intdiv(1000000 - $k + 40, 41)];
$vars = ['small' => $var($smallSizes), 'at_rate' => $var([[$R, 2000]]), 'big' => $var([[9 << 20, 48]])];
$check = function (array $est, string $label) use ($exact, $vars) {
    $bad = [];
    foreach (['small' => [2, 3], 'at_rate' => [2, 3], 'big' => [2, 3]] as $site => [$bi, $ci]) {
        [$vb, $vc] = $vars[$site];
        foreach ([[$bi, sqrt($vb), 'bytes'], [$ci, sqrt($vc), 'blocks']] as [$i, $sd, $what]) {
            $diff = abs($est[$site][$i] - $exact[$site][$i]);
            if ($diff > 3 * max($sd, 1)) $bad[] = "$site $what off by " . round($diff / max($sd, 1), 1) . " sd";
        }
    }
    // kept small strings: in use as allocated; the freed sites: exactly 0
    if ($est['small'][0] !== $est['small'][2]) $bad[] = 'small: in use differs from allocated';
    if ($est['at_rate'][0] !== 0 || $est['big'][0] !== 0) $bad[] = 'freed blocks left in use';
    $total = $est['total'][1] / $exact['total'][1] - 1;
    if (abs($total) > 0.05) $bad[] = sprintf('allocated total off by %.1f%%', 100 * $total);
    echo "$label: ", $bad ? implode(', ', $bad) : 'within 3 sd per site, total within 5%', "\n";
};
echo 'exact mode: rate ', $exact['rate'], ', ', $exact['small'][1], " small strings\n";
foreach ([1, 2, 3] as $seed) {
    $s = $run('memprof.sample_rate=512K', "memprof.sample_seed=$seed");
    $check($s, "seed $seed (rate {$s['rate']}, {$s['small'][4]} samples of small strings)");
}
$p = $run('memprof.sample_rate=512K', 'memprof.sample_seed=1', 'memprof.sample_gaps=poisson');
$check($p, 'Poisson gaps');
?>
--EXPECTF--
exact mode: rate 0, 1000000 small strings
seed 1 (rate 524288, %d samples of small strings): within 3 sd per site, total within 5%
seed 2 (rate 524288, %d samples of small strings): within 3 sd per site, total within 5%
seed 3 (rate 524288, %d samples of small strings): within 3 sd per site, total within 5%
Poisson gaps: at_rate bytes off by %s sd, at_rate blocks off by %s sd, allocated total off by %s
