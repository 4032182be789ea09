/**
 * Findings as the side panel shows them: grouped by severity, in notebook order.
 */

import { IFinding, Severity } from './types';

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];

export interface IFindingGroup {
  severity: Severity;
  findings: IFinding[];
}

/** Compare two findings by cell, line, column, then rule id. */
export function compareFindings(a: IFinding, b: IFinding): number {
  const key = (f: IFinding): number[] => [
    f.location.cell_index ?? -1,
    f.location.line ?? 0,
    f.location.column ?? 0
  ];
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) {
      return ka[i] - kb[i];
    }
  }
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}

/** Group findings by severity, most severe first; empty groups are left out. */
export function groupFindings(findings: readonly IFinding[]): IFindingGroup[] {
  return SEVERITY_ORDER.map(severity => ({
    severity,
    findings: findings.filter(f => f.severity === severity).sort(compareFindings)
  })).filter(group => group.findings.length > 0);
}

/**
 * "cell 3" as every Productionize message numbers cells: 0-based over all cells, markdown
 * included (the CLI, server errors and finding texts say "cell 3" for the same cell).
 */
export function cellLabel(index: number): string {
  return `cell ${index}`;
}

/** "cell 3, line 2", or "notebook" for findings about the whole notebook. */
export function describeLocation(finding: IFinding): string {
  const { cell_index, line } = finding.location;
  if (cell_index === null || cell_index === undefined) {
    return 'notebook';
  }
  return line ? `${cellLabel(cell_index)}, line ${line}` : cellLabel(cell_index);
}

/** Findings whose fix can be applied without asking (safe, with at least one edit). */
export function safeFixes(findings: readonly IFinding[]): IFinding[] {
  return findings.filter(f => f.fix !== null && f.fix.safe && f.fix.edits.length > 0);
}

/** "2 errors, 1 warning" — what the toolbar notification says. */
export function summarize(findings: readonly IFinding[]): string {
  if (findings.length === 0) {
    return 'no findings';
  }
  return groupFindings(findings)
    .map(g => `${g.findings.length} ${g.severity}${g.findings.length === 1 ? '' : 's'}`)
    .join(', ');
}
