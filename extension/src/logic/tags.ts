/**
 * The cell tags Productionize understands, and how one click changes a cell's tags.
 */

/** Tags offered in the UI, in pipeline order (mirrors productionize.core.tags). */
export const STAGE_TAGS = [
  'parameters',
  'load',
  'clean',
  'train',
  'predict',
  'skip'
] as const;

export type StageTag = (typeof STAGE_TAGS)[number];

/** Whether a tag is one of Productionize's stage tags. */
export function isStageTag(tag: string): tag is StageTag {
  return (STAGE_TAGS as readonly string[]).includes(tag);
}

/** The cell's stage: its first stage tag, or null when it has none. */
export function stageOf(tags: readonly string[]): StageTag | null {
  const found = tags.find(isStageTag);
  return found === undefined ? null : found;
}

/**
 * Tags after a click on `stage`: set it as the only stage tag, or remove it when it is already
 * the cell's stage. Other tools' tags are kept in place.
 */
export function toggleStageTag(tags: readonly string[], stage: StageTag): string[] {
  const current = stageOf(tags);
  const others = tags.filter(tag => !isStageTag(tag));
  if (current === stage && tags.filter(isStageTag).length === 1) {
    return others;
  }
  return [...others, stage];
}

/** Tags after adding and removing some, without duplicates, keeping the original order. */
export function editTags(
  tags: readonly string[],
  add: readonly string[],
  remove: readonly string[]
): string[] {
  const kept = tags.filter(tag => !remove.includes(tag));
  for (const tag of add) {
    if (!kept.includes(tag)) {
      kept.push(tag);
    }
  }
  return kept;
}
