<?php
/*
 * calls: call-heavy CPU benchmark. Recursion (fib), many small functions,
 * static and instance methods, closures, array building / sorting / mapping
 * and string building. Most time is spent entering and leaving frames; the
 * allocations are moderate (arrays, strings, small objects).
 */

declare(strict_types=1);

require __DIR__ . '/_common.php';

// Outer iterations, per size.
$iters = bench_param(['tiny' => 3, 'small' => 20, 'full' => 70]);

function fib(int $n): int
{
    return $n < 2 ? $n : fib($n - 1) + fib($n - 2);
}

function add(int $a, int $b): int { return $a + $b; }
function mul(int $a, int $b): int { return $a * $b; }
function clamp(int $v, int $lo, int $hi): int { return $v < $lo ? $lo : ($v > $hi ? $hi : $v); }
function label(int $i): string { return 'item-' . $i; }

final class Vec
{
    public function __construct(public float $x, public float $y) {}

    public function add(Vec $o): Vec { return new Vec($this->x + $o->x, $this->y + $o->y); }
    public function scale(float $k): Vec { return new Vec($this->x * $k, $this->y * $k); }
    public function dot(Vec $o): float { return $this->x * $o->x + $this->y * $o->y; }
    public static function zero(): Vec { return new Vec(0.0, 0.0); }
}

final class Counter
{
    private array $counts = [];

    public function hit(string $key): void
    {
        $this->counts[$key] = ($this->counts[$key] ?? 0) + 1;
    }

    public function top(int $n): array
    {
        arsort($this->counts);
        return array_slice($this->counts, 0, $n, true);
    }
}

function small_functions(int $n): int
{
    $acc = 0;
    for ($i = 0; $i < $n; $i++) {
        $acc = add($acc, clamp(mul($i, 3), 0, 1000)) & 0xffffff;
    }
    return $acc;
}

function methods(int $n): float
{
    $v = Vec::zero();
    $d = new Vec(0.5, 0.25);
    for ($i = 0; $i < $n; $i++) {
        $v = $v->add($d)->scale(0.999);
    }
    return $v->dot($d);
}

function arrays(int $n): int
{
    $a = [];
    for ($i = 0; $i < $n; $i++) {
        $a[] = ($i * 7919) % 1009;
    }
    $b = array_map(fn ($x) => $x * 2, $a);
    $c = array_filter($b, fn ($x) => $x % 3 === 0);
    usort($c, fn ($x, $y) => $y <=> $x);
    $m = [];
    foreach ($a as $i => $x) {
        $m[label($x)] = $i;
    }
    return count($c) + count($m) + array_sum(array_slice($c, 0, 10));
}

function strings(int $n): int
{
    $counter = new Counter();
    $s = '';
    for ($i = 0; $i < $n; $i++) {
        $w = label($i % 97);
        $counter->hit($w);
        $s .= $w . ',';
        if (strlen($s) > 4096) {
            $s = substr(str_replace('item', 'it', $s), 0, 128);
        }
    }
    return strlen($s) + count($counter->top(5)) + strlen(implode('|', array_keys($counter->top(3))));
}

// --- the measured work ---
$t0 = hrtime(true);
$sum = 0;
$fsum = 0.0;
for ($k = 0; $k < $iters; $k++) {
    $sum += fib(20);
    $sum += small_functions(20000);
    $fsum += methods(10000);
    $sum += arrays(10000);
    $sum += strings(20000);
}
$t1 = hrtime(true);

bench_finish($t0, $t1, sprintf('sum=%d,f=%.6f', $sum, $fsum));
