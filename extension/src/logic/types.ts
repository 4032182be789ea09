/**
 * The JSON the server extension sends (mirrors productionize.model.to_dict output).
 */

export type Severity = 'error' | 'warning' | 'info';

export interface ILocation {
  path: string;
  cell_index: number | null;
  cell_id: string | null;
  line: number | null;
  column: number | null;
}

export interface ICellEdit {
  cell_index: number;
  cell_id: string | null;
  new_source: string | null;
  clear_outputs: boolean;
  add_tags: string[];
  remove_tags: string[];
}

export interface IFix {
  description: string;
  safe: boolean;
  edits: ICellEdit[];
  requirements: string[];
}

export interface IFinding {
  rule: string;
  severity: Severity;
  location: ILocation;
  message: string;
  fix: IFix | null;
}

export interface ILintResponse {
  path: string;
  findings: IFinding[];
  /** Only for a notebook without stage tags: the stages the split would infer. */
  suggestions?: unknown[];
}

export interface IGeneratedFile {
  path: string;
  content: string;
}

export interface ISplitResponse {
  path: string;
  files: IGeneratedFile[];
  suggestions: unknown[];
  /** The notebook has no stage tags: the preview applies the suggested ones. */
  inferred_tags?: boolean;
  /** Why part of the project is missing from the preview (e.g. the service cannot be planned). */
  notes?: string[];
}

/** A failure as the server reports it: a message and, where known, where. */
export interface IErrorBody {
  error: string;
  message: string;
  text?: string;
  path?: string | null;
  cell_index?: number | null;
  cell_id?: string | null;
  line?: number | null;
  column?: number | null;
  feature?: string;
  /** The notebook has no stage tags and the failure is about the stages the split inferred. */
  inferred_tags?: boolean;
  /** Those inferred stages (split suggestions), so the UI can show them on the cells. */
  suggestions?: unknown[];
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface IJobMessage {
  step: string;
  detail: string;
  time: number;
}

export interface IJob<R = unknown> {
  id: string;
  kind: string;
  state: JobState;
  finished: boolean;
  cancel_requested: boolean;
  messages: IJobMessage[];
  result: R | null;
  error: IErrorBody | null;
}

export interface IBuildResult {
  outdir: string;
  files: string[];
  build: { notes?: string[]; findings?: IFinding[]; report?: unknown };
}

export interface IPublishResult {
  branch?: string;
  commit?: string | null;
  pushed?: boolean;
  created_commit?: boolean;
  pr_url?: string | null;
  compare_url?: string | null;
  messages?: string[];
}

export interface IInfo {
  version: string;
  features: Record<string, boolean>;
}
