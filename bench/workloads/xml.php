<?php
/*
 * xml: what a feed importer does, where most memory is libxml2's (malloc,
 * outside the Zend heap): DOMDocument parses a generated catalogue, XPath
 * queries it, the code edits and serialises it, and XMLReader streams the
 * same document again. Keeps the last few documents alive, so native blocks
 * stay live while others come and go. Measures what native tracking
 * (MEMPROF_PROFILE=native) costs where it matters; needs dom and xmlreader.
 */

declare(strict_types=1);

require __DIR__ . '/_common.php';

$docs = bench_param(['tiny' => 3, 'small' => 10, 'full' => 30]);
$items = 2000;

/** A deterministic catalogue of $n items; $seed varies the content. */
function catalogue(int $n, int $seed): string
{
    $parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<catalogue batch=\"$seed\">"];
    for ($i = 0; $i < $n; $i++) {
        $id = $seed * 100000 + $i;
        $price = number_format((($i * 7919 + $seed) % 100000) / 100, 2, '.', '');
        $parts[] = "<item id=\"$id\" category=\"c" . ($i % 17) . "\">"
            . "<name>Item $id &amp; co</name><price currency=\"EUR\">$price</price>"
            . '<tags>' . str_repeat('<tag>t' . ($i % 5) . '</tag>', 1 + $i % 4) . '</tags>'
            . '<description><![CDATA[' . str_repeat('lorem ipsum ', 2 + $i % 6) . ']]></description>'
            . '</item>';
    }
    $parts[] = '</catalogue>';
    return implode("\n", $parts);
}

$inputs = [];
for ($d = 0; $d < $docs; $d++) {
    $inputs[] = catalogue($items, $d);
}

// --- the measured work ---
$t0 = hrtime(true);
$keep = [];
$acc = 0;
foreach ($inputs as $d => $xml) {
    $doc = new DOMDocument();
    $doc->loadXML($xml);
    $xp = new DOMXPath($doc);
    $acc += $xp->query('//item[@category="c3"]')->length;
    foreach ($xp->query('//item/price') as $p) {
        if ((float) $p->textContent > 500) {
            $p->setAttribute('expensive', '1');
        }
    }
    $summary = $doc->createElement('summary', "batch $d");
    $doc->documentElement->appendChild($summary);
    $acc += strlen($doc->saveXML());

    $r = new XMLReader();
    $r->XML($xml);
    while ($r->read()) {
        if ($r->nodeType === XMLReader::ELEMENT && $r->name === 'price') {
            $acc += (int) $r->readString();
        }
    }
    $r->close();

    $keep[$d % 4] = $doc; // the last four documents stay
    unset($doc, $xp, $r, $summary);
}
$t1 = hrtime(true);

bench_finish($t0, $t1, sprintf('%d-%d', $acc, count($keep)));
