/**
 * Parser and checker diagnostics for open .vmm documents, refreshed as the user types (debounced).
 */
import * as vscode from 'vscode';
import { parseScenario } from '../scenario/index';
import { check } from '../scenario/checker';
import { scenarioCheckEnv } from '../scenario/builtins/index';

export function registerDiagnostics(context: vscode.ExtensionContext): void {
  const collection = vscode.languages.createDiagnosticCollection('vmm');
  const env = scenarioCheckEnv();
  const timers = new Map<string, NodeJS.Timeout>();
  const refresh = (doc: vscode.TextDocument): void => {
    if (doc.languageId !== 'vmm') return;
    const { program, diagnostics } = parseScenario(doc.getText());
    const all = [...diagnostics, ...check(program, env)];
    collection.set(
      doc.uri,
      all.map((d) => {
        const range = new vscode.Range(d.range.start.line - 1, d.range.start.col - 1, d.range.end.line - 1, Math.max(d.range.end.col - 1, d.range.start.col));
        const diag = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diag.source = 'vmm';
        return diag;
      }),
    );
  };
  const schedule = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => refresh(doc), 250));
  };
  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
  vscode.workspace.textDocuments.forEach(refresh);
}
