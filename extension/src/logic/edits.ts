/**
 * Turn a fix's cell edits into concrete changes for the cells of the open notebook.
 *
 * Edits name a cell by id (and index); the notebook may have changed since it was linted, so
 * each edit is matched by id first, and refused when the cell's text is no longer what was
 * linted: a fix must never overwrite what the user typed after the check.
 */

import { cellLabel } from './findings';
import { editTags } from './tags';
import { ICellEdit } from './types';

/** What the planner needs to know about one cell of the open notebook. */
export interface ICellView {
  id: string;
  source: string;
  tags: string[];
}

/** The change to make to one cell, all edits for it combined. */
export interface IPlannedEdit {
  index: number;
  source: string | null;
  clearOutputs: boolean;
  tags: string[] | null;
}

export interface IEditPlan {
  edits: IPlannedEdit[];
  problems: string[];
}

/** Index of the cell an edit targets: by id when it has one, else by index; -1 if gone. */
export function findTarget(edit: ICellEdit, cells: readonly ICellView[]): number {
  if (edit.cell_id) {
    return cells.findIndex(cell => cell.id === edit.cell_id);
  }
  return edit.cell_index >= 0 && edit.cell_index < cells.length ? edit.cell_index : -1;
}

/**
 * Plan edits against the current cells. `linted` are the cells as they were sent to the linter
 * (same order); a cell whose source differs from that snapshot is not touched.
 */
export function planEdits(
  edits: readonly ICellEdit[],
  cells: readonly ICellView[],
  linted?: readonly ICellView[]
): IEditPlan {
  const byIndex = new Map<number, IPlannedEdit>();
  const problems: string[] = [];
  for (const edit of edits) {
    const index = findTarget(edit, cells);
    if (index < 0) {
      problems.push(`${cellLabel(edit.cell_index)} no longer exists; lint again`);
      continue;
    }
    const cell = cells[index];
    const before = linted ? linted.find(c => c.id === cell.id) : undefined;
    if (linted && (before === undefined || before.source !== cell.source)) {
      problems.push(`${cellLabel(index)} changed since it was linted; lint again`);
      continue;
    }
    const planned = byIndex.get(index) ?? {
      index,
      source: null,
      clearOutputs: false,
      tags: null
    };
    if (edit.new_source !== null && edit.new_source !== undefined) {
      if (planned.source !== null && planned.source !== edit.new_source) {
        problems.push(`two fixes rewrite ${cellLabel(index)}; apply one, then lint again`);
        continue;
      }
      planned.source = edit.new_source;
    }
    planned.clearOutputs = planned.clearOutputs || edit.clear_outputs;
    if (edit.add_tags.length > 0 || edit.remove_tags.length > 0) {
      planned.tags = editTags(planned.tags ?? cell.tags, edit.add_tags, edit.remove_tags);
    }
    byIndex.set(index, planned);
  }
  const planned = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return { edits: planned, problems };
}
