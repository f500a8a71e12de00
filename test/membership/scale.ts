// Membership at scale, as a script: `npx tsx test/membership/scale.ts [S ...]` runs the scale
// simulation (scale-sim.ts) for S = 25, 50, 100 and 200 members (or the sizes given) on a ring of
// 1024 partitions and prints a Markdown table for the README: gossip rounds until a change
// reaches every node (it grows like log S), a join's spread and completion, the ring's balance
// after it, and the membership bytes each node sends per round.

import { measureScale, scaleTable, type ScaleReport } from './scale-sim.js';

const sizes = process.argv.slice(2).map(Number).filter((size) => Number.isInteger(size) && size > 1);
const members = sizes.length > 0 ? sizes : [25, 50, 100, 200];
const reports: ScaleReport[] = [];
for (const size of members) {
  const started = performance.now();
  reports.push(await measureScale({ members: size, ringSize: 1024, trials: 10 }));
  console.error(`S=${size}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
console.log(scaleTable(reports));
