/**
 * Read and change the cells of an open notebook through its model (so undo works).
 */

import { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';

import { ICellView, IEditPlan } from './logic/edits';
import { ILocation } from './logic/types';

/** The tags of a cell model, as strings. */
export function cellTags(cell: ICellModel): string[] {
  const tags = cell.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Replace a cell's tags (dropping the key when none are left, as JupyterLab does). */
export function setCellTags(cell: ICellModel, tags: string[]): void {
  if (tags.length === 0) {
    cell.deleteMetadata('tags');
  } else {
    cell.setMetadata('tags', tags);
  }
}

/** Id, source and tags of every cell, in order. */
export function cellViews(panel: NotebookPanel): ICellView[] {
  const model = panel.content.model;
  if (!model) {
    return [];
  }
  const views: ICellView[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    views.push({ id: cell.id, source: cell.sharedModel.getSource(), tags: cellTags(cell) });
  }
  return views;
}

/** Apply a plan as one undoable step. */
export function applyPlan(panel: NotebookPanel, plan: IEditPlan): number {
  const model = panel.content.model;
  if (!model || plan.edits.length === 0) {
    return 0;
  }
  model.sharedModel.transact(() => {
    for (const edit of plan.edits) {
      const cell = model.cells.get(edit.index);
      if (edit.source !== null) {
        cell.sharedModel.setSource(edit.source);
      }
      if (edit.clearOutputs && cell.type === 'code') {
        (cell as ICodeCellModel).clearExecution();
      }
      if (edit.tags !== null) {
        setCellTags(cell, edit.tags);
      }
    }
  });
  return plan.edits.length;
}

/** Index of the cell a location names (by id first), or -1. */
export function findCell(panel: NotebookPanel, location: Partial<ILocation>): number {
  const model = panel.content.model;
  if (!model) {
    return -1;
  }
  if (location.cell_id) {
    for (let i = 0; i < model.cells.length; i++) {
      if (model.cells.get(i).id === location.cell_id) {
        return i;
      }
    }
  }
  const index = location.cell_index;
  return typeof index === 'number' && index >= 0 && index < model.cells.length ? index : -1;
}

/** Scroll to, select and activate the cell of a location; put the cursor on its line. */
export async function revealLocation(
  panel: NotebookPanel,
  location: Partial<ILocation>
): Promise<boolean> {
  const index = findCell(panel, location);
  if (index < 0) {
    return false;
  }
  const notebook = panel.content;
  notebook.mode = 'command';
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await notebook.scrollToItem(index, 'center');
  const cell = notebook.activeCell;
  if (cell && cell.model.type === 'code' && location.line) {
    await cell.ready;
    const editor = cell.editor;
    if (editor) {
      const line = Math.min(Math.max(location.line - 1, 0), editor.lineCount - 1);
      editor.setCursorPosition({ line, column: Math.max((location.column ?? 1) - 1, 0) });
      notebook.mode = 'edit';
      editor.focus();
    }
  }
  return true;
}
