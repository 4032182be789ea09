import { findTarget, ICellView, planEdits } from '../src/logic/edits';
import { ICellEdit } from '../src/logic/types';

const cells: ICellView[] = [
  { id: 'a', source: 'import os', tags: ['load'] },
  { id: 'b', source: '!pip install x', tags: [] },
  { id: 'c', source: 'print(1)', tags: ['train'] }
];

function edit(changes: Partial<ICellEdit>): ICellEdit {
  return {
    cell_index: 0,
    cell_id: null,
    new_source: null,
    clear_outputs: false,
    add_tags: [],
    remove_tags: [],
    ...changes
  };
}

describe('findTarget', () => {
  it('follows the cell id when cells moved since the lint', () => {
    expect(findTarget(edit({ cell_index: 0, cell_id: 'c' }), cells)).toBe(2);
  });
  it('falls back to the index only without an id', () => {
    expect(findTarget(edit({ cell_index: 1 }), cells)).toBe(1);
    expect(findTarget(edit({ cell_index: 9 }), cells)).toBe(-1);
    expect(findTarget(edit({ cell_index: 1, cell_id: 'gone' }), cells)).toBe(-1);
  });
});

describe('planEdits', () => {
  it('combines the edits of one cell and sorts by cell', () => {
    const plan = planEdits(
      [
        edit({ cell_index: 2, cell_id: 'c', add_tags: ['skip'], remove_tags: ['train'] }),
        edit({ cell_index: 1, cell_id: 'b', new_source: '# moved to requirements.txt' }),
        edit({ cell_index: 2, cell_id: 'c', clear_outputs: true })
      ],
      cells
    );
    expect(plan.problems).toEqual([]);
    expect(plan.edits).toEqual([
      { index: 1, source: '# moved to requirements.txt', clearOutputs: false, tags: null },
      { index: 2, source: null, clearOutputs: true, tags: ['skip'] }
    ]);
  });

  it('refuses to overwrite a cell the user changed after the lint', () => {
    const linted = cells.map(c => (c.id === 'b' ? { ...c, source: '!pip install y' } : c));
    const plan = planEdits([edit({ cell_index: 1, cell_id: 'b', new_source: '' })], cells, linted);
    expect(plan.edits).toEqual([]);
    expect(plan.problems).toEqual(['cell 1 changed since it was linted; lint again']);
  });

  it('reports deleted cells and conflicting rewrites instead of guessing', () => {
    const plan = planEdits(
      [
        edit({ cell_index: 5, cell_id: 'zz', new_source: 'x' }),
        edit({ cell_index: 0, cell_id: 'a', new_source: 'one' }),
        edit({ cell_index: 0, cell_id: 'a', new_source: 'two' })
      ],
      cells,
      cells
    );
    expect(plan.edits.map(e => [e.index, e.source])).toEqual([[0, 'one']]);
    expect(plan.problems).toEqual([
      'cell 5 no longer exists; lint again',
      'two fixes rewrite cell 0; apply one, then lint again'
    ]);
  });
});
