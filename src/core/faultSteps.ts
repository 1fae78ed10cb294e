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
  // dirty-bit fault: a write to a clean writable page (book-C §5.2)
  DbClearPageFile,
  DbRelease,
  DbWritePte,
  // soft fault: MiResolveTransitionFault (book-C §3, §4, §7.4)
  TfReadPfn,
  TfCollidedWait,
  TfUnlink,
  TfReleasePageFile,
  TfActivate,
  TfBuildPte,
  TfWsleTake,
  TfWsleStore,
  TfWritePte,
  // hard fault: MiResolvePageFileFault, then MiIssueHardFault (book-C §6)
  PfCluster,
  PfAllocate,
  PfPrepare,
  HfIssue,
  HfWait,
  HfComplete,
  HfWsleTake,
  HfWsleStore,
  HfWritePte,
  // no physical page available: release the locks, wait, retry
  WaitForPages,
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
const TF = [...MAF, 'MiDispatchFault', 'MiResolveTransitionFault'];
const PF = [...MAF, 'MiDispatchFault', 'MiResolvePageFileFault'];
const HF = [...MAF, 'MiIssueHardFault'];

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
  { frames: [...MAF, 'MiDispatchFault'], label: 'choose the resolver for the PTE format: demand-zero -> MiResolveDemandZeroFault, transition -> MiResolveTransitionFault, paging file -> MiResolvePageFileFault' },
  { frames: DZ, label: 'pick the page colour: NextPageColor + 1, masked with the secondary colour mask' },
  { frames: DZ, label: 'take a physical page: the Zeroed list of that colour, else Free (zero it first), else Standby (repurpose)' },
  { frames: [...DZ, 'MiInitializePfn'], label: 'initialise the _MMPFN: OriginalPte, ShareCount 1, ReferenceCount 1, PteAddress, PteFrame, Active, Priority, Modified, CacheAttribute' },
  { frames: DZ, label: 'build the valid PTE in a work variable from MmProtectToPteMask; a writable page is born dirty' },
  { frames: [...DZ, 'MiAllocateWsle'], label: 'take the working-set entry at the head of the free list and fill in the VPN, Valid and Direct' },
  { frames: [...DZ, 'MiAllocateWsle'], label: 'store the WSL index in the _MMPFN (WsIndex) and in PTE bits 52-62 (SoftwareWsIndex)' },
  { frames: DZ, label: 'write the PTE: the mapping is live (the page table gains a used, valid entry)' },
  { frames: MAF, label: 'write to a clean page (R/W 0, Write 1): the paging-file copy is no longer current, OriginalPte.PageFileHigh = 0 (during a write in progress: Modified = 1 instead)' },
  { frames: [...MAF, 'MiReleaseConfirmedPageFileSpace'], label: 'free the paging-file page the copy occupied' },
  { frames: MAF, label: 'set R/W and Dirty in the PTE (the _MMPFN Modified bit stays 0): later writes do not fault' },
  { frames: TF, label: 'the transition PTE names the _MMPFN: is an in-page read in progress on it (a collided fault)?' },
  { frames: [...TF, 'MiWaitForInPageComplete'], label: 'collided fault: wait for the read another fault started, then retry the access' },
  { frames: [...TF, 'MiUnlinkPageFromList'], label: 'unlink the page from the Standby or Modified list (nothing to unlink while it is being written)' },
  { frames: [...TF, 'MiReleaseConfirmedPageFileSpace'], label: 'write access to a Standby page: its paging-file copy is disowned (PageFileHigh = 0, page freed)' },
  { frames: TF, label: 'the _MMPFN becomes Active: ShareCount 1, ReferenceCount + 1, PageLocation 6' },
  { frames: TF, label: 'build the valid PTE: clean (R/W and Dirty 0) when the page has a current paging-file copy, dirty otherwise' },
  { frames: [...TF, 'MiAllocateWsle'], label: 'take a working-set entry for the page (a hard working-set maximum or a forced trim may remove another one first)' },
  { frames: [...TF, 'MiAllocateWsle'], label: 'store the WSL index in the _MMPFN (WsIndex) and in PTE bits 52-62' },
  { frames: TF, label: 'write the PTE: the page is back in the working set without any I/O (soft fault)' },
  { frames: PF, label: 'cluster: the faulting PTE and up to 15 neighbours in the same page table whose data lies at contiguous paging-file offsets' },
  { frames: PF, label: 'take a physical page for each included PTE: Free, then Zeroed, then Standby (repurposed); excluded PTEs inside the cluster get the dummy page' },
  { frames: PF, label: 'every included PTE becomes a transition PTE with its new PFN; each _MMPFN: ReadInProgress, Standby, ReferenceCount 1, Event, OriginalPte = the paging-file PTE' },
  { frames: [...HF, 'IoPageRead'], label: 'issue one read of the contiguous paging-file block (the disk completes it on the simulated clock)' },
  { frames: [...HF, 'MiWaitForInPageComplete'], label: 'release the working-set lock and wait for the read: simulated time passes until the disk completes it' },
  { frames: [...HF, 'MiWaitForInPageComplete'], label: 'read complete: MiIsFaultPteIntact; prefetched pages go to Standby with their PTEs in transition; the faulting page becomes Active' },
  { frames: [...HF, 'MiAllocateWsle'], label: 'take a working-set entry for the faulting page' },
  { frames: [...HF, 'MiAllocateWsle'], label: 'store the WSL index in the _MMPFN (WsIndex) and in PTE bits 52-62' },
  { frames: HF, label: 'write the PTE: clean after a read (the paging-file copy is kept), dirty after a write (the copy is released)' },
  { frames: [...MAF, 'MiEnsureAvailablePageOrWait'], label: 'no free page: release the locks, wake the modified page writer and trim working sets, wait until pages are available, retry the access' },
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
