<?php

/*
 * memprof command: reading native heap snapshots (.phpheap, README.md
 * "Heap snapshots"): each column one JSON array of integers, taken with one
 * json_decode() (the fastest way PHP has to make an int array of millions),
 * names split with one explode(). Columns are read when first asked for, so
 * a command pays only for what it uses.
 */

declare(strict_types=1);

namespace MemprofCli;

final class HeapSnapshot
{
    public const KIND_ROOT = 0;
    public const KIND_FRAME = 1;
    public const KIND_OBJECT = 2;
    public const KIND_ARRAY = 3;
    public const KIND_STRING = 4;
    public const KIND_REFERENCE = 5;

    public const EDGE_VAR = 0;
    public const EDGE_PROP = 1;
    public const EDGE_INDEX = 2;
    public const EDGE_KEY = 3;
    public const EDGE_INTERNAL = 4;


    /** @var array<string, string> */
    public array $meta = [];
    /** @var list<string> */
    public array $strings = [];
    public int $nodeCount = 0;
    public int $edgeCount = 0;
    /** @var list<int> per site: parent site (-1 at the top), function and file (string ids), line */
    public array $siteParent = [];
    public array $siteFn = [];
    public array $siteFile = [];
    public array $siteLine = [];
    /** @var list<array{0: int, 1: int, 2: int}> site, bytes, blocks */
    public array $unreached = [];

    private string $data = '';
    /** @var array<string, array{0: int, 1: int, 2: int, 3: string}> column => offset, length, count, tag */
    private array $columns = [];
    /** @var array<string, list<int>> */
    private array $cache = [];

    public function __construct(public string $path)
    {
    }

    public static function load(string $path): self
    {
        if (!file_exists($path)) {
            throw new Failure("$path: no such file");
        }
        if (is_dir($path)) {
            throw new Failure("$path: is a directory, not a heap snapshot");
        }
        $data = @file_get_contents($path);
        if ($data === false) {
            throw new Failure("$path: cannot read the file" . lastError());
        }
        if (!str_starts_with($data, 'MPHEAP02')) {
            $what = str_starts_with($data, '{') ? ' (a JSON snapshot: dump with format native for these commands)' : '';
            throw new FormatError("$path: not a memprof heap snapshot$what");
        }
        $s = new self($path);
        $s->data = $data;
        $s->parse();
        return $s;
    }

    private function parse(): void
    {
        $d = $this->data;
        $len = \strlen($d);
        $pos = 8;
        $tags = ['KIND' => 'kind', 'NAME' => 'name', 'SIZE' => 'size', 'SITE' => 'site', 'RCNT' => 'refcount',
            'HNDL' => 'handle', 'FRST' => 'first', 'ETGT' => 'to', 'EKND' => 'edgeKind', 'ENAM' => 'edgeName'];
        $sites = false;
        while (true) {
            if ($pos + 16 > $len) {
                throw new FormatError("{$this->path}: truncated heap snapshot (no END section)");
            }
            $tag = substr($d, $pos, 4);
            ['c' => $count, 'l' => $bytes] = unpack('Vc/Pl', $d, $pos + 4);
            $pos += 16;
            if ($bytes < 0 || $pos + $bytes > $len) {
                throw new FormatError("{$this->path}: truncated heap snapshot (section " . rtrim($tag, "\0") . ')');
            }
            if ($tag === 'SITE' && !$sites) {
                // the first SITE is the sites table, the second the nodes' sites
                $sites = true;
                $v = $this->json($pos, $bytes, $count * 4, 'SITE');
                for ($i = 0, $k = 0; $i < $count; $i++, $k += 4) {
                    $this->siteParent[] = $v[$k];
                    $this->siteFn[] = $v[$k + 1];
                    $this->siteFile[] = $v[$k + 2];
                    $this->siteLine[] = $v[$k + 3];
                }
            } elseif (isset($tags[$tag])) {
                $this->columns[$tags[$tag]] = [$pos, $bytes, $count, $tag];
            } elseif ($tag === 'META') {
                foreach (explode("\n", rtrim(substr($d, $pos, $bytes), "\n")) as $line) {
                    [$k, $v] = explode('=', $line, 2) + [1 => ''];
                    $this->meta[$k] = $v;
                }
            } elseif ($tag === 'STRS') {
                $this->strings = $count ? explode("\0", substr($d, $pos, $bytes)) : [];
            } elseif ($tag === 'UNRE') {
                $v = $this->json($pos, $bytes, $count * 3, 'UNRE');
                for ($i = 0; $i < $count; $i++) {
                    $this->unreached[] = [$v[3 * $i], $v[3 * $i + 1], $v[3 * $i + 2]];
                }
            } elseif ($tag === "END\0") {
                foreach ($tags as $t => $c) {
                    if (!isset($this->columns[$c])) {
                        throw new FormatError("{$this->path}: heap snapshot without its $t section");
                    }
                }
                $this->nodeCount = $this->columns['kind'][2];
                $this->edgeCount = $this->columns['to'][2];
                return;
            }
            $pos += $bytes;
        }
    }

    /** @return list<int> */
    private function json(int $pos, int $bytes, int $count, string $tag): array
    {
        $v = json_decode(substr($this->data, $pos, $bytes), false, 2);
        if (!\is_array($v) || \count($v) !== $count) {
            throw new FormatError("{$this->path}: damaged heap snapshot (section $tag)");
        }
        return $v;
    }

    /** @return list<int> a node or edge column */
    public function col(string $name): array
    {
        if (!isset($this->cache[$name])) {
            [$pos, $bytes, $count, $tag] = $this->columns[$name];
            $this->cache[$name] = $this->json($pos, $bytes, $count, $tag);
        }
        return $this->cache[$name];
    }

    public function hasSites(): bool
    {
        return ($this->meta['sites'] ?? '0') === '1';
    }

    public function nodeName(int $i): string
    {
        return $this->strings[$this->col('name')[$i]] ?? '?';
    }

    /** A node's label in reports: its class, "array", "string", or a root's name. */
    public function label(int $i): string
    {
        return $this->nodeName($i);
    }

    /** How edge e names what it holds, in meminfo's notation, after a holder of kind $holderKind. */
    public function edgeStep(int $e, int $holderKind, bool $shape = false): string
    {
        $kind = $this->col('edgeKind')[$e];
        $name = $this->col('edgeName')[$e];
        switch ($kind) {
            case self::EDGE_VAR:
                // a closure's bound variables and $this, a generator's or fiber's locals
                $var = $this->strings[$name] ?? '?';
                return $holderKind >= self::KIND_OBJECT ? "->$var" : $var;
            case self::EDGE_PROP:
                return '->' . ($this->strings[$name] ?? '?');
            case self::EDGE_INDEX:
                if ($holderKind === self::KIND_ROOT || $holderKind === self::KIND_FRAME) {
                    return "#$name";
                }
                return $shape ? '[*]' : "[$name]";
            case self::EDGE_KEY:
                return $shape ? '[*]' : '[' . json_encode($this->strings[$name] ?? '', JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE) . ']';
            default:
                if ($holderKind === self::KIND_REFERENCE) {
                    return '';
                }
                if ($holderKind === self::KIND_ROOT || $holderKind === self::KIND_FRAME) {
                    return $holderKind === self::KIND_FRAME ? "(arg #$name)" : '';
                }
                return "->{#$name}";
        }
    }

    /**
     * A site for reports: "file.php:LINE function", at the first user-code
     * frame (an internal function is shown at the line that called it).
     */
    public function siteLabel(int $site): string
    {
        if ($site < 0) {
            return '(no site: allocated before profiling, or profiling off)';
        }
        $via = null;
        $k = $site;
        while ($k >= 0 && str_starts_with($this->strings[$this->siteFile[$k]], 'php:') && $this->siteParent[$k] >= 0) {
            $via ??= $this->strings[$this->siteFn[$k]];
            $k = $this->siteParent[$k];
        }
        $file = $this->strings[$this->siteFile[$k]];
        $fn = displayName($this->strings[$this->siteFn[$k]]);
        $where = str_starts_with($file, 'php:') ? $file : displayPath($file) . ':' . $this->siteLine[$k];
        return "$where  $fn" . ($via !== null ? " (via $via)" : '');
    }

    /** A site's call path, outermost first: "main x.php:80 > Foo::bar:12 > str_repeat". */
    public function sitePath(int $site): string
    {
        $frames = [];
        for ($k = $site; $k >= 0; $k = $this->siteParent[$k]) {
            $file = $this->strings[$this->siteFile[$k]];
            $fn = displayName($this->strings[$this->siteFn[$k]]);
            $frames[] = str_starts_with($file, 'php:') ? $fn : "$fn:" . $this->siteLine[$k];
        }
        return implode(' > ', array_reverse($frames));
    }
}
