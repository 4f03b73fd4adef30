--TEST--
native: DOMDocument::loadXML of 20,000 elements holds megabytes of libxml2's malloc at the loadXML line, under a [native] libxml2 frame, until the document goes; an XMLReader loop leaves nothing; native bytes count in the totals too
--EXTENSIONS--
memprof
dom
xmlreader
--SKIPIF--
<?php require __DIR__ . '/inc/native.php'; if ($r = mp_native_skip_reason()) die("skip $r"); ?>
--ENV--
MEMPROF_PROFILE=native
--INI--
memprof.output_dir={TMP}
--FILE--
<?php
require __DIR__ . '/inc/native.php';

function build_xml(int $n): string {
    $parts = [];
    for ($i = 0; $i < $n; $i++) {
        $parts[] = "<item id=\"$i\">text $i</item>";
    }
    return '<root>' . implode('', $parts) . '</root>';
}

function load(string $xml): DOMDocument {
    $doc = new DOMDocument();
    $doc->loadXML($xml);
    return $doc;
}

function read_all(string $xml): int {
    $r = new XMLReader();
    $r->XML($xml);
    $n = 0;
    while ($r->read()) {
        if ($r->nodeType === XMLReader::ELEMENT) {
            $n++;
        }
    }
    $r->close();
    return $n;
}

$xml = build_xml(rt(20000));
$lib = mp_native_frame('libxml2.so');
echo "native flag: ", json_encode(memprof_enabled_flags()['native']), "\n";

$doc = load($xml);
$d = memprof_dump_array();
$at = mp_node($d, mp_main(), 'load', 'DOMDocument::loadXML');
$leaf = $at['called_functions'][$lib] ?? null;
echo "loadXML line: libxml2 holds ", $leaf && $leaf['memory_size'] >= 5e6 ? 'at least 5 MB' : json_encode($leaf), "\n";
echo "its native counters are its own: ", json_encode($leaf['native_memory_size'] === $leaf['memory_size']
    && $leaf['native_blocks_count'] === $leaf['blocks_count']), "\n";
echo "loadXML's inclusive native: ", json_encode($at['native_memory_size_inclusive'] === $leaf['memory_size']), "\n";
echo "a PHP frame has no native bytes of its own: ", json_encode($at['native_memory_size'] === 0), "\n";
echo "root totals include native: ", json_encode($d['memory_size_inclusive'] > $d['native_memory_size_inclusive'] + strlen($xml)
    && $d['native_memory_size_inclusive'] >= $leaf['memory_size']), "\n";
echo "peak at least in use: ", json_encode($leaf['peak_memory_size'] >= $leaf['memory_size']
    && $d['native_peak_memory_size_inclusive'] >= $leaf['memory_size']), "\n";
$held = $leaf['memory_size'];

unset($doc);
$d = memprof_dump_array();
$at = mp_node($d, mp_main(), 'load', 'DOMDocument::loadXML');
$left = $at['native_memory_size_inclusive'];
echo "after unset: ", $left < $held / 100 ? 'under 1% left' : "$left of $held left", ", allocated ",
    $at['native_alloc_memory_size_inclusive'] >= $held ? 'all of it still counted' : 'less', "\n";

$n = read_all($xml);
$d = memprof_dump_array();
$r = mp_node($d, mp_main(), 'read_all');
// the reader recycles its nodes: fewer blocks than elements
echo "XMLReader read $n elements: ", $r['native_alloc_blocks_count_inclusive'] >= 50 ? 'native blocks allocated' : $r['native_alloc_blocks_count_inclusive'],
    ", in use after: ", $r['native_memory_size_inclusive'] < 16384 ? 'under 16 KB' : $r['native_memory_size_inclusive'], "\n";
?>
--EXPECT--
native flag: true
loadXML line: libxml2 holds at least 5 MB
its native counters are its own: true
loadXML's inclusive native: true
a PHP frame has no native bytes of its own: true
root totals include native: true
peak at least in use: true
after unset: under 1% left, allocated all of it still counted
XMLReader read 20001 elements: native blocks allocated, in use after: under 16 KB
