<?php
/* The page bench/fpm.sh serves (about 1-3 ms of PHP, 2 MB allocated): a
 * catalogue of 600 rows of small arrays and strings, sorted, through JSON and
 * back, a word count, an HTML list. The same bytes every time (ab counts a
 * body of another length as failed); Content-Length lets nginx keep ab's
 * HTTP/1.0 connection alive. X-Opcache-Cached: whether opcache holds this file. */
function bench_rows(int $n): array {
    $rows = [];
    for ($i = 0; $i < $n; $i++) {
        $rows[] = ['id' => $i, 'sku' => 'SKU-' . str_pad((string) $i, 6, '0', STR_PAD_LEFT),
            'title' => ucwords("product number $i of the spring catalogue"),
            'tags' => ['t' . ($i % 7), 'c' . ($i % 13)], 'price' => round(($i * 37 % 1000) * 1.37, 2)];
    }
    return $rows;
}
ob_start();
$rows = bench_rows(600);
usort($rows, fn($a, $b) => $b['price'] <=> $a['price'] ?: $a['id'] <=> $b['id']);
$json = json_encode($rows);
$back = json_decode($json, true);
$freq = array_count_values(explode(' ', strtolower(implode(' ', array_column($back, 'title')))));
arsort($freq);
echo "<!doctype html>\n<title>catalogue</title>\n<ul>\n";
foreach (array_slice($back, 0, 40) as $r) {
    printf("<li>%s: %s (%.2f) %s</li>\n", htmlspecialchars($r['sku']), htmlspecialchars($r['title']),
        $r['price'], implode(',', $r['tags']));
}
printf("</ul>\n<p>%d rows, %d words, json %d bytes, md5 %s</p>\n", count($back), count($freq), strlen($json), md5($json));
header('Content-Length: ' . ob_get_length());
header('X-Opcache-Cached: ' . (function_exists('opcache_is_script_cached') && opcache_is_script_cached(__FILE__) ? 1 : 0));
ob_end_flush();
