/**
 * The tree views' rows, built from protocol bodies without VS Code: labels, nesting, paging of
 * big working sets, and ids that stay the same from one stop to the next (what keeps rows
 * expanded in VS Code). The last suite builds every view from a real adapter session.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { AddressSpaceBody, FaultLogBody, PageWalkBody, PhysicalMemoryBody, VadNode, WorkingSetBody, WorkingSetEntry } from '../../src/adapter/protocol';
import { CustomRequest } from '../../src/adapter/protocol';
import { buildAddressSpace, protectionWord, vadLabel } from '../../src/extension/views/addressSpace';
import { buildFaultLog } from '../../src/extension/views/faultLog';
import { count, pagesToSize, type ViewNode, type ViewResult } from '../../src/extension/views/model';
import { buildPageWalk, hoveredAddress, parseAddressInput, validateAddressInput } from '../../src/extension/views/pageWalk';
import { buildPhysicalMemory } from '../../src/extension/views/physicalMemory';
import { VIEW_SPEC_IDS, loadAllViews } from './viewHelpers';
import { buildWorkingSet } from '../../src/extension/views/workingSet';
import { InProcessClient } from '../adapter/inProcessClient';

function ids(nodes: ViewNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.id);
    if (n.children) ids(n.children, out);
  }
  return out;
}

function assertUniqueIds(r: ViewResult): void {
  const all = ids(r.nodes);
  assert.equal(new Set(all).size, all.length, `duplicate ids: ${all.filter((x, i) => all.indexOf(x) !== i).join(', ')}`);
}

const vad = (start: string, end: string, level: number, extra: Partial<VadNode> = {}): VadNode => ({ start, end, protection: 'ReadWrite', commit: 16, kind: 'private', memCommit: true, level, ...extra });

describe('extension views: model helpers', () => {
  it('formats counts and sizes', () => {
    assert.equal(count(131072), '131,072');
    assert.equal(count(999), '999');
    assert.equal(pagesToSize(16), '64 KB');
    assert.equal(pagesToSize(131072), '512 MB');
    assert.equal(pagesToSize(393198), '1.5 GB');
  });
});

describe('extension views: Address Space', () => {
  it('labels a VAD as start-end, kind, protection and commit', () => {
    assert.equal(vadLabel(vad('0x10000', '0x1ffff', 0)), '0x10000-0x1ffff Private READWRITE commit 16');
    assert.equal(protectionWord('ExecuteRead'), 'EXECUTE_READ');
    assert.equal(protectionWord('GuardReadWrite'), 'GUARD READWRITE');
    assert.equal(protectionWord('NoAccess'), 'NO_ACCESS');
    assert.equal(protectionWord('Something'), 'SOMETHING');
  });

  const tree: AddressSpaceBody = {
    process: { index: 1, pid: 256, name: 'main' },
    processes: [{ index: 1, pid: 256, name: 'main', current: true }],
    root: { ...vad('0x30000', '0x3ffff', 0), left: vad('0x10000', '0x1ffff', 1), right: { ...vad('0x50000', '0x5ffff', 1, { kind: 'mapped', protection: 'ReadOnly', commit: 0 }), right: vad('0x70000', '0x7ffff', 2) } },
    count: 4,
  };

  it('nests the AVL tree: root, then left and right children, with the level in the description', () => {
    const r = buildAddressSpace(tree);
    assert.equal(r.nodes.length, 1);
    const root = r.nodes[0]!;
    assert.equal(root.id, 'vad:1:0x30000');
    assert.match(root.description!, /^level 0/);
    assert.deepEqual(root.children!.map((c) => [c.label, c.description]), [
      ['0x10000-0x1ffff Private READWRITE commit 16', 'level 1 · left'],
      ['0x50000-0x5ffff Mapped READONLY commit 0', 'level 1 · right'],
    ]);
    assert.equal(root.children![1]!.children![0]!.description, 'level 2 · right');
    assert.equal(root.address, '0x30000', 'selecting a VAD walks its first page');
    assert.equal(r.description, 'main (pid 256) · 4 VADs');
    assertUniqueIds(r);
  });

  it('says so when there are no VADs', () => {
    const r = buildAddressSpace({ ...tree, root: undefined, count: 0 });
    assert.deepEqual(r.nodes, []);
    assert.match(r.message!, /No VADs/);
  });

  it('shows one top row per process when there are several: the current one expanded, the others loaded on demand', async () => {
    const body: AddressSpaceBody = { ...tree, processes: [...tree.processes, { index: 2, pid: 260, name: 'other', current: false }] };
    const asked: number[] = [];
    const r = buildAddressSpace(body, async (i) => {
      asked.push(i);
      return [{ id: `vad:${i}:0x10000`, label: 'x' }];
    });
    assert.deepEqual(r.nodes.map((n) => [n.id, n.label, n.expanded]), [
      ['process:1', 'main (pid 256)', true],
      ['process:2', 'other (pid 260)', false],
    ]);
    assert.equal(r.nodes[0]!.children![0]!.id, 'vad:1:0x30000');
    assert.equal(r.nodes[1]!.children, undefined);
    assert.deepEqual((await r.nodes[1]!.load!()).map((n) => n.id), ['vad:2:0x10000']);
    assert.deepEqual(asked, [2]);
  });
});

describe('extension views: Working Set', () => {
  const entry = (i: number, extra: Partial<WorkingSetEntry> = {}): WorkingSetEntry => ({ index: i, va: `0x${(0x10000 + i * 0x1000).toString(16)}`, age: i % 4, kind: 'data', locked: false, ...extra });
  const body = (n: number, extra: Partial<WorkingSetBody> = {}): WorkingSetBody => ({ size: n, peak: n + 3, minimum: 50, maximum: 345, entries: Array.from({ length: n }, (_, i) => entry(i)), truncated: false, ...extra });

  it('has a header with size, peak, minimum and maximum, then one row per entry', () => {
    const r = buildWorkingSet({ ...body(3), entries: [entry(0, { kind: 'pagingStructure', va: '0xfffff6fb7dbed000' }), entry(1, { locked: true }), entry(2, { age: 3 })] });
    assert.equal(r.nodes[0]!.label, 'Size 3 pages (12 KB)');
    assert.equal(r.nodes[0]!.description, 'peak 6 · min 50 · max 345');
    assert.deepEqual(r.nodes.slice(1).map((n) => [n.label, n.description]), [
      ['[0] 0xfffff6fb7dbed000', 'page table · age 0'],
      ['[1] 0x11000', 'data · age 1 · locked'],
      ['[2] 0x12000', 'data · age 3'],
    ]);
    assert.equal(r.nodes[1]!.address, undefined, 'page-table pages are not user addresses to walk');
    assert.equal(r.nodes[2]!.address, '0x11000');
    assert.equal(r.nodes[2]!.icon!.id, 'lock');
  });

  it('pages big working sets in folders of 500 entries', () => {
    const r = buildWorkingSet(body(1234));
    assert.deepEqual(r.nodes.slice(1).map((n) => [n.id, n.label, n.children!.length, n.expanded]), [
      ['ws:group:0', 'entries 0-499', 500, false],
      ['ws:group:1', 'entries 500-999', 500, false],
      ['ws:group:2', 'entries 1000-1233', 234, false],
    ]);
    assertUniqueIds(r);
  });

  it('keeps an entry\'s id when its position changes (ids come from the VA)', () => {
    const a = buildWorkingSet(body(3));
    const b = buildWorkingSet({ ...body(3), entries: [entry(0), entry(2, { index: 1 })] });
    assert.equal(a.nodes[3]!.id, b.nodes[2]!.id);
  });

  it('says when the list was cut short', () => {
    const r = buildWorkingSet(body(2, { truncated: true }));
    assert.match(r.nodes.at(-1)!.label, /only the first 2 entries/);
  });
});

describe('extension views: Physical Memory', () => {
  const body: PhysicalMemoryBody = {
    totalPages: 131072,
    lists: [
      { name: 'Zeroed', count: 131044 },
      { name: 'Standby', count: 8, children: Array.from({ length: 8 }, (_, p) => ({ name: `priority ${p}`, count: p === 5 ? 8 : 0 })) },
      { name: 'Active', count: 20 },
    ],
    available: 131052,
    commit: { charge: 19, limit: 393198, peak: 21 },
  };
  it('lists the page lists with counts, Standby expanded into its eight priorities', () => {
    const r = buildPhysicalMemory(body);
    assert.deepEqual(r.nodes.map((n) => n.id), ['list:Zeroed', 'list:Standby', 'list:Active', 'available', 'commit']);
    assert.equal(r.nodes[0]!.description, '131,044 pages · 511.9 MB · 100.0%');
    const standby = r.nodes[1]!;
    assert.equal(standby.expanded, true);
    assert.equal(standby.children!.length, 8);
    assert.deepEqual([standby.children![5]!.label, standby.children![5]!.description], ['priority 5', '8 pages']);
    assert.equal(r.nodes[3]!.description, '131,052 pages · 511.9 MB');
    assert.equal(r.nodes[4]!.description, '19 / 393,198 pages · <0.1%');
    assert.deepEqual(r.nodes[4]!.children!.map((c) => c.label), ['charge', 'limit', 'peak']);
    assert.equal(r.description, '512 MB RAM');
    assertUniqueIds(r);
  });
});

describe('extension views: Page Walk', () => {
  const level = (name: string, kind: string, summary: string, fields: Record<string, string> = {}) => ({ level: name, address: '0xfffff6fb7dbed000', raw: '0x867', kind, summary, fields });
  const base: PageWalkBody = {
    address: '0x10000',
    resident: true,
    physicalAddress: '0x4a000',
    indexes: { pml4: 0, pdpt: 0, pd: 0, pt: 16, offset: 0 },
    levels: [level('PXE', 'valid', 'v1', { pfn: '0x47' }), level('PPE', 'valid', 'v2'), level('PDE', 'valid', 'v3'), level('PTE', 'valid', 'v4', { pfn: '0x4a', nx: 'true' })],
  };

  it('splits the VA into its indexes, shows each level and the physical address', () => {
    const r = buildPageWalk(base);
    assert.deepEqual(r.nodes.map((n) => n.label), ['VA 0x10000', 'PXE [0]', 'PPE [0]', 'PDE [0]', 'PTE [16]', 'PA 0x4a000']);
    assert.equal(r.nodes[0]!.description, 'PML4 0 · PDPT 0 · PD 0 · PT 16 · offset 0x0');
    assert.deepEqual(r.nodes[4]!.children!.map((c) => `${c.label}=${c.description}`), ['entry address=0xfffff6fb7dbed000', 'raw=0x867', 'kind=valid', 'pfn=0x4a', 'nx=true']);
    assert.equal(r.nodes[4]!.description, 'v4');
    assert.equal(r.description, '0x10000 → 0x4a000');
    assertUniqueIds(r);
  });

  it('says why a page is not resident, and marks levels that are not there', () => {
    const r = buildPageWalk({ ...base, resident: false, physicalAddress: undefined, reason: 'PDE: no VAD', levels: [...base.levels.slice(0, 3), level('PTE', 'absent', 'absent (the table above entry is not valid)')] });
    const last = r.nodes.at(-1)!;
    assert.deepEqual([last.label, last.description], ['not resident', 'PDE: no VAD']);
    assert.deepEqual(r.nodes[4]!.children!.map((c) => c.label), ['not there']);
  });

  it('keeps the level rows\' ids whatever the address (so what is expanded stays expanded)', () => {
    const a = ids(buildPageWalk(base).nodes);
    const b = ids(buildPageWalk({ ...base, address: '0x20000', indexes: { ...base.indexes, pt: 32 } }).nodes);
    assert.deepEqual(a, b);
  });

  it('takes the address of a hovered variable from its memory reference', () => {
    assert.equal(hoveredAddress('va:1:0x10000'), '0x10000');
    assert.equal(hoveredAddress('va:2:0x0001F000'), '0x1f000');
    assert.equal(hoveredAddress('pa:0x4a000'), undefined, 'physical references are not walked');
    assert.equal(hoveredAddress(undefined), undefined);
  });

  it('parses addresses the way users type them', () => {
    assert.equal(parseAddressInput('0x10000'), '0x10000');
    assert.equal(parseAddressInput(' 0x7ff`fffe0000 '), '0x7fffffe0000');
    assert.equal(parseAddressInput('65536'), '0x10000');
    assert.equal(parseAddressInput('1f0000'), '0x1f0000');
    assert.equal(parseAddressInput('p'), undefined);
    assert.equal(validateAddressInput('0x10000'), undefined);
    assert.match(validateAddressInput('zz')!, /virtual address/);
    assert.match(validateAddressInput('0xfffff68000000000')!, /user-mode/);
  });
});

describe('extension views: Fault Log', () => {
  const body: FaultLogBody = {
    faults: [
      { seq: 138, process: 'main (256)', address: '0x10000', access: 'read', kind: 'demand-zero', status: 'STATUS_PAGE_FAULT_DEMAND_ZERO', resolution: 'resolved' },
      { seq: 170, process: 'main (256)', address: '0x11000', access: 'write', kind: 'access violation', status: 'STATUS_ACCESS_VIOLATION', resolution: 'raised STATUS_ACCESS_VIOLATION' },
    ],
  };
  it('lists every fault, newest first, with kind, address, access and resolution', () => {
    const r = buildFaultLog(body);
    assert.deepEqual(r.nodes.map((n) => [n.id, n.label, n.description]), [
      ['fault:170', '0x11000 write', 'access violation · raised STATUS_ACCESS_VIOLATION'],
      ['fault:138', '0x10000 read', 'demand-zero · resolved'],
    ]);
    assert.equal(r.description, '2 faults');
    assertUniqueIds(r);
  });
  it('selecting a fault (or one of its details) names its address and explains it', () => {
    const f = buildFaultLog(body).nodes[1]!;
    assert.equal(f.address, '0x10000');
    assert.match(f.detail!, /Fault #138 in main \(256\): read of 0x10000 — demand-zero/);
    assert.deepEqual(f.children!.map((c) => c.label), ['kind', 'address', 'access', 'process', 'status', 'resolution', 'journal seq']);
    assert.ok(f.children!.every((c) => c.address === '0x10000' && c.detail === f.detail));
  });
  it('says when there is none', () => assert.equal(buildFaultLog({ faults: [] }).message, 'No page faults yet.'));
});

describe('extension views: built from a real session', () => {
  const program = join(__dirname, '..', '..', 'samples', '01-first-touch.vmm');
  let client: InProcessClient;
  before(async () => {
    client = new InProcessClient();
    await client.start(program);
  });
  after(async () => {
    await client.request('disconnect', {});
  });

  it('every view has rows with unique ids, and the ids survive a stop', async () => {
    await client.stopAfter('next'); // VirtualAlloc: the VAD exists, nothing is resident
    const first = await loadAllViews(client, '0x10000');
    for (let i = 0; i < 13; i++) await client.stopAfter('next');
    const second = await loadAllViews(client, '0x10000');
    assert.deepEqual(Object.keys(second), [...VIEW_SPEC_IDS]);
    for (const r of Object.values(second)) assertUniqueIds(r);
    // the VAD and the page lists keep their ids; the walk's levels too (their fields depend on the format)
    assert.deepEqual(ids(first['vmmLab.addressSpace']!.nodes), ids(second['vmmLab.addressSpace']!.nodes));
    assert.deepEqual(ids(first['vmmLab.physicalMemory']!.nodes), ids(second['vmmLab.physicalMemory']!.nodes));
    const top = (r: ViewResult) => r.nodes.map((n) => n.id);
    assert.deepEqual(top(first['vmmLab.pageWalk']!), top(second['vmmLab.pageWalk']!));
    // after the first touch: the data page is in the working set, the walk resolves, one fault is logged
    assert.ok(second['vmmLab.workingSet']!.nodes.some((n) => n.label.endsWith(' 0x10000') && /^data/.test(n.description!)));
    assert.match(second['vmmLab.pageWalk']!.nodes.at(-1)!.label, /^PA 0x/);
    assert.match(first['vmmLab.pageWalk']!.nodes.at(-1)!.label, /^not resident/);
    assert.deepEqual(second['vmmLab.faultLog']!.nodes.map((n) => [n.label, n.description]), [['0x10000 read', 'demand-zero · resolved']]);
    assert.equal(second['vmmLab.addressSpace']!.nodes[0]!.label, '0x10000-0x1ffff Private READWRITE commit 16');
  });

  it('a failed request rejects (the view shows the message)', async () => {
    const r = await client.request(CustomRequest.pageWalk, { address: 'nonsense' });
    assert.equal(r.success, false);
  });
});
