/**
 * The machine's invariant checker (book-B §15, book-A O-33): list membership agrees with
 * PageLocation and list totals, share and reference counts agree with the mappings that exist,
 * every resident page's PTE / _MMPFN / WSLE point at each other, page tables count their used and
 * linked entries, and commit sums add up. Tests run it after every operation; it returns a list
 * of human-readable violations (empty when everything holds) and changes nothing.
 */
import { isSelfMapSlot, entrySlot, isLinked } from './pagingStructures';
import type { Machine } from './machine';
import { LIST_END, PageLocation, E1_WRITE_IN_PROGRESS, E1_READ_IN_PROGRESS, U4_PROTOTYPE_PTE } from './pfnDatabase';
import { P, TRANSITION, PROTOTYPE, classify, ptePfn, softwareWsIndex, protectionOf } from './pte';
import type { Process } from './process';
import { userPageLevel } from './workingSetOps';

export function checkInvariants(m: Machine): string[] {
  const errors: string[] = [];
  const db = m.pfn;
  const err = (s: string) => {
    if (errors.length < 50) errors.push(s);
  };

  // 1. lists: links, totals, membership agrees with PageLocation
  const onList = new Uint8Array(db.count);
  const totals = new Array<number>(8).fill(0);
  for (let id = 0; id < db.listCount; id++) {
    let prev = LIST_END;
    let n = 0;
    for (let p = db.listHead(id); p !== LIST_END; p = db.u1[p]) {
      if (onList[p]) {
        err(`PFN 0x${p.toString(16)} is linked twice`);
        break;
      }
      onList[p] = 1;
      if (db.u2[p] !== prev) err(`PFN 0x${p.toString(16)} Blink 0x${db.u2[p].toString(16)} != previous 0x${prev.toString(16)}`);
      const loc = db.locationOfList(id);
      if (db.location(p) !== loc) err(`PFN 0x${p.toString(16)} on a ${PageLocationName(loc)} list has PageLocation ${db.location(p)}`);
      if (db.referenceCount[p] !== 0) err(`listed PFN 0x${p.toString(16)} has ReferenceCount ${db.referenceCount[p]}`);
      if ((db.e1[p] & E1_WRITE_IN_PROGRESS) !== 0) err(`listed PFN 0x${p.toString(16)} has WriteInProgress`);
      totals[loc]++;
      prev = p;
      n++;
    }
    if (db.listTail(id) !== prev) err(`list ${id} tail 0x${db.listTail(id).toString(16)} != last 0x${prev.toString(16)}`);
    if (db.listTotal(id) !== n) err(`list ${id} Total ${db.listTotal(id)} != ${n} members`);
  }
  for (let loc = 0; loc < 6; loc++) {
    if (totals[loc] !== db.locationTotals[loc]) err(`${PageLocationName(loc)} total ${db.locationTotals[loc]} != ${totals[loc]} linked`);
  }
  if (db.availablePages !== totals[0] + totals[1] + totals[2]) err('available pages != Zeroed + Free + Standby');
  const counted = new Array<number>(8).fill(0);
  for (let p = 0; p < db.count; p++) counted[db.location(p)]++;
  for (let loc = 0; loc < 8; loc++) if (counted[loc] !== db.locationCounts[loc]) err(`PageLocation ${loc} count ${db.locationCounts[loc]} != ${counted[loc]}`);

  // 2. mappings of every process
  const mapped = new Uint32Array(db.count); // valid PTEs naming each page (user + hyperspace + tables)
  const transitions = new Uint32Array(db.count);
  for (const proc of m.processes.values()) {
    if (proc.terminated) continue;
    checkProcess(m, proc, mapped, transitions, err);
  }
  for (let p = 0; p < db.count; p++) {
    const loc = db.location(p);
    const listed = onList[p] === 1;
    if (loc === PageLocation.Active) {
      if (listed) err(`Active PFN 0x${p.toString(16)} is on a list`);
      if (p === 0 || m.systemTables.size > 0 && isSystemTable(m, p)) continue;
      if (mapped[p] === 0) err(`Active PFN 0x${p.toString(16)} is mapped by no valid PTE`);
      if (db.referenceCount[p] < 1) err(`Active PFN 0x${p.toString(16)} has ReferenceCount 0`);
    } else if (loc === PageLocation.Modified || loc === PageLocation.Standby) {
      if (mapped[p] !== 0) err(`${PageLocationName(loc)} PFN 0x${p.toString(16)} is still mapped by a valid PTE`);
      if (listed && transitions[p] !== 1 && db.referenceCount[p] === 0) err(`${PageLocationName(loc)} PFN 0x${p.toString(16)} named by ${transitions[p]} transition PTEs`);
      if (loc === PageLocation.Modified && !db.isModified(p) && (db.e1[p] & E1_WRITE_IN_PROGRESS) === 0) err(`Modified PFN 0x${p.toString(16)} has Modified = 0`);
      if (loc === PageLocation.Standby && db.isModified(p)) err(`Standby PFN 0x${p.toString(16)} has Modified = 1`);
    } else if (loc === PageLocation.Zeroed || loc === PageLocation.Free) {
      if (mapped[p] !== 0 || transitions[p] !== 0) err(`${PageLocationName(loc)} PFN 0x${p.toString(16)} is still referenced by a PTE`);
      if (loc === PageLocation.Zeroed && !m.phys.isZeroPage(p)) err(`Zeroed PFN 0x${p.toString(16)} holds non-zero bytes`);
    }
  }

  // 3. paging I/O and paging files
  for (let p = 0; p < db.count; p++) {
    const e1 = db.e1[p];
    if ((e1 & E1_READ_IN_PROGRESS) !== 0) {
      if (onList[p]) err(`PFN 0x${p.toString(16)} is being read but is on a list`);
      if (db.location(p) !== PageLocation.Standby) err(`PFN 0x${p.toString(16)} is being read with PageLocation ${db.location(p)} (expected Standby)`);
      if (db.referenceCount[p] < 1) err(`PFN 0x${p.toString(16)} is being read with ReferenceCount 0`);
      if (m.pager.blockOf(p) === undefined) err(`PFN 0x${p.toString(16)} is being read but u1 names no in-page block`);
    }
    if ((e1 & E1_WRITE_IN_PROGRESS) !== 0 && db.referenceCount[p] < 1) err(`PFN 0x${p.toString(16)} is being written with ReferenceCount 0`);
  }
  checkPagingFiles(m, err);

  // 4. commit
  let procCharge = 0;
  for (const proc of m.processes.values()) {
    if (proc.terminated) continue;
    procCharge += proc.commitCharge;
    if (proc.commitCharge !== proc.privateCommitPages + proc.pageTableCommitPages) err(`${proc.name}: commit charge ${proc.commitCharge} != data ${proc.privateCommitPages} + page tables ${proc.pageTableCommitPages}`);
    let vadCommit = 0;
    for (const v of proc.vads.inOrder()) if (v.kind === 'private') vadCommit += v.commitCharge;
    if (vadCommit !== proc.privateCommitPages) err(`${proc.name}: VAD commit ${vadCommit} != private commit ${proc.privateCommitPages}`);
  }
  if (procCharge > m.commit.charge) err(`process charges ${procCharge} exceed the system charge ${m.commit.charge}`);
  if (m.commit.charge > m.commit.limit) err(`commit charge ${m.commit.charge} above the limit ${m.commit.limit}`);
  return errors;
}

/**
 * Every paging-file page in use is named exactly once — by a paging-file PTE (in a resident table,
 * or inside a paged-out one), or by the OriginalPte of a page that is in use — and no PTE names a
 * free paging-file page. Tables that are not resident hold no valid or transition entries
 * (book-C §11.2 I3).
 */
function checkPagingFiles(m: Machine, err: (s: string) => void): void {
  const db = m.pfn;
  const refs = new Map<number, string>();
  const key = (file: number, off: number) => file * 2 ** 32 + off;
  const ref = (lo: number, hi: number, what: string) => {
    const file = (lo >>> 1) & 0xf;
    const f = m.pager.files[file];
    if (f === undefined || !f.isAllocated(hi)) {
      err(`${what} names paging file ${file} page 0x${hi.toString(16)}, which is not in use`);
      return;
    }
    const k = key(file, hi);
    const prev = refs.get(k);
    if (prev !== undefined) err(`paging file ${file} page 0x${hi.toString(16)} is named twice: ${prev} and ${what}`);
    else refs.set(k, what);
  };
  // the entries of a table that is not in memory: from its page on a list, or from the paging file
  const readNonResident = (lo: number, hi: number): ((i: number) => [number, number]) | undefined => {
    if ((lo & TRANSITION) !== 0 && (lo & PROTOTYPE) === 0) {
      const pfn = ptePfn(lo, hi);
      if ((db.e1[pfn] & E1_READ_IN_PROGRESS) === 0) return (i) => [m.phys.readWord(pfn, i * 2), m.phys.readWord(pfn, i * 2 + 1)];
      lo = db.originalPteLo[pfn];
      hi = db.originalPteHi[pfn];
    }
    const f = m.pager.files[(lo >>> 1) & 0xf];
    if (f === undefined || hi === 0) return undefined;
    return (i) => [f.store.readWord(hi, i * 2), f.store.readWord(hi, i * 2 + 1)];
  };
  const visitOut = (read: (i: number) => [number, number], level: number, where: string) => {
    for (let i = 0; i < 512; i++) {
      const [lo, hi] = read(i);
      if ((lo | hi) === 0) continue;
      const kind = classify(lo, hi);
      if (kind === 'valid' || (kind === 'transition' && level === 1)) err(`${where}: a paged-out table holds a ${kind} entry at index ${i}`);
      if (kind === 'pagefile') ref(lo, hi, `${where}[${i}]`);
      if (level > 1 && (kind === 'transition' || kind === 'pagefile')) {
        if (kind === 'transition') err(`${where}: a paged-out table holds a transition entry at index ${i}`);
        const r = readNonResident(lo, hi);
        if (r !== undefined) visitOut(r, level - 1, `${where}[${i}]`);
      }
    }
  };
  for (const proc of m.processes.values()) {
    if (proc.terminated) continue;
    const visit = (table: number, level: number, where: string) => {
      const count = level === 4 ? 256 : 512;
      for (let i = 0; i < count; i++) {
        const lo = m.phys.readWord(table, i * 2);
        const hi = m.phys.readWord(table, i * 2 + 1);
        if ((lo | hi) === 0) continue;
        if ((lo & P) !== 0) {
          if (level > 1) visit(ptePfn(lo, hi), level - 1, `${where}/${i.toString(16)}`);
          continue;
        }
        const kind = classify(lo, hi);
        if (kind === 'pagefile') ref(lo, hi, `${proc.name} entry ${where}/${i.toString(16)} (level ${level})`);
        if (level > 1 && (kind === 'transition' || kind === 'pagefile')) {
          const r = readNonResident(lo, hi);
          if (r !== undefined) visitOut(r, level - 1, `${proc.name} paged-out table ${where}/${i.toString(16)}`);
        }
      }
    };
    visit(proc.pml4Pfn, 4, '');
    // every working-set entry maps a valid page that points back at it
    const wsl = proc.wsl;
    for (let i = wsl.firstDynamic; i <= wsl.lastEntry; i++) {
      if (!wsl.isValid(i)) continue;
      const slot = wsl.slotAt(i);
      if (userPageLevel(slot) === 0) continue;
      const table = m.paging.tableOf(proc, slot, 1);
      const lo = table < 0 ? 0 : m.phys.readWord(table, (slot & 511) * 2);
      if ((lo & P) === 0) {
        err(`${proc.name}: WSLE ${i} names slot 0x${slot.toString(16)} whose entry is not valid`);
        continue;
      }
      const pfn = ptePfn(lo, m.phys.readWord(table, (slot & 511) * 2 + 1));
      if (db.u1[pfn] !== i) err(`${proc.name}: WSLE ${i} maps PFN 0x${pfn.toString(16)} whose WsIndex is ${db.u1[pfn]}`);
    }
  }
  for (let p = 0; p < db.count; p++) {
    const loc = db.location(p);
    if (loc === PageLocation.Zeroed || loc === PageLocation.Free || loc === PageLocation.Bad) continue;
    if (db.originalPteHi[p] === 0 || (db.u4Flags[p] & U4_PROTOTYPE_PTE) !== 0) continue;
    if ((db.originalPteLo[p] & (P | TRANSITION | PROTOTYPE)) !== 0) continue;
    ref(db.originalPteLo[p], db.originalPteHi[p], `OriginalPte of PFN 0x${p.toString(16)}`);
  }
  for (const f of m.pager.files) {
    if (f === undefined) continue;
    let used = 0;
    for (const off of f.allocatedOffsets()) {
      used++;
      if (!refs.has(key(f.number, off))) err(`paging file ${f.number} page 0x${off.toString(16)} is in use but nothing names it`);
    }
    if (used + 1 !== f.inUse) err(`paging file ${f.number}: ${f.inUse - 1} pages counted in use, ${used} in the bitmap`);
  }
}

function PageLocationName(loc: number): string {
  return ['Zeroed', 'Free', 'Standby', 'Modified', 'ModifiedNoWrite', 'Bad', 'Active', 'Transition'][loc];
}

function isSystemTable(m: Machine, pfn: number): boolean {
  for (const p of m.systemTables.values()) if (p === pfn) return true;
  return false;
}

/** Walks every table of a process reachable from its PML4 (user half and hyperspace). */
function checkProcess(m: Machine, proc: Process, mapped: Uint32Array, transitions: Uint32Array, err: (s: string) => void): void {
  const db = m.pfn;
  const wsl = proc.wsl;
  mapped[proc.pml4Pfn]++;
  const inWs = new Set<number>();
  for (let i = 0; i <= wsl.lastInitializedWsle; i++) if (wsl.isValid(i)) inWs.add(wsl.slotAt(i));
  for (const e of wsl.check()) err(`${proc.name} WSL: ${e}`);

  const visit = (table: number, level: number, baseSlot: number) => {
    let used = 0;
    let linked = 0;
    for (let i = 0; i < 512; i++) {
      const lo = m.phys.readWord(table, i * 2);
      const hi = m.phys.readWord(table, i * 2 + 1);
      if ((lo | hi) !== 0) used++;
      if (isLinked(lo)) linked++;
      if (level === 4 && (i === 0x1ed || (i > 0x1ee))) continue; // self-map and shared system tables
      const slot = level === 4 ? i * 2 ** 27 : baseSlot + i * 512 ** (level - 1);
      if (lo & P) {
        const pfn = ptePfn(lo, hi);
        mapped[pfn]++;
        const eSlot = entrySlot(slot, level);
        if (db.location(pfn) !== PageLocation.Active) err(`${proc.name}: valid ${level === 1 ? 'PTE' : 'entry'} at slot 0x${eSlot.toString(16)} names non-Active PFN 0x${pfn.toString(16)}`);
        if (db.pteSlot[pfn] !== eSlot) err(`${proc.name}: PFN 0x${pfn.toString(16)} PteAddress slot 0x${db.pteSlot[pfn].toString(16)} != 0x${eSlot.toString(16)}`);
        if (db.pteFrame[pfn] !== table) err(`${proc.name}: PFN 0x${pfn.toString(16)} PteFrame 0x${db.pteFrame[pfn].toString(16)} != table 0x${table.toString(16)}`);
        const ws = db.u1[pfn];
        if (ws !== 0 || inWs.has(eSlot)) {
          if (!wsl.isValid(ws) || wsl.slotAt(ws) !== eSlot) err(`${proc.name}: PFN 0x${pfn.toString(16)} WsIndex ${ws} does not name slot 0x${eSlot.toString(16)}`);
          else if (softwareWsIndex(hi) !== (ws & 0x7ff)) err(`${proc.name}: PTE of slot 0x${eSlot.toString(16)} SoftwareWsIndex ${softwareWsIndex(hi)} != ${ws & 0x7ff}`);
        }
        if (level === 1 && !isSelfMapSlot(eSlot) && slot < 2 ** 35) {
          if (protectionOf(db.originalPteLo[pfn]) === 0 && db.originalPteLo[pfn] !== 0) err(`${proc.name}: PFN 0x${pfn.toString(16)} OriginalPte has no protection`);
          if (!inWs.has(eSlot)) err(`${proc.name}: resident page at slot 0x${eSlot.toString(16)} has no working-set entry`);
        }
        if (level > 1) visit(pfn, level - 1, slot);
      } else if ((lo & TRANSITION) !== 0 && (lo & PROTOTYPE) === 0) {
        const pfn = ptePfn(lo, hi);
        transitions[pfn]++;
        if (db.pteSlot[pfn] !== entrySlot(slot, level)) err(`${proc.name}: transition PTE names PFN 0x${pfn.toString(16)} whose PteAddress is elsewhere`);
      }
    }
    if (db.usedPageTableEntries[table] !== used && level < 4) err(`${proc.name}: table PFN 0x${table.toString(16)} UsedPageTableEntries ${db.usedPageTableEntries[table]} != ${used}`);
    if (level < 4 && db.u2[table] !== linked + 1) err(`${proc.name}: table PFN 0x${table.toString(16)} ShareCount ${db.u2[table]} != 1 + ${linked} linked entries`);
  };
  visit(proc.pml4Pfn, 4, 0);
  // hyperspace (PML4E 0x1EE) is private too
}
