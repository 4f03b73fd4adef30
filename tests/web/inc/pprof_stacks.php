<?php
/* Prints the samples of a pprof file, one per line, through `go tool pprof
 * -raw` (so the file is read by pprof itself, not by our own parser):
 *
 *   alloc_objects alloc_space inuse_objects inuse_space peak_objects peak_space<TAB>leaf;caller;...;main
 *
 * Exit status 1 (with the reason on stderr) if pprof cannot read the file.
 * Usage: php pprof_stacks.php FILE [GO]
 */
if ($argc < 2) {
    fwrite(STDERR, "usage: pprof_stacks.php FILE [GO]\n");
    exit(2);
}
$go = $argv[2] ?? 'go';
$cmd = escapeshellarg($go) . ' tool pprof -raw ' . escapeshellarg($argv[1]) . ' 2>&1';
exec($cmd, $out, $rc);
if ($rc !== 0) {
    fwrite(STDERR, "go tool pprof failed ($rc): " . implode("\n", array_slice($out, 0, 5)) . "\n");
    exit(1);
}
$section = '';
$samples = [];
$names = [];
foreach ($out as $line) {
    if (preg_match('/^(Samples|Locations|Mappings):?$/', $line, $m)) {
        $section = $m[1];
        continue;
    }
    if ($section === 'Samples') {
        // "    1  300033  1  300033  1  300033: 2 3 4 "
        if (preg_match('/^\s*([\d\s]+):\s*([\d\s]*)$/', $line, $m)) {
            $samples[] = [preg_split('/\s+/', trim($m[1])), preg_split('/\s+/', trim($m[2]))];
        }
    } elseif ($section === 'Locations') {
        // "     3: 0x3 M=1 memprof_web_marker /tmp/p.php:2 s=2"
        if (preg_match('/^\s*(\d+): 0x[0-9a-f]+ M=\d+ (.+) (\S+):(\d+) s=\d+$/', $line, $m)) {
            $names[$m[1]] = $m[2];
        }
    }
}
if (!$samples) {
    fwrite(STDERR, "no samples in pprof -raw output\n");
    exit(1);
}
foreach ($samples as [$values, $locs]) {
    $stack = [];
    foreach ($locs as $id) {
        $stack[] = $names[$id] ?? "?$id";
    }
    echo implode(' ', $values), "\t", implode(';', $stack), "\n";
}
