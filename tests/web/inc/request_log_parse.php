<?php
/* Reads a memprof.request_log file, checks every line against the documented
 * format, and prints one normalized line per request:
 *
 *   pid<TAB>method<TAB>uri<TAB>profiling<TAB>mem_start<TAB>mem_end<TAB>mem_peak<TAB>rss_start<TAB>rss_end
 *
 * (uri as logged, still \xHH-escaped, so the output stays one line per
 * request). A malformed line: its number and the reason
 * on stderr, exit status 1.
 * Usage: php request_log_parse.php LOGFILE
 */
const KEYS = ['time', 'pid', 'method', 'uri', 'mem_start', 'mem_end', 'mem_peak',
              'rss_start', 'rss_end', 'dur_ms', 'profiling'];
const FORMATS = [
    'time' => '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/',
    'pid' => '/^[1-9]\d*$/',
    'method' => '/^[^\t\n]+$/',
    'uri' => '/^[^\t\n]+$/',
    'mem_start' => '/^\d+$/', 'mem_end' => '/^\d+$/', 'mem_peak' => '/^\d+$/',
    'rss_start' => '/^\d+$/', 'rss_end' => '/^\d+$/',
    'dur_ms' => '/^\d+\.\d{3}$/',
    'profiling' => '/^(on|off)$/',
];

function mp_rl_fail(int $n, string $why, string $line): never {
    fwrite(STDERR, "request log line $n: $why: " . json_encode($line) . "\n");
    exit(1);
}

$file = $argv[1] ?? '';
$data = @file_get_contents($file);
if ($data === false) {
    fwrite(STDERR, "cannot read $file\n");
    exit(1);
}
if ($data !== '' && !str_ends_with($data, "\n")) {
    fwrite(STDERR, "request log does not end with a newline\n");
    exit(1);
}
$n = 0;
foreach ($data === '' ? [] : explode("\n", substr($data, 0, -1)) as $line) {
    $n++;
    $fields = explode("\t", $line);
    if (count($fields) !== count(KEYS)) {
        mp_rl_fail($n, count($fields) . ' fields, want ' . count(KEYS), $line);
    }
    $v = [];
    foreach ($fields as $i => $f) {
        $kv = explode('=', $f, 2);
        if (count($kv) !== 2 || $kv[0] !== KEYS[$i]) {
            mp_rl_fail($n, 'field ' . ($i + 1) . ' is not ' . KEYS[$i] . '=', $line);
        }
        if (!preg_match(FORMATS[$kv[0]], $kv[1])) {
            mp_rl_fail($n, "bad value for {$kv[0]}", $line);
        }
        $v[$kv[0]] = $kv[1];
    }
    if ((int) $v['mem_peak'] < (int) $v['mem_end'] || (int) $v['rss_start'] <= 0 || (int) $v['rss_end'] <= 0) {
        mp_rl_fail($n, 'inconsistent numbers', $line);
    }
    echo implode("\t", [$v['pid'], $v['method'], $v['uri'], $v['profiling'], $v['mem_start'], $v['mem_end'],
        $v['mem_peak'], $v['rss_start'], $v['rss_end']]), "\n";
}
