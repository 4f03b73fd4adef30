--TEST--
folded: one line per call path, frames "function (file:line)", in-use bytes
--EXTENSIONS--
memprof
--FILE--
<?php
require __DIR__ . '/inc/common.php';
class Cache {
    public static array $items = [];
    public static function put($k) {
        self::$items[$k] = str_repeat('v', rt(4000));
    }
}
memprof_enable();
for ($i = 0; $i < 3; $i++) Cache::put($i);
$lines = mp_folded();
memprof_disable();
$f = __FILE__;
$m = mp_main_label();
mp_dump($lines["$m ($f:10);Cache::put ($f:6);str_repeat (php:internal:0)"] ?? null);
foreach ($lines as $stack => $bytes) {
    if (!preg_match('/^([^;]+ \([^;]+:\d+\))(;[^;]+ \([^;]+:\d+\))*$/', $stack) || $bytes <= 0) {
        echo "bad line: $stack $bytes\n";
    }
}
echo "done\n";
?>
--EXPECT--
int(12096)
done
