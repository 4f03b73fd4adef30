<?php
/*
 * markdown: league/commonmark (Debian package php-league-commonmark) renders a
 * large, deterministically generated GitHub-flavoured Markdown document
 * (headings, paragraphs with emphasis / links / inline code, nested and task
 * lists, fenced code, block quotes, tables, strikethrough, autolinks).
 * The rendered result (HTML and document tree) is kept live until the end.
 *
 * Needs mbstring (run.php passes -d extension=mbstring -d extension=ctype -d extension=iconv).
 */

declare(strict_types=1);

require __DIR__ . '/_common.php';

$autoload = '/usr/share/php/League/CommonMark/autoload.php';
if (!is_file($autoload)) {
    fwrite(STDERR, "markdown: $autoload missing; install it: apt-get install -y php-league-commonmark\n");
    exit(3);
}
if (!function_exists('mb_strlen')) {
    fwrite(STDERR, "markdown: the mbstring extension is not loaded (add -d extension=mbstring)\n");
    exit(3);
}
require $autoload;

// Number of generated sections, per size.
$sections = bench_param(['tiny' => 15, 'small' => 100, 'full' => 300]);

// --- input: deterministic generator (own LCG; independent of PHP's RNG) ---
final class Gen
{
    private int $state;
    private const WORDS = [
        'memory', 'profile', 'allocation', 'block', 'stack', 'frame', 'engine', 'zend',
        'request', 'array', 'string', 'object', 'closure', 'parser', 'render', 'node',
        'tree', 'leaf', 'branch', 'counter', 'peak', 'inline', 'cache', 'hash', 'map',
        'value', 'pointer', 'buffer', 'stream', 'export', 'folded', 'callgrind', 'pprof',
        'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit',
        'sed', 'do', 'eiusmod', 'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore',
    ];

    public function __construct(int $seed)
    {
        $this->state = $seed;
    }

    public function int(int $n): int
    {
        // 31-bit LCG (glibc constants); plenty for picking words.
        $this->state = ($this->state * 1103515245 + 12345) & 0x7fffffff;
        return ($this->state >> 8) % $n;
    }

    public function word(): string
    {
        return self::WORDS[$this->int(count(self::WORDS))];
    }

    public function words(int $min, int $max): string
    {
        $n = $min + $this->int($max - $min + 1);
        $w = [];
        for ($i = 0; $i < $n; $i++) {
            $w[] = $this->word();
        }
        return implode(' ', $w);
    }

    /** A sentence with a sprinkling of inline markup. */
    public function inline(): string
    {
        $parts = [];
        $n = 4 + $this->int(6);
        for ($i = 0; $i < $n; $i++) {
            switch ($this->int(12)) {
                case 0: $parts[] = '*' . $this->words(1, 3) . '*'; break;
                case 1: $parts[] = '**' . $this->words(1, 2) . '**'; break;
                case 2: $parts[] = '`' . $this->word() . '_' . $this->int(1000) . '()`'; break;
                case 3: $parts[] = '[' . $this->words(1, 3) . '](https://example.org/' . $this->word() . '/' . $this->int(10000) . ')'; break;
                case 4: $parts[] = '~~' . $this->word() . '~~'; break;
                case 5: $parts[] = 'https://www.example.com/' . $this->word() . '?q=' . $this->int(99); break;
                case 6: $parts[] = '_' . $this->words(1, 2) . '_'; break;
                default: $parts[] = $this->words(2, 6);
            }
        }
        return ucfirst(implode(' ', $parts)) . '.';
    }
}

$g = new Gen(20240229);
$md = [];
for ($s = 1; $s <= $sections; $s++) {
    $md[] = '## Section ' . $s . ': ' . $g->words(2, 5);
    $md[] = '';
    for ($p = 0, $np = 2 + $g->int(3); $p < $np; $p++) {
        $md[] = $g->inline() . ' ' . $g->inline();
        $md[] = $g->inline();
        $md[] = '';
    }
    $md[] = '### Details ' . $s;
    $md[] = '';
    for ($i = 0, $ni = 3 + $g->int(5); $i < $ni; $i++) {
        $md[] = '- ' . $g->inline();
        if ($g->int(3) === 0) {
            $md[] = '  1. ' . $g->inline();
            $md[] = '  2. ' . $g->inline();
        }
    }
    $md[] = '';
    $md[] = '- [x] ' . $g->words(2, 4);
    $md[] = '- [ ] ' . $g->words(2, 4);
    $md[] = '';
    if ($g->int(2) === 0) {
        $md[] = '```php';
        for ($i = 0, $nl = 4 + $g->int(8); $i < $nl; $i++) {
            $md[] = '$' . $g->word() . ' = ' . $g->word() . '_' . $g->int(100) . '($' . $g->word() . ', ' . $g->int(1000) . ');';
        }
        $md[] = '```';
        $md[] = '';
    }
    if ($g->int(3) === 0) {
        $md[] = '> ' . $g->inline();
        $md[] = '> ' . $g->inline();
        $md[] = '';
    }
    $md[] = '| name | size | note |';
    $md[] = '|:-----|-----:|------|';
    for ($i = 0, $nr = 3 + $g->int(6); $i < $nr; $i++) {
        $md[] = '| `' . $g->word() . '` | ' . $g->int(100000) . ' | ' . $g->words(1, 4) . ' *' . $g->word() . '* |';
    }
    $md[] = '';
}
$markdown = implode("\n", $md) . "\n";
unset($md, $g);

// --- the measured work ---
$t0 = hrtime(true);
$converter = new League\CommonMark\GithubFlavoredMarkdownConverter([
    'html_input' => 'escape',
    'allow_unsafe_links' => false,
]);
$result = $converter->convert($markdown);
$html = $result->getContent();
$t1 = hrtime(true);

$check = sprintf('md_bytes=%d,html_bytes=%d,crc=%08x', strlen($markdown), strlen($html), crc32($html));
bench_finish($t0, $t1, $check);
// keep $result (document tree) and $html live until here
$keep = [$result, $html];
