/**
 * Registers the tree views and the memory-map webview (separate modules, so the activation file
 * stays small).
 */
import type * as vscode from 'vscode';
import type { VmmSessionEvents } from './sessionEvents';
import { registerViews } from './views/index';
import { registerMemoryMap } from './memoryMap';

export function registerOptionalUi(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  registerViews(context, events);
  registerMemoryMap(context, events);
}
