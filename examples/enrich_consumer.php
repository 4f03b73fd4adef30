<?php

/*
 * A queue consumer whose leak is gone by the time the script ends:
 *
 *   bin/memprof run examples/enrich_consumer.php [JOBS]
 *
 * consume() enriches every event with a customer record that the Enricher
 * caches. The cache is keyed by the event id instead of the customer id, so
 * no entry is ever reused and it grows by about 1 KiB per event. It lives in
 * the Enricher, which dies when consume() returns: at the end of the script
 * almost nothing is in use, but at its peak the process held the whole
 * cache. A long-running consumer would keep growing until its memory limit.
 */

declare(strict_types=1);

final class Enricher
{
    /** @var array<int, string> meant as customer id => record; keyed by the event by mistake */
    private array $cache = [];

    public function enrich(array $event): array
    {
        $key = $event['id'];
        if (!isset($this->cache[$key])) {
            $this->cache[$key] = json_encode($this->lookup($event['customer'])); // the leak: never pruned
        }
        $event['customer'] = json_decode($this->cache[$key], true);
        $event['total_cents'] = array_sum(array_map(
            static fn (array $line): int => $line['qty'] * $line['cents'],
            $event['lines'],
        ));
        return $event;
    }

    /** Stands in for a database query. */
    private function lookup(int $customer): array
    {
        $orders = [];
        for ($i = 0; $i < 16; $i++) {
            $orders[] = ['sku' => sprintf('SKU-%05d-%02d', $customer, $i), 'qty' => ($customer + $i) % 4 + 1, 'cents' => 199 * ($i + 1)];
        }
        return [
            'id' => $customer,
            'name' => "Customer $customer",
            'email' => "customer$customer@example.com",
            'segment' => ['bronze', 'silver', 'gold'][$customer % 3],
            'recent_orders' => $orders,
        ];
    }
}

/** Fake queue: one JSON message per event. */
function events(int $count): Generator
{
    for ($id = 1; $id <= $count; $id++) {
        $lines = [];
        for ($i = 0; $i < 4; $i++) {
            $lines[] = ['sku' => "sku-$id-$i", 'qty' => ($id + $i) % 3 + 1, 'cents' => 250 * ($i + 1)];
        }
        yield json_encode(['id' => $id, 'customer' => $id % 500, 'lines' => $lines]);
    }
}

function consume(Enricher $enricher, int $count): array
{
    $stats = ['events' => 0, 'bytes' => 0];
    foreach (events($count) as $message) {
        $event = json_decode($message, true, 16, JSON_THROW_ON_ERROR);
        $out = json_encode($enricher->enrich($event));
        $stats['events']++;
        $stats['bytes'] += strlen($out);
    }
    return $stats;
}

$stats = consume(new Enricher(), (int) ($argv[1] ?? 3000));
printf("consumed %d events (%d bytes out), memory now %.1f KiB, peak %.1f MiB\n",
    $stats['events'], $stats['bytes'], memory_get_usage() / 1024, memory_get_peak_usage() / 1048576);
