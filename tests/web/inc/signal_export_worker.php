<?php
/* The dump signal arrives while memprof is itself exporting to a userspace
 * stream whose write() runs PHP code. The signal's dump must not nest inside
 * that export; it is written afterwards. Prints what happened.
 * argv[1]: the signal number to send to itself (SIGUSR2). */
$signo = (int) ($argv[1] ?? 12);

function kill_self(int $signo): void
{
    // no posix extension under -n: kill(1), waited for, so the signal has
    // been delivered when this returns
    $p = proc_open(['kill', "-$signo", (string) getmypid()], [], $pipes);
    proc_close($p);
}

class SlowSink
{
    public $context;
    public static string $data = '';
    public static int $writes = 0;
    public static int $filesDuringExport = -1;

    public function stream_open($path, $mode, $options, &$opened): bool { return true; }

    public function stream_write(string $d): int
    {
        if (self::$writes++ === 0) {
            kill_self($GLOBALS['signo']);
            // plenty of safe points while the export is still running
            for ($i = 0; $i < 2000; $i++) {
                $x = str_repeat('u', 10);
            }
            self::$filesDuringExport = count(glob(ini_get('memprof.output_dir') . '/memprof.*'));
        }
        self::$data .= $d;
        return strlen($d);
    }

    public function stream_flush(): bool { return true; }
    public function stream_close(): void {}
}

function export_worker_keep(): string { return str_repeat('k', 77777); }

stream_wrapper_register('slowsink', 'SlowSink');
$k = export_worker_keep();
$f = fopen('slowsink://x', 'w');
memprof_dump_folded($f);
fclose($f);
echo "export complete: ", str_contains(SlowSink::$data, 'export_worker_keep') && str_ends_with(SlowSink::$data, "\n") ? 'yes' : 'no', "\n";
echo "profiles written during the export: ", SlowSink::$filesDuringExport, "\n";
// safe points after the export
for ($i = 0; $i < 1000; $i++) {
    $y = $i;
}
$after = count(glob(ini_get('memprof.output_dir') . '/memprof.*'));
// a second signal: one more profile
kill_self($signo);
for ($i = 0; $i < 1000; $i++) {
    $y = $i;
}
echo "profiles right after the export: $after\n";
echo "profiles after a second signal: ", count(glob(ini_get('memprof.output_dir') . '/memprof.*')), "\n";
