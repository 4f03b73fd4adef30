<?php
/*
 * parser: nikic/php-parser (Debian package php-parser) parses a fixed, sorted
 * list of PHP files from /usr/share/php and KEEPS every AST, so hundreds of thousands of
 * small blocks (nodes, attribute arrays, strings) are live at the end.
 *
 * Needs the tokenizer extension (run.php passes -d extension=tokenizer).
 * BENCH_PARSER_ROOT overrides the source directory.
 */

declare(strict_types=1);

require __DIR__ . '/_common.php';

$autoload = '/usr/share/php/PhpParser/autoload.php';
if (!is_file($autoload)) {
    fwrite(STDERR, "parser: $autoload missing; install it: apt-get install -y php-parser\n");
    exit(3);
}
if (!function_exists('token_get_all')) {
    fwrite(STDERR, "parser: the tokenizer extension is not loaded (add -d extension=tokenizer)\n");
    exit(3);
}
require $autoload;

// Source bytes to parse, per size.
$capBytes = bench_param(['tiny' => 120_000, 'small' => 700_000, 'full' => 1_600_000]);
$maxFile = 150_000;
$root = getenv('BENCH_PARSER_ROOT') ?: '/usr/share/php';

// --- input: a deterministic file list (sorted by path), read into memory ---
$paths = [];
$it = new RecursiveIteratorIterator(
    new RecursiveDirectoryIterator($root, FilesystemIterator::SKIP_DOTS)
);
foreach ($it as $f) {
    /** @var SplFileInfo $f */
    if ($f->isFile() && substr($f->getFilename(), -4) === '.php' && $f->getSize() <= $maxFile) {
        $paths[] = $f->getPathname();
    }
}
unset($it, $f);
sort($paths, SORT_STRING);

$sources = [];
$total = 0;
foreach ($paths as $p) {
    if ($total >= $capBytes) {
        break;
    }
    $code = file_get_contents($p);
    if ($code === false) {
        continue;
    }
    $sources[$p] = $code;
    $total += strlen($code);
}
unset($paths);

// Class loading (autoloader, compiling PhpParser) stays inside the timed
// region: it is part of the real cost and the same in every mode.

// --- the measured work ---
$t0 = hrtime(true);
$parser = (new PhpParser\ParserFactory())->create(PhpParser\ParserFactory::PREFER_PHP7);
$asts = [];
$errors = 0;
$stmts = 0;
foreach ($sources as $p => $code) {
    try {
        $ast = $parser->parse($code);
        $asts[$p] = $ast;
        $stmts += count($ast ?? []);
    } catch (PhpParser\Error $e) {
        $errors++;
    }
}
$t1 = hrtime(true);

$check = sprintf('files=%d,bytes=%d,stmts=%d,errors=%d', count($sources), $total, $stmts, $errors);
bench_finish($t0, $t1, $check);
