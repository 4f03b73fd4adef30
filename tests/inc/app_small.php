<?php
/* A small app for the format tests: constructors and getters that only
 * call (no cost of their own), internal functions, an include, a closure. */
final class Repo
{
    private array $rows = [];

    public function __construct(private string $name)
    {
        $this->load(rt(40));
    }

    public function load(int $n): void
    {
        for ($i = 0; $i < $n; $i++) {
            $this->rows[] = explode(',', str_repeat("f$i,", rt(30)));
        }
    }

    public function rows(): array
    {
        return $this->rows;
    }
}

function app_report(Repo $r): string
{
    return implode(';', array_map(fn($row) => substr(implode('', $row), 0, rt(200)), $r->rows()));
}

function app_main(): array
{
    $env = getenv('MEMPROF_TEST_NEVER_SET') ?: 'x';
    $repo = new Repo($env);
    return [$repo, app_report($repo), str_repeat('s', rt(50000))];
}
