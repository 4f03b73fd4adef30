<?php

/*
 * memprof command: what every part shares: version, names of the pseudo-files, the
 * errors that end a command with one line on stderr.
 */

declare(strict_types=1);

namespace MemprofCli;

const VERSION = '0.1.0';
/** The checkout (or install) this command belongs to: lib/memprof/../.. */
const ROOT = __DIR__ . '/../..';
const INTERNAL_FILE = 'php:internal';
/** The file of "(engine)": memory allocated with no PHP code running. */
const ENGINE_FILE = 'php:engine';

/** An error the user has to read about: one line on stderr, exit 1. */
class Failure extends \RuntimeException
{
}

/** The command line was wrong: one line on stderr, exit 2. */
final class UsageError extends Failure
{
}

/** The input is not a profile we can read. */
final class FormatError extends Failure
{
}

/** What PHP said went wrong with the last call, as " (reason)", or ''. */
function lastError(): string
{
    $e = error_get_last();
    if ($e === null) {
        return '';
    }
    $msg = preg_replace('/^[a-z_]+\([^)]*\): /i', '', $e['message']);
    return ' (' . $msg . ')';
}
