/**
 * Working-set limits, ageing and trimming (book-B §10): the balance set manager's once-a-second
 * pass (MmWorkingSetManager: MiComputeSystemTrimCriteria, ageing, MiTrimWorkingSet, waking the
 * modified page writer), the trims a fault does on its own working set (MiDoReplacement:
 * MiReplaceWorkingSetEntry under a hard maximum, MiForcedTrim under the three conditions of
 * §10.6), SetProcessWorkingSetSize / EmptyWorkingSet, and what a thread does when no physical
 * page is left (MiEnsureAvailablePageOrWait).
 *
 * Policy choices where the book gives no formula (docs/paging.md):
 *  - ageing: every pass ages every working set: Accessed set → cleared, Age 0; else Age + 1 (max 7);
 *  - the WSM trims only while available + Modified + being-written pages are below the trim goal
 *    (default max(256, RAM pages / 16)); it takes pages of Age 7 first, then 6, ... down to 1
 *    (pages used in the last second stay), never below a working set's minimum;
 *  - processes in order: the one with the most idle pages (Age ≥ 1) first, the larger working set
 *    on a tie, the current ("foreground") process last;
 *  - a forced trim removes an eighth of the faulting working set, oldest entries first;
 *  - a thread with no page wakes the modified page writer, trims working sets (all ages, ignoring
 *    soft minimums, the faulting process included) and waits for disk completions.
 */
import { Actor } from './journal';
import type { Machine } from './machine';
import { runModifiedPageWriter } from './modifiedPageWriter';
import type { Process } from './process';
import { ACCESSED, P } from './pte';
import { STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from './status';
import { isLockedPage, trimWorkingSetEntry, userPageLevel } from './workingSetOps';

/** SetProcessWorkingSetSizeEx flags. */
export const QUOTA_LIMITS_HARDWS_MIN_ENABLE = 0x1;
export const QUOTA_LIMITS_HARDWS_MIN_DISABLE = 0x2;
export const QUOTA_LIMITS_HARDWS_MAX_ENABLE = 0x4;
export const QUOTA_LIMITS_HARDWS_MAX_DISABLE = 0x8;
/** STATUS_BAD_WORKING_SET_LIMIT (ntstatus.h). */
export const STATUS_BAD_WORKING_SET_LIMIT = 0xc000004c;

interface TrimPass {
  /** Most entries to remove. */
  max: number;
  /** Only entries at least this old. */
  minAge: number;
  /** Do not go below this working-set size. */
  floor: number;
  tables: boolean;
  discardZero?: boolean;
  /** Entries processed before the zero-page quirk applies (book-B §7.13's 319 pages). */
  exempt?: number;
  cleanOnly?: boolean;
}

/** Pages the working set manager wants available (or about to be). */
export function trimGoal(m: Machine): number {
  return m.pager.config.trimGoalPages > 0 ? m.pager.config.trimGoalPages : Math.max(256, Math.floor(m.pfn.count / 16));
}

function liveProcesses(m: Machine): Process[] {
  const out: Process[] = [];
  for (const p of m.processes.values()) if (!p.terminated && !p.terminating) out.push(p);
  return out;
}

/**
 * Ages one working set (book-B §10.5): an entry whose PTE has the Accessed bit gets it cleared
 * and Age 0, any other entry Age + 1 (up to 7). Returns the entries with Age ≥ 1 afterwards.
 */
export function ageWorkingSet(m: Machine, proc: Process): number {
  const wsl = proc.wsl;
  let idle = 0;
  for (let i = wsl.firstDynamic; i <= wsl.lastEntry; i++) {
    if (!wsl.isValid(i)) continue;
    const slot = wsl.slotAt(i);
    if (userPageLevel(slot) === 0) continue;
    const table = m.paging.tableOf(proc, slot, 1);
    if (table < 0) continue;
    const index = slot & 511;
    const lo = m.paging.readLo(table, index);
    if ((lo & P) === 0) continue;
    const age = wsl.age(i);
    if ((lo & ACCESSED) !== 0) {
      m.paging.writeEntry(proc, table, index, slot, (lo & ~ACCESSED) >>> 0, m.paging.readHi(table, index));
      if (age !== 0) wsl.setAge(i, 0);
    } else {
      if (age < 7) wsl.setAge(i, age + 1);
      idle++;
    }
  }
  return idle;
}

/**
 * MiTrimWorkingSet: removes entries oldest first (Age 7 down to `minAge`, lower WSL index first
 * within an age). Locked pages stay. Returns the entries removed.
 */
function trimPass(m: Machine, proc: Process, pass: TrimPass): number {
  const wsl = proc.wsl;
  if (pass.max <= 0 || wsl.size <= pass.floor) return 0;
  const buckets: number[][] = [[], [], [], [], [], [], [], []];
  for (let i = wsl.firstDynamic; i <= wsl.lastEntry; i++) {
    if (!wsl.isValid(i)) continue;
    const age = wsl.age(i);
    if (age < pass.minAge) continue;
    const slot = wsl.slotAt(i);
    const level = userPageLevel(slot);
    if (level === 0 || (level > 1 && !pass.tables) || (level === 1 && isLockedPage(m, proc, slot))) continue;
    buckets[age].push(i);
  }
  let trimmed = 0;
  let processed = 0;
  const exempt = pass.exempt ?? 0;
  for (let age = 7; age >= pass.minAge; age--) {
    for (const i of buckets[age]) {
      if (trimmed >= pass.max || wsl.size <= pass.floor) return trimmed;
      const discardZero = pass.discardZero === true && processed >= exempt;
      if (trimWorkingSetEntry(m, proc, i, Actor.Trim, { tables: pass.tables, discardZero, cleanOnly: pass.cleanOnly })) trimmed++;
      processed++;
    }
  }
  return trimmed;
}

/** Paging structures of a working set whose entries are all unused or in the paging file, bottom up. */
function trimTables(m: Machine, proc: Process, max = Infinity): number {
  if (!m.pager.tablesTrimmable) return 0;
  const wsl = proc.wsl;
  let n = 0;
  for (let level = 2; level <= 4; level++) {
    for (let i = wsl.firstDynamic; i <= wsl.lastEntry && n < max; i++) {
      if (!wsl.isValid(i) || userPageLevel(wsl.slotAt(i)) !== level) continue;
      if (trimWorkingSetEntry(m, proc, i, Actor.Trim, { tables: true })) n++;
    }
  }
  return n;
}

/**
 * Trims a working set as the working set manager does, oldest entries first, then the paging
 * structures left with nothing below them: up to `maxPages` entries (all of them by default).
 * Returns the entries removed.
 */
export function trimWorkingSet(m: Machine, proc: Process, maxPages = Infinity): number {
  return m.journal.as(Actor.Trim, () => {
    const always = m.pager.config.zeroPageDiscard === 'always';
    let n = trimPass(m, proc, { max: maxPages, minAge: 0, floor: 0, tables: true, discardZero: always });
    if (n < maxPages) n += trimTables(m, proc, maxPages - n);
    return n;
  });
}

/** trimWorkingSet for every process. Returns the entries removed. */
export function trimAll(m: Machine): number {
  let n = 0;
  for (const p of liveProcesses(m)) n += trimWorkingSet(m, p);
  return n;
}

/**
 * EmptyWorkingSet / SetProcessWorkingSetSize(h, -1, -1): every page that may leave does, and
 * then the paging structures left empty. The all-zero page quirk applies here by default.
 */
export function emptyWorkingSet(m: Machine, proc: Process): number {
  return m.journal.as(Actor.Trim, () => {
    const cfg = m.pager.config;
    let n = trimPass(m, proc, {
      max: Infinity, minAge: 0, floor: 0, tables: false,
      discardZero: cfg.zeroPageDiscard !== 'never', exempt: cfg.zeroPageDiscardExemptPages,
    });
    n += trimTables(m, proc);
    return n;
  });
}

/**
 * SetProcessWorkingSetSizeEx at page granularity: (-1, -1) empties the working set; otherwise
 * the limits are set (minimum ≤ maximum, else STATUS_BAD_WORKING_SET_LIMIT), the hard-limit
 * flags applied, and a working set above its new maximum is trimmed down to it.
 */
export function setWorkingSetLimits(m: Machine, proc: Process, minimumPages: number, maximumPages: number, flags = 0): number {
  if (minimumPages === -1 && maximumPages === -1) {
    emptyWorkingSet(m, proc);
    return STATUS_SUCCESS;
  }
  if ((flags & ~0xf) !== 0 || (flags & 3) === 3 || (flags & 12) === 12) return STATUS_INVALID_PARAMETER;
  if (!(minimumPages >= 0) || !(maximumPages >= 0) || minimumPages > maximumPages) return STATUS_BAD_WORKING_SET_LIMIT;
  const wsl = proc.wsl;
  wsl.minimum = minimumPages;
  wsl.maximum = maximumPages;
  if ((flags & QUOTA_LIMITS_HARDWS_MIN_ENABLE) !== 0) proc.minimumWorkingSetHard = true;
  if ((flags & QUOTA_LIMITS_HARDWS_MIN_DISABLE) !== 0) proc.minimumWorkingSetHard = false;
  if ((flags & QUOTA_LIMITS_HARDWS_MAX_ENABLE) !== 0) proc.maximumWorkingSetHard = true;
  if ((flags & QUOTA_LIMITS_HARDWS_MAX_DISABLE) !== 0) proc.maximumWorkingSetHard = false;
  if (wsl.size > maximumPages) {
    m.journal.as(Actor.Trim, () => trimPass(m, proc, { max: wsl.size - maximumPages, minAge: 0, floor: maximumPages, tables: true }));
  }
  return STATUS_SUCCESS;
}

/** Processes in the order the working set manager considers them (foreground last). */
function trimOrder(m: Machine, idle: Map<Process, number>): Process[] {
  const fg = m.hasCurrent ? m.current : undefined;
  return liveProcesses(m).sort((a, b) => {
    if ((a === fg) !== (b === fg)) return a === fg ? 1 : -1;
    const d = (idle.get(b) ?? 0) - (idle.get(a) ?? 0);
    if (d !== 0) return d;
    if (a.wsl.size !== b.wsl.size) return b.wsl.size - a.wsl.size;
    return a.index - b.index;
  });
}

/**
 * One pass of the balance set manager (KeBalanceSetManager → MmWorkingSetManager): samples the
 * standby repurpose count (MiComputeSystemTrimCriteria), ages every working set, trims while
 * memory is short, and wakes the modified page writer when free + zeroed or available pages are
 * low (book-B §12.1). Returns the pages trimmed.
 */
export function balanceSetManager(m: Machine): number {
  const pager = m.pager;
  const db = m.pfn;
  pager.stats.balanceRuns++;
  let trimmed = 0;
  m.journal.as(Actor.Trim, () => {
    const sample = m.allocator.standbyRepurposed;
    pager.lastStandbyRepurposed = sample;
    pager.repurposeSamples.push({ atMs: m.clockMs, value: sample });
    if (pager.repurposeSamples.length > 64) pager.repurposeSamples.shift();
    const idle = new Map<Process, number>();
    for (const p of liveProcesses(m)) idle.set(p, ageWorkingSet(m, p));
    let need = trimGoal(m) - (db.availablePages + db.modifiedTotal + pager.pagesBeingWritten);
    if (need > 0) {
      const order = trimOrder(m, idle);
      const cleanOnly = !pager.canWrite;
      for (let minAge = 7; minAge >= 1 && need > 0; minAge--) {
        for (const p of order) {
          if (need <= 0) break;
          const n = trimPass(m, p, { max: need, minAge, floor: p.wsl.minimum, tables: true, cleanOnly });
          need -= n;
          trimmed += n;
        }
      }
      pager.stats.wsmTrimmedPages += trimmed;
    }
  });
  const c = pager.config;
  if (db.modifiedTotal > 0 && (db.zeroedTotal + db.freeTotal < c.mpwWakeZeroedFreePages || db.availablePages < c.mpwWakeAvailablePages)) {
    runModifiedPageWriter(m);
  }
  return trimmed;
}

/**
 * MiDoReplacement, called before a working-set entry is added: under a hard maximum one entry
 * leaves first (MiReplaceWorkingSetEntry); a working set whose pageable part exceeds 75% of RAM
 * while standby pages are being repurposed and fewer than 0x40000 pages are available trims
 * itself (MiForcedTrim), in the faulting thread.
 */
export function doReplacement(m: Machine, proc: Process): void {
  const wsl = proc.wsl;
  const pager = m.pager;
  if (proc.maximumWorkingSetHard && wsl.size >= wsl.maximum) {
    const n = m.journal.as(Actor.Trim, () => trimPass(m, proc, { max: 1, minAge: 0, floor: 0, tables: false }));
    if (n > 0) pager.stats.replacements++;
    return;
  }
  if (
    wsl.size - wsl.firstDynamic > m.forcedTrimThreshold &&
    m.allocator.standbyRepurposed !== pager.lastStandbyRepurposed &&
    m.pfn.availablePages < pager.config.forcedTrimAvailablePages
  ) {
    const count = Math.max(1, Math.floor(wsl.size * pager.config.forcedTrimShare));
    m.journal.as(Actor.Trim, () => trimPass(m, proc, { max: count, minAge: 0, floor: proc.minimumWorkingSetHard ? wsl.minimum : 0, tables: false, cleanOnly: !pager.canWrite }));
    pager.stats.forcedTrims++;
  }
}

/** Trims across working sets when no page is left: oldest first, foreground last. */
function emergencyTrim(m: Machine, count: number): number {
  const idle = new Map<Process, number>();
  let n = 0;
  const cleanOnly = !m.pager.canWrite;
  m.journal.as(Actor.Trim, () => {
    for (const p of liveProcesses(m)) idle.set(p, p.wsl.size);
    const order = trimOrder(m, idle);
    for (let minAge = 7; minAge >= 0 && n < count; minAge--) {
      for (const p of order) {
        if (n >= count) break;
        n += trimPass(m, p, { max: count - n, minAge, floor: p.minimumWorkingSetHard ? p.wsl.minimum : 0, tables: m.pager.tablesTrimmable, cleanOnly });
      }
    }
  });
  return n;
}

/**
 * MiEnsureAvailablePageOrWait: the thread waits until `need` pages are available — the modified
 * page writer writes what it can, working sets are trimmed, and simulated time advances to the
 * next disk completion. False when nothing can free a page (no paging file room, nothing clean).
 */
export function waitForPages(m: Machine, need: number): boolean {
  const pager = m.pager;
  const db = m.pfn;
  pager.stats.waitsForPages++;
  const goal = Math.max(need, trimGoal(m));
  for (let iter = 0; iter < 100000; iter++) {
    if (db.availablePages >= need) return true;
    if (db.modifiedTotal > 0 && pager.canWrite) runModifiedPageWriter(m);
    const pending = db.availablePages + db.modifiedTotal + pager.pagesBeingWritten;
    if (pending < goal || pager.nextIoMs === Infinity) {
      const n = emergencyTrim(m, Math.max(need, goal - pending));
      if (n > 0) continue;
    }
    const t = pager.nextIoMs;
    if (t === Infinity) return db.availablePages >= need;
    pager.advanceTo(Math.max(t, m.clockMs));
  }
  return db.availablePages >= need;
}
