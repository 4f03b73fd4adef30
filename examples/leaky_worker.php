<?php

/*
 * A queue consumer with one memory leak, to try memprof on:
 *
 *   bin/memprof run examples/leaky_worker.php [JOBS [WAIT_US]]
 *
 * Every job decodes a JSON message and builds arrays, objects and strings
 * that are all freed when the job is done. One thing is not: the
 * "already seen" cache in JobHandler::remember() keeps an entry per job and
 * is never pruned, so the process grows by about 1.5 KB per job. memprof
 * names that line first.
 */

declare(strict_types=1);

final class Job
{
    public function __construct(
        public int $id,
        public string $kind,
        public array $payload,
    ) {
    }
}

final class JobHandler
{
    /** @var array<int, string> job id => fingerprint; meant as a dedup cache, never pruned */
    private static array $seen = [];

    public function handle(string $message): int
    {
        $data = json_decode($message, true, 16, JSON_THROW_ON_ERROR);
        $job = new Job($data['id'], $data['kind'], $data['payload']);

        // Churn: everything built here is freed when the job ends.
        $words = preg_split('/\s+/', $job->payload['text']);
        $counts = array_count_values($words);
        arsort($counts);
        $lines = [];
        foreach ($job->payload['items'] as $item) {
            $lines[] = ['sku' => strtoupper($item['sku']), 'total' => $item['qty'] * $item['price'], 'note' => str_pad($item['sku'], 40, '.')];
        }
        $invoice = json_encode(['job' => $job->id, 'lines' => $lines, 'top' => array_slice($counts, 0, 5, true)]);

        $this->remember($job, $invoice);

        return strlen($invoice);
    }

    private function remember(Job $job, string $invoice): void
    {
        self::$seen[$job->id] = str_repeat(md5($invoice), 48); // the leak: ~1.5 KB per job, kept forever
    }

    public static function cacheSize(): int
    {
        return count(self::$seen);
    }
}

/** Fake queue: yields one JSON message per job. */
function messages(int $count): Generator
{
    $text = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore';
    for ($id = 1; $id <= $count; $id++) {
        $items = [];
        for ($i = 0; $i < 8; $i++) {
            $items[] = ['sku' => "sku-$id-$i", 'qty' => ($id + $i) % 5 + 1, 'price' => 3.25 * ($i + 1)];
        }
        yield json_encode(['id' => $id, 'kind' => $id % 3 ? 'order' : 'refund', 'payload' => ['text' => "$text $id", 'items' => $items]]);
    }
}

$jobs = (int) ($argv[1] ?? 2000);
$waitUs = (int) ($argv[2] ?? 0);   // per job, as if waiting on the queue: a worker that lives a while
$handler = new JobHandler();
$bytes = 0;
foreach (messages($jobs) as $message) {
    $bytes += $handler->handle($message);
    if ($waitUs > 0) {
        usleep($waitUs);
    }
}
printf("processed %d jobs (%d bytes of invoices), cache holds %d entries, memory %.1f MiB\n",
    $jobs, $bytes, JobHandler::cacheSize(), memory_get_usage() / 1048576);
