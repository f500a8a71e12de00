// A put sent to a node outside the key's preference list is forwarded to a coordinator. When
// that coordinator may have applied it (it took the request but did not answer in time), the
// forwarder must not hand the put to another coordinator: two coordinators would each make a
// version of the one client write, and the client's next write, with the context it was
// answered, would supersede only one of them (the campaign saw the other come back as a
// "resurrected" value). When the request surely never arrived, the next coordinator takes it.
// Real DynamoNode instances in the simulator.

import { describe, expect, it } from 'vitest';
import type { DynamoNode } from '../../core/node/dynamo-node.js';
import type { Store } from '../../core/storage/store.js';
import { simNodes } from '../support/sim-nodes.js';

/** A store that calls `onPut` as each data write begins (once set). */
function watched(store: Store, watch: { onPut?: () => void }): Store {
  const data = Object.create(store.data) as Store['data'];
  data.put = (key, value) => {
    watch.onPut?.();
    return store.data.put(key, value);
  };
  return Object.assign(Object.create(store) as Store, { data });
}

async function cluster() {
  const disks = new Map<string, { onPut?: () => void }>();
  const sim = await simNodes({
    ids: ['n1', 'n2', 'n3', 'n4'],
    seed: 11,
    delayMs: 2,
    requestTimeoutMs: 100,
    wrapStore: (id, store) => {
      const watch = {};
      disks.set(id, watch);
      return watched(store, watch);
    },
  });
  const byId = (id: string): DynamoNode => sim.nodes.find((node) => node.admin.status().id === id)!;
  /** A key, its preference list and a node outside it. */
  const placed = () => {
    for (let i = 0; ; i++) {
      const key = `k${i}`;
      const { preference } = sim.nodes[0].admin.locate('b', key);
      const outsider = sim.nodes.find((node) => !preference.includes(node.admin.status().id));
      if (outsider !== undefined) return { key, preference, outsider };
    }
  };
  return { ...sim, disks, byId, placed };
}

const write = { context: { vv: {}, dots: [] }, value: new Uint8Array([7]), contentType: 'text/plain', deleted: false };

describe('a forwarded put', () => {
  it('is not handed to a second coordinator when the first may have applied it', async () => {
    const { network, disks, byId, placed, settle, stop } = await cluster();
    const { key, preference, outsider } = placed();
    // The first coordinator applies the put, but the link to the forwarder fails as it does:
    // its answer is lost and the forwarder times out.
    disks.get(preference[0])!.onPut = () => network.partition([outsider.admin.status().id], [preference[0]]);
    expect(await settle(outsider.put('b', key, write))).toMatchObject({ kind: 'quorum' });
    expect(outsider.admin.figures().requests.forwardedPuts).toBe(1);

    // Exactly one version of the write exists: the first coordinator's.
    disks.get(preference[0])!.onPut = undefined;
    network.heal();
    const result = await settle(byId(preference[1]).get('b', key, 3));
    expect(result.kind).toBe('ok');
    if (result.kind === 'ok') expect(result.state.siblings.map((s) => s.node)).toEqual([preference[0]]);
    await stop();
  });

  it('goes to the next coordinator when the first surely never got it', async () => {
    const { network, placed, settle, stop } = await cluster();
    const { key, preference, outsider } = placed();
    // The first coordinator is down: the request fails without reaching it.
    network.crash(preference[0]);
    const result = await settle(outsider.put('b', key, write));
    expect(result.kind).toBe('ok');
    if (result.kind === 'ok') expect(result.dot[0]).toBe(preference[1]);
    await stop();
  });
});
