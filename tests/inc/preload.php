<?php
/* Preloaded in test.sh's "preload" mode (opcache.preload): functions and a
 * class that live in opcache's shared memory for the whole process, as a
 * framework's would. Other modes include it like any file. */

function mp_preloaded_keep(int $n): string
{
    return str_repeat('p', $n);
}

class MpPreloaded
{
    public array $items = [];

    public function add(int $n): static
    {
        $this->items[] = str_repeat('q', $n);
        return $this;
    }

    public static function make(int $n): static
    {
        return (new static())->add($n);
    }
}
