import { buildFileTree, flattenTree } from '../src/logic/fileTree';
import { outputDirFor } from '../src/logic/outputDir';
import { readSuggestions } from '../src/logic/suggestions';

describe('readSuggestions', () => {
  it('reads the split stage\'s TagSuggestion values and drops what it cannot use', () => {
    const found = readSuggestions([
      { cell_index: 4, cell_id: 'e', tag: 'train', reason: 'calls .fit(' },
      { cell_index: 1, cell_id: null, tag: 'load', reason: 'reads a CSV' },
      { cell_index: 4, cell_id: 'e', tag: 'predict', reason: 'duplicate cell' },
      { cell_index: 2, tag: 'bogus' },
      'nonsense',
      null
    ]);
    expect(found).toEqual([
      { cellIndex: 1, cellId: null, tag: 'load', reason: 'reads a CSV' },
      { cellIndex: 4, cellId: 'e', tag: 'train', reason: 'calls .fit(' }
    ]);
  });
});

describe('buildFileTree', () => {
  it('lists folders before files, sorted, with depth', () => {
    const rows = flattenTree(
      buildFileTree(['src/pkg/train.py', 'README.md', 'src/pkg/load.py', 'pipeline.yaml'])
    ).map(({ node, depth }) => `${'  '.repeat(depth)}${node.name}${node.children ? '/' : ''}`);
    expect(rows).toEqual([
      'src/',
      '  pkg/',
      '    load.py',
      '    train.py',
      'README.md',
      'pipeline.yaml'
    ]);
  });
});

describe('outputDirFor', () => {
  it('puts the project next to the notebook by default', () => {
    expect(outputDirFor('', 'work/churn.ipynb')).toBe('work/churn-production');
    expect(outputDirFor('', 'churn.ipynb')).toBe('churn-production');
  });
  it('expands the settings pattern', () => {
    expect(outputDirFor('build/{{stem}}', 'a/b/house.ipynb')).toBe('build/house');
  });
});
