/**
 * The named steps of the page-fault handler and the kernel routines they belong to, named as in
 * the book (KiPageFault → MmAccessFault → MiDispatchFault → the resolver). The fault handler is a
 * step machine over these ids, so a debugger can pause before any step, show the routine chain as
 * a call stack and a routine's steps as a listing.
 */

export const enum Step {
  Trap = 0,
  CallAccessFault,
  CheckAddress,
  AcquireWs,
  CheckLevel,
  CvaLookup,
  CvaResult,
  ReadPte,
  CheckValid,
  AccessCheck,
  Dispatch,
  DzColor,
  DzTakePage,
  InitPfn,
  DzBuildPte,
  WsleTake,
  WsleStore,
  DzWritePte,
  ReleaseWs,
  TrapReturn,
  Done,
}

export interface StepInfo {
  /** The routine chain, outermost first: the synthetic kernel call stack while at this step. */
  frames: readonly string[];
  /** One line of the innermost routine's listing. */
  label: string;
}

const K = ['KiPageFault'];
const MAF = [...K, 'MmAccessFault'];
const CVA = [...MAF, 'MiCheckVirtualAddress'];
const DZ = [...MAF, 'MiDispatchFault', 'MiResolveDemandZeroFault'];

export const STEP_INFO: readonly StepInfo[] = [
  { frames: K, label: 'trap: the CPU saved a trap frame; CR2 holds the faulting address, the error code the access' },
  { frames: K, label: 'call MmAccessFault(address, access, mode)' },
  { frames: MAF, label: 'check the address: canonical, and a user address if the access came from user mode' },
  { frames: MAF, label: 'disable APCs and acquire the working-set pushlock of the process' },
  { frames: MAF, label: 'walk the paging structures top-down: is the PXE / PPE / PDE of the address valid?' },
  { frames: CVA, label: 'search the VAD tree for the VAD that contains the address' },
  { frames: CVA, label: 'no VAD, or the page is only reserved: access violation; otherwise the VAD protection' },
  { frames: MAF, label: 'read the PTE and decide from its format what kind of fault this is' },
  { frames: MAF, label: 'the PTE is valid: check the access against its hardware bits (write, NX, owner)' },
  { frames: [...MAF, 'MiAccessCheck'], label: 'check the access against the protection in the PTE; a guard page loses its guard bit and raises STATUS_GUARD_PAGE_VIOLATION' },
  { frames: [...MAF, 'MiDispatchFault'], label: 'choose the resolver for the PTE format: a demand-zero PTE goes to MiResolveDemandZeroFault' },
  { frames: DZ, label: 'pick the page colour: NextPageColor + 1, masked with the secondary colour mask' },
  { frames: DZ, label: 'take a physical page: the Zeroed list of that colour, else Free (zero it first), else Standby (repurpose)' },
  { frames: [...DZ, 'MiInitializePfn'], label: 'initialise the _MMPFN: OriginalPte, ShareCount 1, ReferenceCount 1, PteAddress, PteFrame, Active, Priority, Modified, CacheAttribute' },
  { frames: DZ, label: 'build the valid PTE in a work variable from MmProtectToPteMask; a writable page is born dirty' },
  { frames: [...DZ, 'MiAllocateWsle'], label: 'take the working-set entry at the head of the free list and fill in the VPN, Valid and Direct' },
  { frames: [...DZ, 'MiAllocateWsle'], label: 'store the WSL index in the _MMPFN (WsIndex) and in PTE bits 52-62 (SoftwareWsIndex)' },
  { frames: DZ, label: 'write the PTE: the mapping is live (the page table gains a used, valid entry)' },
  { frames: MAF, label: 'release the working-set pushlock and return the status' },
  { frames: K, label: 'success: restart the faulting instruction; failure: raise the exception in user mode' },
  { frames: [], label: 'done' },
];

/** Every routine that appears in a fault, with its steps in order (the generated listings). */
export function routineListings(): Map<string, Step[]> {
  const m = new Map<string, Step[]>();
  STEP_INFO.forEach((info, step) => {
    const r = info.frames[info.frames.length - 1];
    if (r === undefined) return;
    if (!m.has(r)) m.set(r, []);
    m.get(r)!.push(step as Step);
  });
  return m;
}

export const ROUTINE_NAMES = [...new Set(STEP_INFO.flatMap((s) => s.frames))];
