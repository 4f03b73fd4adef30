<?php

/*
 * memprof command: analyses of a heap snapshot's graph, on plain int arrays
 * so that they stay fast on millions of nodes: dominators (Cooper, Harvey
 * and Kennedy's iterative algorithm over reverse postorder), retained
 * sizes, retained sizes of groups (a class, a site) without counting a
 * member twice, and shortest paths from the roots.
 */

declare(strict_types=1);

namespace MemprofCli;

final class HeapAnalysis
{
    /** @var list<int>|null per node: immediate dominator (the root's is itself) */
    private ?array $idom = null;
    /** @var list<int> nodes in postorder of a depth-first walk from the root */
    private array $post = [];
    /** @var list<int>|null */
    private ?array $retained = null;

    public function __construct(public HeapSnapshot $s)
    {
    }

    /** @return list<int> */
    public function idom(): array
    {
        if ($this->idom !== null) {
            return $this->idom;
        }
        $s = $this->s;
        $n = $s->nodeCount;
        $first = $s->col('first');
        $to = $s->col('to');

        // postorder numbers, iteratively: heaps are deep (linked lists);
        // -2: on the stack, not numbered yet
        $num = array_fill(0, $n, -1);
        $post = [];
        $stackNode = [0];
        $stackEdge = [$first[0]];
        $num[0] = -2;
        $top = 0;
        $count = 0;
        while ($top >= 0) {
            $v = $stackNode[$top];
            $ei = $stackEdge[$top];
            $end = $first[$v + 1];
            // skip what is already seen without going round the loop
            while ($ei < $end && $num[$to[$ei]] !== -1) {
                ++$ei;
            }
            if ($ei < $end) {
                $stackEdge[$top] = $ei + 1;
                $w = $to[$ei];
                $num[$w] = -2;
                ++$top;
                $stackNode[$top] = $w;
                $stackEdge[$top] = $first[$w];
            } else {
                $num[$v] = $count++;
                $post[] = $v;
                --$top;
            }
        }
        unset($stackNode, $stackEdge);

        // predecessors, as lists in one array
        $predStart = array_fill(0, $n + 1, 0);
        foreach ($to as $w) {
            ++$predStart[$w + 1];
        }
        for ($i = 0; $i < $n; $i++) {
            $predStart[$i + 1] += $predStart[$i];
        }
        $fill = $predStart;
        $pred = array_fill(0, \count($to), 0);
        for ($v = 0; $v < $n; $v++) {
            for ($ei = $first[$v], $end = $first[$v + 1]; $ei < $end; $ei++) {
                $pred[$fill[$to[$ei]]++] = $v;
            }
        }
        unset($fill);

        $idom = array_fill(0, $n, -1);
        $idom[0] = 0;
        $rpo = array_reverse($post);
        do {
            $changed = false;
            foreach ($rpo as $v) {
                if ($v === 0) {
                    continue;
                }
                $new = -1;
                for ($pi = $predStart[$v], $end = $predStart[$v + 1]; $pi < $end; $pi++) {
                    $p = $pred[$pi];
                    if ($idom[$p] === -1) {
                        continue;
                    }
                    if ($new === -1) {
                        $new = $p;
                        continue;
                    }
                    // intersect: walk the two up to their common dominator
                    $a = $p;
                    $b = $new;
                    while ($a !== $b) {
                        while ($num[$a] < $num[$b]) {
                            $a = $idom[$a];
                        }
                        while ($num[$b] < $num[$a]) {
                            $b = $idom[$b];
                        }
                    }
                    $new = $a;
                }
                if ($new !== -1 && $idom[$v] !== $new) {
                    $idom[$v] = $new;
                    $changed = true;
                }
            }
        } while ($changed);
        $this->post = $post;
        return $this->idom = $idom;
    }

    /** @return list<int> per node: its self size plus what it alone keeps alive */
    public function retained(): array
    {
        if ($this->retained !== null) {
            return $this->retained;
        }
        $idom = $this->idom();
        $ret = $this->s->col('size');
        // postorder: everything a node dominates comes before it
        foreach ($this->post as $v) {
            if ($v !== 0) {
                $ret[$idom[$v]] += $ret[$v];
            }
        }
        return $this->retained = $ret;
    }

    /** @return array{0: list<int>, 1: list<int>} dominator tree: children of node i are kids[start[i] .. start[i+1]-1] */
    public function domChildren(): array
    {
        $idom = $this->idom();
        $n = $this->s->nodeCount;
        $start = array_fill(0, $n + 1, 0);
        for ($v = 1; $v < $n; $v++) {
            if ($idom[$v] >= 0) {
                ++$start[$idom[$v] + 1];
            }
        }
        for ($i = 0; $i < $n; $i++) {
            $start[$i + 1] += $start[$i];
        }
        $fill = $start;
        $kids = $n > 1 ? array_fill(0, $start[$n], 0) : [];
        for ($v = 1; $v < $n; $v++) {
            if ($idom[$v] >= 0) {
                $kids[$fill[$idom[$v]]++] = $v;
            }
        }
        return [$start, $kids];
    }

    /**
     * What each group keeps alive: the retained sizes of its members that no
     * other member dominates (a list of 1000 nodes of one class counts once).
     *
     * @param list<int> $group per node: group id, or -1
     * @return array<int, int> group id => bytes
     */
    public function groupRetained(array $group): array
    {
        $ret = $this->retained();
        [$start, $kids] = $this->domChildren();
        $active = [];
        $sum = [];
        // depth first over the dominator tree: enter, then leave
        $stackNode = [0];
        $stackKid = [$start[0]];
        $top = 0;
        while ($top >= 0) {
            $v = $stackNode[$top];
            $k = $stackKid[$top];
            if ($k < $start[$v + 1]) {
                $stackKid[$top] = $k + 1;
                $w = $kids[$k];
                $g = $group[$w];
                if ($g >= 0) {
                    if (($active[$g] ?? 0) === 0) {
                        $sum[$g] = ($sum[$g] ?? 0) + $ret[$w];
                    }
                    $active[$g] = ($active[$g] ?? 0) + 1;
                }
                ++$top;
                $stackNode[$top] = $w;
                $stackKid[$top] = $start[$w];
            } else {
                $g = $group[$v];
                if ($v !== 0 && $g >= 0) {
                    --$active[$g];
                }
                --$top;
            }
        }
        return $sum;
    }

    /**
     * Shortest paths from the roots, breadth first.
     *
     * @return list<int> per node: the edge it was first reached by (-1 for the root)
     */
    public function parentEdges(): array
    {
        $s = $this->s;
        $n = $s->nodeCount;
        $first = $s->col('first');
        $to = $s->col('to');
        $via = array_fill(0, $n, -2);
        $via[0] = -1;
        $queue = [0];
        for ($q = 0; $q < \count($queue); $q++) {
            $v = $queue[$q];
            for ($ei = $first[$v], $end = $first[$v + 1]; $ei < $end; $ei++) {
                $w = $to[$ei];
                if ($via[$w] === -2) {
                    $via[$w] = $ei;
                    $queue[] = $w;
                }
            }
        }
        return $via;
    }

    /** @return list<int> per edge: the node it starts from */
    public function edgeFrom(): array
    {
        $first = $this->s->col('first');
        $from = [];
        for ($v = 0, $n = $this->s->nodeCount; $v < $n; $v++) {
            for ($ei = $first[$v], $end = $first[$v + 1]; $ei < $end; $ei++) {
                $from[] = $v;
            }
        }
        return $from;
    }
}
