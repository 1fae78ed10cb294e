/**
 * The custom requests between the extension's views and the adapter, declared once: names, the
 * arguments they take and the bodies they return. Both sides import these types; the adapter
 * implements them in customRequests.ts, the extension calls them with `session.customRequest`.
 * Every request is legal while stopped; while running they answer from the last stop.
 */

export const CustomRequest = {
  addressSpace: 'vmm/addressSpace',
  workingSet: 'vmm/workingSet',
  physicalMemory: 'vmm/physicalMemory',
  pageWalk: 'vmm/pageWalk',
  faultLog: 'vmm/faultLog',
  memoryMap: 'vmm/memoryMap',
  pfnEntry: 'vmm/pfnEntry',
  status: 'vmm/status',
  trimWorkingSet: 'vmm/trimWorkingSet',
  runModifiedPageWriter: 'vmm/runModifiedPageWriter',
  setFormat: 'vmm/setFormat',
} as const;

export interface ProcessArgs {
  /** Process index (journal numbering); omitted = the current process. */
  process?: number;
}

export interface VadNode {
  start: string;
  end: string;
  protection: string;
  commit: number;
  kind: string;
  memCommit: boolean;
  level: number;
  left?: VadNode;
  right?: VadNode;
}

export interface AddressSpaceBody {
  process: { index: number; pid: number; name: string };
  processes: { index: number; pid: number; name: string; current: boolean }[];
  root?: VadNode;
  count: number;
}

export interface WorkingSetEntry {
  index: number;
  va: string;
  age: number;
  kind: 'data' | 'pagingStructure' | 'hyperspace';
  locked: boolean;
}

export interface WorkingSetBody {
  size: number;
  peak: number;
  minimum: number;
  maximum: number;
  entries: WorkingSetEntry[];
  truncated: boolean;
}

export interface PhysicalMemoryBody {
  totalPages: number;
  lists: { name: string; count: number; children?: { name: string; count: number }[] }[];
  available: number;
  commit: { charge: number; limit: number; peak: number };
}

export interface PageWalkArgs {
  address: string;
  process?: number;
}

export interface PageWalkBody {
  address: string;
  resident: boolean;
  physicalAddress?: string;
  reason?: string;
  indexes: { pml4: number; pdpt: number; pd: number; pt: number; offset: number };
  levels: { level: string; address: string; raw: string; kind: string; summary: string; fields: Record<string, string> }[];
}

export interface FaultLogEntry {
  seq: number;
  process: string;
  address: string;
  access: string;
  kind: string;
  status: string;
  resolution: string;
}

export interface FaultLogBody {
  faults: FaultLogEntry[];
}

export interface MemoryMapArgs {
  /** Maximum number of cells; frames are aggregated when the machine has more pages. */
  cells?: number;
}

export interface MemoryMapBody {
  totalPages: number;
  pagesPerCell: number;
  /** One state letter per cell: Z zeroed, F free, S standby, M modified, N mod-no-write, B bad, A active, T transition (dominant state of the cell). */
  cells: string;
  legend: Record<string, string>;
}

export interface PfnEntryArgs {
  pfn: number;
}

export interface PfnEntryBody {
  pfn: number;
  fields: Record<string, string>;
}

export interface StatusBody {
  commitCharge: number;
  commitLimit: number;
  availablePages: number;
  hex: boolean;
}

export interface SetFormatArgs {
  hex: boolean;
}

/** vmm/trimWorkingSet: the working-set entries removed (of `process`, default the current one). */
export interface TrimWorkingSetBody {
  trimmed: number;
}

/** vmm/runModifiedPageWriter: the write requests the pass issued. */
export interface RunModifiedPageWriterBody {
  requests: number;
}
