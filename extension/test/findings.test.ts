import {
  describeLocation,
  groupFindings,
  safeFixes,
  summarize
} from '../src/logic/findings';
import { IFinding, Severity } from '../src/logic/types';

function finding(
  rule: string,
  severity: Severity,
  cell: number | null,
  line: number | null = null,
  safe: boolean | null = null
): IFinding {
  return {
    rule,
    severity,
    message: `${rule} message`,
    location: { path: 'nb.ipynb', cell_index: cell, cell_id: null, line, column: null },
    fix:
      safe === null
        ? null
        : {
            description: 'fix it',
            safe,
            requirements: [],
            edits: [
              {
                cell_index: cell ?? 0,
                cell_id: null,
                new_source: 'x = 1\n',
                clear_outputs: false,
                add_tags: [],
                remove_tags: []
              }
            ]
          }
  };
}

describe('groupFindings', () => {
  it('puts errors first, then warnings, then info, each in notebook order', () => {
    const groups = groupFindings([
      finding('PN702', 'info', 3, 1),
      finding('PN501', 'warning', 5, 2),
      finding('PN201', 'error', 4, 1),
      finding('PN502', 'warning', 1, 7),
      finding('PN503', 'warning', 1, 2)
    ]);
    expect(groups.map(g => g.severity)).toEqual(['error', 'warning', 'info']);
    expect(groups[1].findings.map(f => f.rule)).toEqual(['PN503', 'PN502', 'PN501']);
  });
  it('leaves out empty groups and puts notebook-level findings first', () => {
    const groups = groupFindings([finding('B', 'warning', 2), finding('A', 'warning', null)]);
    expect(groups).toHaveLength(1);
    expect(groups[0].findings.map(f => f.rule)).toEqual(['A', 'B']);
  });
});

describe('describeLocation', () => {
  it('numbers cells from 0 as the messages, the CLI and the server errors do', () => {
    expect(describeLocation(finding('A', 'info', 0, 3))).toBe('cell 0, line 3');
    expect(describeLocation(finding('A', 'info', 4))).toBe('cell 4');
    expect(describeLocation(finding('A', 'info', null))).toBe('notebook');
  });
});

describe('safeFixes and summarize', () => {
  it('keeps only safe fixes with edits', () => {
    const all = [
      finding('A', 'error', 0, 1, true),
      finding('B', 'error', 0, 1, false),
      finding('C', 'error', 0, 1)
    ];
    expect(safeFixes(all).map(f => f.rule)).toEqual(['A']);
    expect(summarize(all)).toBe('3 errors');
    expect(summarize([finding('A', 'warning', 0), finding('B', 'info', 1)])).toBe(
      '1 warning, 1 info'
    );
    expect(summarize([])).toBe('no findings');
  });
});
