import { IStackItem, IUndoManager, UndoEffects } from '../src/logic/undoEffects';

/** Undo and redo as Yjs does them: a popped step comes back as a new item on the other stack. */
class FakeUndoManager implements IUndoManager {
  undoStack: IStackItem[] = [];
  redoStack: IStackItem[] = [];
  merging = false;
  private listeners: Array<(event: { stackItem: IStackItem; type: 'undo' | 'redo' }) => void> =
    [];

  edit(): void {
    if (this.merging && this.undoStack.length > 0) {
      return; // within the capture timeout: merged into the last step
    }
    this.undoStack.push({ meta: new Map() });
    this.redoStack = [];
    this.merging = true;
  }
  stopCapturing(): void {
    this.merging = false;
  }
  on(_name: 'stack-item-popped', listener: (event: any) => void): void {
    this.listeners.push(listener);
  }
  undo(): void {
    this.pop(this.undoStack, this.redoStack, 'undo');
  }
  redo(): void {
    this.pop(this.redoStack, this.undoStack, 'redo');
  }
  private pop(from: IStackItem[], to: IStackItem[], type: 'undo' | 'redo'): void {
    const stackItem = from.pop();
    if (stackItem) {
      to.push({ meta: new Map() });
      this.merging = false;
      this.listeners.forEach(listener => listener({ stackItem, type }));
    }
  }
}

describe('UndoEffects', () => {
  function setup() {
    const calls: string[] = [];
    const effects = new UndoEffects<{ added: string[] }>({
      undo: record => void calls.push(`remove ${record.added}`),
      redo: record => void calls.push(`add ${record.added}`)
    });
    return { calls, effects, manager: new FakeUndoManager() };
  }

  it('takes back on Undo and does again on Redo, only for its own step', () => {
    const { calls, effects, manager } = setup();
    manager.edit(); // the user typed just before: the fix must not merge into it
    const item = effects.capture(manager, () => (manager.edit(), 1));
    expect(item).not.toBeNull();
    expect(manager.undoStack).toHaveLength(2);
    effects.attach(manager, item!, { added: ['seaborn'] });
    manager.edit(); // typed after: its own step
    manager.undo();
    expect(calls).toEqual([]);
    manager.undo();
    expect(calls).toEqual(['remove seaborn']);
    manager.redo();
    manager.undo();
    expect(calls).toEqual(['remove seaborn', 'add seaborn', 'remove seaborn']);
    manager.undo(); // the user's first edit: nothing outside the notebook
    expect(calls).toHaveLength(3);
  });

  it('takes back at once when the step was undone before the record arrived', () => {
    const { calls, effects, manager } = setup();
    const item = effects.capture(manager, () => (manager.edit(), 1));
    manager.undo();
    effects.attach(manager, item!, { added: ['xgboost'] });
    expect(calls).toEqual(['remove xgboost']);
  });

  it('captures nothing when nothing changed or there is no undo manager', () => {
    const { effects, manager } = setup();
    expect(effects.capture(manager, () => 0)).toBeNull();
    expect(effects.capture(null, () => 1)).toBeNull();
  });
});
