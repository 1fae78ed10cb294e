import { strict as assert } from 'node:assert';
import { NtTerminateProcess, TerminateProcess } from '../../../src/core/api/terminate';
import { VirtualAllocEx } from '../../../src/core/api/win32';
import { openProcessHandle } from '../../../src/core/api/handles';
import { STATUS_ACCESS_DENIED, STATUS_PROCESS_IS_TERMINATING } from '../../../src/core/status';
import { assertInvariants, smallMachine } from '../../helpers';

describe('TerminateProcess', () => {
  it('releases every allocation, page and charge of another process and keeps the invariants', () => {
    const m = smallMachine();
    m.createProcess('main');
    const available = m.pfn.availablePages;
    const victim = m.createProcess('victim');
    const h = openProcessHandle(m, victim);
    const charge = m.commit.charge;
    const p = VirtualAllocEx(m, h, 0, 0x100000, 0x3000, 4);
    assert.ok(p > 0);
    m.attached(victim, () => {
      for (let i = 0; i < 32; i++) m.mmu.write8(p + i * 4096, i + 1);
    });
    assert.ok(m.commit.charge > charge);
    assert.equal(TerminateProcess(m, h), true);
    assert.equal(m.commit.charge, charge);
    assert.equal(m.pfn.availablePages, available, 'every page of the victim, its PML4 included, is available again');
    assert.ok(victim.terminated);
    assert.equal(NtTerminateProcess(m, h), STATUS_PROCESS_IS_TERMINATING);
    assertInvariants(m);
  });

  it('refuses to terminate the calling process', () => {
    const m = smallMachine();
    const me = m.createProcess('main');
    assert.equal(NtTerminateProcess(m, openProcessHandle(m, me)), STATUS_ACCESS_DENIED);
  });
});
