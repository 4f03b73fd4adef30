<?php
/* A long-running CLI worker for the dump-signal tests. It grows memory in a
 * function of its own, reports each iteration on stdout ("tick N"), and
 * stops when the file named by argv[2] exists (or after 60 s whatever
 * happens). argv[1] says which signal handling of its own it sets up:
 *
 *   plain        none
 *   pcntl_async  pcntl_async_signals(true) + a handler for SIGUSR1
 *   pcntl_sync   pcntl_signal_dispatch() in the loop + a handler for SIGUSR1
 *   pcntl_same   pcntl_async_signals(true) + a handler for SIGUSR2 itself
 *
 * Handled signals are reported as "handled SIGNAME".
 */
$mode = $argv[1] ?? 'plain';
$stop = $argv[2] ?? '';

function signal_worker_grow(int $i): string
{
    return str_repeat('g', 10000 + ($i % 7));
}

function signal_worker_handler(int $signo): void
{
    echo 'handled ', $signo === SIGUSR1 ? 'SIGUSR1' : ($signo === SIGUSR2 ? 'SIGUSR2' : $signo), "\n";
}

switch ($mode) {
    case 'plain':
        break;
    case 'pcntl_async':
        pcntl_async_signals(true);
        pcntl_signal(SIGUSR1, 'signal_worker_handler');
        break;
    case 'pcntl_sync':
        pcntl_async_signals(false);
        pcntl_signal(SIGUSR1, 'signal_worker_handler');
        break;
    case 'pcntl_same':
        pcntl_async_signals(true);
        pcntl_signal(SIGUSR2, 'signal_worker_handler');
        break;
    default:
        fwrite(STDERR, "unknown mode $mode\n");
        exit(2);
}

echo 'ready ', getmypid(), "\n";
$keep = [];
$deadline = microtime(true) + 60;
for ($i = 0; !file_exists($stop) && microtime(true) < $deadline; $i++) {
    $keep[] = signal_worker_grow($i);
    echo "tick $i\n";
    usleep(5000);
    if ($mode === 'pcntl_sync') {
        pcntl_signal_dispatch();
    }
}
echo 'stopped after ', $i, ' ticks, holding ', count($keep), "\n";
