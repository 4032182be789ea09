/**
 * Changes outside the notebook that go with one of its undo steps: the `!pip install x` fix
 * deletes a line (undone by the notebook's Undo) and adds x to requirements.txt (not part of
 * the notebook); Undo of that step must take x out again, Redo put it back.
 *
 * The notebook's shared model keeps a Yjs UndoManager; a record is kept in the `meta` of the
 * step's stack item (as JupyterLab keeps cell executions there) and moves to the item that
 * replaces it on the other stack when the step is undone or redone.
 */

/** The part of a Yjs UndoManager stack item used here. */
export interface IStackItem {
  meta: Map<unknown, unknown>;
}

/** The part of a Yjs UndoManager used here. */
export interface IUndoManager {
  undoStack: IStackItem[];
  redoStack: IStackItem[];
  stopCapturing(): void;
  on(
    name: 'stack-item-popped',
    listener: (event: { stackItem: IStackItem; type: 'undo' | 'redo' }) => void
  ): void;
}

export interface IUndoEffects<T> {
  /** The step was undone: take back what it did outside the notebook. */
  undo(record: T): void | Promise<void>;
  /** The step was redone: do it again (the record may be updated in place). */
  redo(record: T): void | Promise<void>;
}

const META_KEY = 'jupyterlab-productionize:undo-effects';

/** Tracks records of outside changes on the undo steps of notebooks. */
export class UndoEffects<T> {
  constructor(private readonly effects: IUndoEffects<T>) {}

  /**
   * Make `change` its own undo step (not merged with an edit typed just before or after) and
   * return that step's stack item, or null when it changed nothing undoable.
   */
  capture(manager: IUndoManager | null | undefined, change: () => number): IStackItem | null {
    if (!manager) {
      change();
      return null;
    }
    manager.stopCapturing();
    const before = manager.undoStack[manager.undoStack.length - 1];
    const changed = change();
    const after = manager.undoStack[manager.undoStack.length - 1];
    manager.stopCapturing();
    return changed > 0 && after && after !== before ? after : null;
  }

  /**
   * Record what a step did outside the notebook. When the step was undone meanwhile (the
   * server answered after the user pressed Undo), it is taken back at once.
   */
  attach(manager: IUndoManager, item: IStackItem, record: T): void {
    this.listen(manager);
    if (!manager.undoStack.includes(item)) {
      void this.effects.undo(record);
      return;
    }
    item.meta.set(META_KEY, record);
  }

  private listen(manager: IUndoManager): void {
    if (this.listening.has(manager)) {
      return;
    }
    this.listening.add(manager);
    manager.on('stack-item-popped', ({ stackItem, type }) => {
      if (!stackItem.meta.has(META_KEY)) {
        return;
      }
      const record = stackItem.meta.get(META_KEY) as T;
      // the undone step is now on the redo stack (and the reverse), as a new item
      const stack = type === 'undo' ? manager.redoStack : manager.undoStack;
      stack[stack.length - 1]?.meta.set(META_KEY, record);
      void (type === 'undo' ? this.effects.undo(record) : this.effects.redo(record));
    });
  }

  private listening = new WeakSet<IUndoManager>();
}
