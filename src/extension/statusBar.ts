/**
 * A status-bar item with the machine's commit charge and available memory, updated at each stop
 * of a vmm session and hidden when none runs.
 */
import * as vscode from 'vscode';
import { CustomRequest, type StatusBody } from '../adapter/protocol';
import type { VmmSessionEvents } from './sessionEvents';

const mb = (pages: number) => `${((pages * 4096) / 1024 / 1024).toFixed(pages * 4096 < 10 * 1024 * 1024 ? 1 : 0)} MB`;

export function registerStatusBar(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  const item = vscode.window.createStatusBarItem('vmmLab.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'VMM Lab machine';
  item.command = 'vmmLab.showMemoryMap';
  context.subscriptions.push(
    item,
    events.onDidStop(async (session) => {
      try {
        const s = (await session.customRequest(CustomRequest.status)) as StatusBody;
        item.text = `$(server) commit ${mb(s.commitCharge)} / ${mb(s.commitLimit)} · available ${mb(s.availablePages)}`;
        item.tooltip = `Commit charge ${s.commitCharge} of ${s.commitLimit} pages; ${s.availablePages} pages available (Zeroed + Free + Standby). Click for the physical memory map.`;
        item.show();
      } catch {
        item.hide();
      }
    }),
    events.onDidEnd(() => item.hide()),
  );
}
