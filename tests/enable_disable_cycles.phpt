--TEST--
1000 enable/disable cycles: no crash, memory stays bounded
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
function churn() { $a = []; for ($i = 0; $i < 20; $i++) $a[] = str_repeat('c', rt(100)); return $a; }
$keep = [];
$rss = function () { preg_match('/VmRSS:\s+(\d+)/', file_get_contents('/proc/self/status'), $m); return (int) $m[1]; };
for ($i = 0; $i < 1000; $i++) {
    memprof_enable();
    $keep[$i % 10] = churn();
    if ($i % 3 === 0) memprof_dump_array();
    memprof_disable();
    if ($i === 100) { $rss100 = $rss(); $mem100 = memory_get_usage(); }
}
mp_dump(memprof_enabled());
// with USE_ZEND_ALLOC=0 (valgrind) memory_get_usage() is 0 and RSS is valgrind's: leaks are valgrind's to report
$sysalloc = getenv('USE_ZEND_ALLOC') === '0';
mp_dump($sysalloc || memory_get_usage() - $mem100 < 64 * 1024);
mp_dump($sysalloc || $rss() - $rss100 < 2048);   // KiB
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
