/**
 * Editor features that talk to a stopped session: the debug hover's expression range, a hover
 * with the full page walk of an address, and inline values for variables on the lines up to the
 * current one.
 */
import * as vscode from 'vscode';
import { CustomRequest, type PageWalkBody } from '../adapter/protocol';
import { declaredNames, expressionAt } from './expressionAt';
import { pageWalkMarkdown } from './pageWalkMarkdown';
import type { VmmSessionEvents } from './sessionEvents';

export function registerLanguageProviders(context: vscode.ExtensionContext, events: VmmSessionEvents): void {
  const selector: vscode.DocumentSelector = { language: 'vmm' };
  context.subscriptions.push(
    vscode.languages.registerEvaluatableExpressionProvider(selector, {
      provideEvaluatableExpression(doc, pos) {
        const span = expressionAt(doc.lineAt(pos.line).text, pos.character);
        if (span === undefined) return undefined;
        return new vscode.EvaluatableExpression(new vscode.Range(pos.line, span.start, pos.line, span.end), span.text);
      },
    }),
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(doc, pos) {
        const session = events.stoppedSession;
        if (session === undefined) return undefined;
        const span = expressionAt(doc.lineAt(pos.line).text, pos.character);
        if (span === undefined) return undefined;
        // the value of the expression, without side effects, then its page walk when it is an address
        let value: string;
        try {
          const frameId = vscode.debug.activeStackItem instanceof vscode.DebugStackFrame ? vscode.debug.activeStackItem.frameId : 0;
          const r = (await session.customRequest('evaluate', { expression: span.text, context: 'watch', frameId })) as { result: string };
          value = r.result;
        } catch {
          return undefined;
        }
        const addr = /^(0x[0-9a-f]+|\d+)$/i.exec(value.trim());
        if (!addr) return undefined;
        try {
          const walk = (await session.customRequest(CustomRequest.pageWalk, { address: addr[1] })) as PageWalkBody;
          events.selectAddress(walk.address);
          const md = new vscode.MarkdownString(pageWalkMarkdown(walk));
          return new vscode.Hover(md, new vscode.Range(pos.line, span.start, pos.line, span.end));
        } catch {
          return undefined;
        }
      },
    }),
    vscode.languages.registerInlineValuesProvider(selector, {
      provideInlineValues(doc, viewport, ctx) {
        const out: vscode.InlineValue[] = [];
        const last = Math.min(ctx.stoppedLocation.end.line, viewport.end.line);
        for (let l = viewport.start.line; l <= last; l++) {
          const text = doc.lineAt(l).text;
          for (const name of declaredNames(text)) {
            const col = text.indexOf(name, text.indexOf('let'));
            out.push(new vscode.InlineValueVariableLookup(new vscode.Range(l, col, l, col + name.length), name, false));
          }
        }
        return out;
      },
    }),
  );
}
