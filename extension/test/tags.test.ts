import { editTags, stageOf, toggleStageTag } from '../src/logic/tags';

describe('toggleStageTag', () => {
  it('sets the stage on an untagged cell, keeping other tools\' tags', () => {
    expect(toggleStageTag(['hide-input'], 'train')).toEqual(['hide-input', 'train']);
  });
  it('replaces the previous stage: a cell has one stage', () => {
    expect(toggleStageTag(['load', 'remove-output'], 'clean')).toEqual(['remove-output', 'clean']);
  });
  it('removes the stage when clicked again', () => {
    expect(toggleStageTag(['x', 'train'], 'train')).toEqual(['x']);
  });
  it('collapses conflicting stage tags into the clicked one', () => {
    expect(toggleStageTag(['train', 'predict'], 'train')).toEqual(['train']);
  });
});

describe('stageOf', () => {
  it('is the first known stage tag', () => {
    expect(stageOf(['foo', 'predict', 'train'])).toBe('predict');
    expect(stageOf(['foo'])).toBeNull();
  });
});

describe('editTags', () => {
  it('adds without duplicates and removes in one pass', () => {
    expect(editTags(['a', 'b'], ['b', 'c'], ['a'])).toEqual(['b', 'c']);
  });
});
