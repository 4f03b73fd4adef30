<?php
/*
 * churn: allocation churn. A tight loop creates short-lived strings, arrays
 * and objects of assorted sizes (small bins, larger bins, and a few "large"
 * allocations above the ZMM's 3 KiB small-size limit); a sliding window keeps
 * the most recent few thousand alive, so most blocks die young but the
 * allocator always has live neighbours. Measures the per-alloc/free cost.
 */

declare(strict_types=1);

require __DIR__ . '/_common.php';

// Loop iterations, per size.
$iters = bench_param(['tiny' => 60_000, 'small' => 300_000, 'full' => 1_000_000]);
$window = 4096;

final class Item
{
    public array $tags = [];

    public function __construct(public int $id, public string $name, public ?Item $prev = null) {}
}

// --- the measured work ---
$t0 = hrtime(true);
$ring = array_fill(0, $window, null);
$acc = 0;
$prev = null;
for ($i = 0; $i < $iters; $i++) {
    // short-lived strings of varied length
    $s = str_repeat(chr(97 + $i % 26), 8 + ($i % 120));
    $t = $s . '#' . $i;
    $acc += strlen($t);

    // a short-lived array, sometimes a packed list, sometimes a hash
    if ($i & 1) {
        $a = [$i, $i + 1, $i + 2, $t];
    } else {
        $a = ['id' => $i, 'name' => $t, 'len' => strlen($s)];
    }
    $acc += count($a);

    // an object that lives a while (in the ring), linked to the previous one
    $o = new Item($i, $t, ($i % 8) ? null : $prev);
    $o->tags[] = $s;
    if ($i % 64 === 0) {
        // an occasional large (> 3 KiB) block
        $o->tags[] = str_repeat('x', 4096 + ($i % 5000));
    }
    $prev = $o;
    $ring[$i % $window] = $o;

    unset($s, $t, $a, $o);
}
$t1 = hrtime(true);

$live = 0;
foreach ($ring as $o) {
    $live += $o instanceof Item ? 1 : 0;
}
bench_finish($t0, $t1, sprintf('acc=%d,live=%d', $acc, $live));
