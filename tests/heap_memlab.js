// Retained sizes that memlab computes for a .heapsnapshot, per class: the
// retained sizes of a class's instances that no other instance of the class
// dominates (as `memprof heap summary` counts them). Used by heap_memlab.phpt.
//   node tests/heap_memlab.js NPM_DIR FILE.heapsnapshot CLASS...
const path = require('path');
const core = require(path.join(process.argv[2], 'node_modules/@memlab/core'));
(async () => {
  const snap = await core.utils.getSnapshotFromFile(process.argv[3], {});
  new core.TraceFinder().calculateAllNodesRetainedSizes(snap);
  const want = new Set(process.argv.slice(4));
  const out = {};
  snap.nodes.forEach(n => {
    if (!want.has(n.name)) return;
    for (let d = n.dominatorNode; d && d.id !== n.id; d = d.dominatorNode) {
      if (d.name === n.name) return;
      if (d.dominatorNode === d || d.nodeIndex === 0) break;
    }
    out[n.name] = (out[n.name] || 0) + n.retainedSize;
  });
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch(e => { console.error(String(e)); process.exit(1); });
