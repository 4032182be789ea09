/**
 * Stage-tag suggestions from the split stage, normalised for the UI.
 *
 * The server sends the split stage's suggestion values as-is; this reads the fields the UI
 * needs (which cell, which tag, why) and ignores anything it does not understand.
 */

import { isStageTag, StageTag } from './tags';

export interface ITagSuggestion {
  cellIndex: number;
  cellId: string | null;
  tag: StageTag;
  reason: string;
}

function pick(raw: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) {
    if (raw[key] !== undefined && raw[key] !== null) {
      return raw[key];
    }
  }
  return undefined;
}

/** Read one suggestion; null when it names no cell or no known stage tag. */
export function readSuggestion(raw: unknown): ITagSuggestion | null {
  if (typeof raw !== 'object' || raw === null) {
    return null;
  }
  const data = raw as Record<string, unknown>;
  const location = (typeof data.location === 'object' && data.location) as Record<string, unknown>;
  const source = location || data;
  const cellIndex = pick(source, 'cell_index', 'index');
  const tag = pick(data, 'tag', 'stage', 'suggested', 'suggested_tag');
  if (typeof cellIndex !== 'number' || typeof tag !== 'string' || !isStageTag(tag)) {
    return null;
  }
  const cellId = pick(source, 'cell_id', 'id');
  const reason = pick(data, 'reason', 'message', 'why');
  return {
    cellIndex,
    cellId: typeof cellId === 'string' ? cellId : null,
    tag,
    reason: typeof reason === 'string' ? reason : ''
  };
}

/** All usable suggestions, one per cell (the first wins), in cell order. */
export function readSuggestions(raw: readonly unknown[]): ITagSuggestion[] {
  const seen = new Set<number>();
  const found: ITagSuggestion[] = [];
  for (const item of raw) {
    const suggestion = readSuggestion(item);
    if (suggestion && !seen.has(suggestion.cellIndex)) {
      seen.add(suggestion.cellIndex);
      found.push(suggestion);
    }
  }
  return found.sort((a, b) => a.cellIndex - b.cellIndex);
}
