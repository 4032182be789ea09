/**
 * What the commands do: lint, tag, preview, build, publish — for the current notebook.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, MainAreaWidget, Notification, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';

import { cancelJob, describeFailure, followJob, postAPI, ProductionizeRequestError } from './api';
import { FindingsPanel } from './findingsPanel';
import { productionizeIcon } from './icons';
import { ICellView, planEdits } from './logic/edits';
import { summarize } from './logic/findings';
import { outputDirFor } from './logic/outputDir';
import { readSuggestions } from './logic/suggestions';
import { StageTag, toggleStageTag } from './logic/tags';
import { IUndoManager, UndoEffects } from './logic/undoEffects';
import {
  IBuildResult,
  IErrorBody,
  IFinding,
  IJob,
  ILintResponse,
  ISplitResponse
} from './logic/types';
import { applyPlan, cellTags, cellViews, revealLocation, setCellTags } from './notebookCells';
import { PreviewView } from './previewPanel';
import { publishForReview } from './publishDialog';
import { IProductionizeSettings, readSettings } from './settings';
import { StageLabels } from './stageLabels';

/** What POST /productionize/requirements answers (`added` when adding, `removed` with remove). */
interface IRequirementsAnswer {
  path: string;
  added: string[];
  created?: boolean;
  removed?: string[];
}

/** The requirements.txt lines one applied fix added (what its Undo takes back). */
interface IAddedRequirements {
  notebookPath: string;
  added: string[];
  created: boolean;
}

/** The notebook's own undo history (a Yjs UndoManager on its shared model), if it has one. */
function undoManagerOf(notebook: NotebookPanel): IUndoManager | null {
  const shared = notebook.content.model?.sharedModel as unknown as
    | { undoManager?: IUndoManager }
    | undefined;
  return shared?.undoManager ?? null;
}

/** How long a failure toast stays (its full text is kept in the side panel or the preview). */
const FAILURE_TOAST_MS = 15000;

export class ProductionizeController {
  constructor(
    readonly app: JupyterFrontEnd,
    readonly tracker: INotebookTracker
  ) {
    this.panel = new FindingsPanel({
      reveal: finding => void this.reveal(finding),
      acceptSuggestions: () => {
        const notebook = this.findNotebook(this.panel.notebookPath);
        if (notebook) {
          const accepted = this.labelsFor(notebook).acceptAllSuggestions();
          Notification.success(`Accepted ${accepted} suggested tag${accepted === 1 ? '' : 's'}.`, {
            autoClose: 4000
          });
          void this.lint(notebook);
        }
      },
      applyFixes: findings => void this.applyFixes(findings),
      relint: () => void this.lint(),
      run: command => {
        if (command === 'preview') {
          void this.preview();
        } else if (command === 'build') {
          void this.build();
        } else {
          void this.publish();
        }
      }
    });
    tracker.widgetAdded.connect((_, notebook) => this.labelsFor(notebook));
    tracker.forEach(notebook => this.labelsFor(notebook));
  }

  readonly panel: FindingsPanel;

  useSettings(settings: ISettingRegistry.ISettings): void {
    this.settingsSource = settings;
  }

  get settings(): IProductionizeSettings {
    return readSettings(this.settingsSource);
  }

  /** The notebook the commands act on: the panel's notebook when the side panel has focus. */
  current(): NotebookPanel | null {
    const current = this.tracker.currentWidget;
    if (current) {
      return current;
    }
    return this.findNotebook(this.panel.notebookPath);
  }

  labelsFor(notebook: NotebookPanel): StageLabels {
    let labels = this.labels.get(notebook);
    if (!labels) {
      labels = new StageLabels(notebook);
      this.labels.set(notebook, labels);
      notebook.disposed.connect(() => this.labels.delete(notebook));
    }
    return labels;
  }

  /** Lint the live notebook (what the user sees, saved or not) and show the findings. */
  async lint(notebook = this.current()): Promise<IFinding[] | null> {
    if (!notebook) {
      return null;
    }
    await notebook.context.ready;
    const path = notebook.context.localPath;
    this.showPanel();
    this.panel.showBusy(path);
    const snapshot = cellViews(notebook);
    try {
      const response = await postAPI<ILintResponse>('lint', {
        path,
        notebook: notebook.context.model.toJSON(),
        options: this.ruleOptions()
      });
      this.snapshots.set(notebook, snapshot);
      // an untagged notebook: the stages split would infer appear on the cells right away
      const labels = this.labelsFor(notebook);
      if (response.suggestions) {
        labels.setSuggestions(readSuggestions(response.suggestions));
      }
      this.panel.showFindings(
        path,
        response.findings,
        response.suggestions ? labels.pendingSuggestions : 0
      );
      Notification.emit(`Productionize: ${path}: ${summarize(response.findings)}`, 'info', {
        autoClose: 4000
      });
      return response.findings;
    } catch (error) {
      this.panel.showMessage(`Lint failed: ${describeFailure(error)}`, true);
      this.notifyFailure('Lint failed', error, notebook);
      return null;
    }
  }

  /** Tag the active (and selected) cells with a stage, or remove it if they all have it. */
  tagCells(stage: StageTag, notebook = this.current()): void {
    const model = notebook?.content.model;
    if (!notebook || !model) {
      return;
    }
    const targets = notebook.content.widgets.filter(
      cell => notebook.content.isSelectedOrActive(cell) && cell.model.type === 'code'
    );
    model.sharedModel.transact(() => {
      for (const cell of targets) {
        setCellTags(cell.model, toggleStageTag(cellTags(cell.model), stage));
      }
    });
  }

  /** Go to a finding's cell and line in its notebook. */
  async reveal(finding: IFinding): Promise<void> {
    const notebook = this.findNotebook(this.panel.notebookPath) ?? this.current();
    if (!notebook) {
      return;
    }
    this.app.shell.activateById(notebook.id);
    await revealLocation(notebook, finding.location);
  }

  /** Apply fixes through the notebook model (one undo step); refuse stale edits. */
  async applyFixes(findings: IFinding[]): Promise<void> {
    const notebook = this.findNotebook(this.panel.notebookPath);
    if (!notebook) {
      Notification.warning('Open the notebook these findings belong to first.');
      return;
    }
    const edits = findings.flatMap(f => (f.fix && f.fix.safe ? f.fix.edits : []));
    const plan = planEdits(edits, cellViews(notebook), this.snapshots.get(notebook));
    const undoManager = undoManagerOf(notebook);
    let applied = 0;
    // one undo step of its own, so that its Undo can also take back requirements.txt lines
    const step = this.undoEffects.capture(undoManager, () => (applied = applyPlan(notebook, plan)));
    if (plan.problems.length > 0) {
      Notification.warning(`Some fixes were not applied: ${plan.problems.join('; ')}`, {
        autoClose: 8000
      });
    }
    if (applied === 0) {
      return;
    }
    // a deleted `!pip install x` line must not lose x: it goes to requirements.txt, as --fix does
    const applyingCells = new Set(plan.edits.map(e => e.index));
    const requirements = findings
      .filter(f => f.location.cell_index !== null && applyingCells.has(f.location.cell_index))
      .flatMap(f => f.fix?.requirements ?? []);
    let added = '';
    if (requirements.length > 0) {
      try {
        const path = notebook.context.localPath;
        const answer = await postAPI<IRequirementsAnswer>('requirements', { path, requirements });
        added = answer.added.length
          ? ` Added ${answer.added.join(', ')} to ${answer.path} (Undo takes it out again).`
          : ` ${requirements.join(', ')} already in ${answer.path}.`;
        if (step && undoManager && answer.added.length) {
          // only what this fix added: a package listed before stays when the fix is undone
          this.undoEffects.attach(undoManager, step, {
            notebookPath: path,
            added: answer.added,
            created: answer.created === true
          });
        }
      } catch (error) {
        const what = requirements.join(', ');
        added = ` Add to requirements.txt by hand: ${what} (${describeFailure(error)}).`;
      }
    }
    Notification.success(
      `Applied fixes to ${applied} cell${applied === 1 ? '' : 's'} (Undo reverts them).${added}`,
      { autoClose: 6000 }
    );
    void this.lint(notebook);
  }

  /** Show the files the split stage would write, and its tag suggestions. */
  async preview(notebook = this.current()): Promise<void> {
    if (!notebook) {
      return;
    }
    await notebook.context.ready;
    const path = notebook.context.localPath;
    const view = new PreviewView(path, {
      acceptSuggestions: () => {
        const accepted = this.labelsFor(notebook).acceptAllSuggestions();
        Notification.success(`Accepted ${accepted} suggested tag${accepted === 1 ? '' : 's'}.`, {
          autoClose: 4000
        });
        void this.preview(notebook);
      },
      build: () => void this.build(notebook),
      goToCell: index => this.goTo(notebook, { cell_index: index })
    });
    const widget = new MainAreaWidget({ content: view });
    widget.id = `jp-productionize-preview-${++this.counter}`;
    widget.title.label = `Preview: ${path.split('/').pop()}`;
    widget.title.icon = productionizeIcon;
    widget.title.closable = true;
    this.previews.get(notebook)?.dispose();
    this.previews.set(notebook, widget);
    this.app.shell.add(widget, 'main', { mode: 'split-right' });
    try {
      const response = await postAPI<ISplitResponse>('split', {
        path,
        notebook: notebook.context.model.toJSON(),
        options: this.ruleOptions()
      });
      const suggestions = readSuggestions(response.suggestions ?? []);
      this.labelsFor(notebook).setSuggestions(suggestions);
      view.showFiles(
        response.files,
        suggestions,
        response.inferred_tags ?? false,
        response.notes ?? []
      );
    } catch (error) {
      const body = error instanceof ProductionizeRequestError ? error.body : null;
      // an untagged notebook whose inferred stages do not split: show those stages on the
      // cells (dashed chips, one click accepts) so the user can see and correct them
      const suggestions = readSuggestions(body?.suggestions ?? []);
      if (suggestions.length > 0) {
        this.labelsFor(notebook).setSuggestions(suggestions);
      }
      view.showError(
        `Preview failed: ${describeFailure(error)}`,
        typeof body?.cell_index === 'number' ? body.cell_index : null,
        suggestions
      );
      // the preview tab shows the whole message: "Details" goes there, not to the panel
      this.notifyFailure('Preview failed', error, notebook, {
        details: () => this.app.shell.activateById(widget.id)
      });
    }
  }

  /** Save the notebook, then build the project on the server as a job with progress. */
  async build(notebook = this.current(), force = false): Promise<IBuildResult | null> {
    if (!notebook) {
      return null;
    }
    await notebook.context.ready;
    const settings = this.settings;
    const outdir = outputDirFor(settings.outputDir, notebook.context.localPath);
    if (this.building.has(notebook)) {
      // a second click would queue a second build of the same project behind the first
      Notification.info(`${outdir} is already being built: wait for it, or Cancel it first.`, {
        autoClose: 5000
      });
      return null;
    }
    this.building.add(notebook);
    try {
      return await this.runBuild(notebook, outdir, force);
    } finally {
      this.building.delete(notebook);
    }
  }

  private async runBuild(
    notebook: NotebookPanel,
    outdir: string,
    force: boolean
  ): Promise<IBuildResult | null> {
    if (notebook.context.model.dirty) {
      await notebook.context.save();
    }
    const path = notebook.context.localPath;
    const settings = this.settings;
    const id = Notification.emit(`Building ${outdir}…`, 'in-progress', { autoClose: false });
    let job: IJob<IBuildResult> | null = null;
    Notification.update({
      id,
      message: `Building ${outdir}…`,
      actions: [
        {
          label: 'Cancel',
          callback: event => {
            event.preventDefault();
            if (job && !job.finished) {
              void cancelJob(job.id);
            }
          }
        }
      ]
    });
    try {
      const started = await postAPI<{ job: IJob<IBuildResult> }>('build', {
        path,
        outdir,
        verify: settings.verify,
        force,
        framework: settings.framework,
        options: this.ruleOptions()
      });
      job = await followJob(started.job, update => {
        job = update;
        const last = update.messages[update.messages.length - 1];
        if (!update.finished && last) {
          Notification.update({ id, message: `Building ${outdir}: ${last.detail || last.step}` });
        }
      });
    } catch (error) {
      this.notifyFailure('Build failed', error, notebook, { toast: id });
      return null;
    }
    const finished = job as IJob<IBuildResult>;
    if (finished.state === 'succeeded' && finished.result) {
      const result = finished.result;
      // what stopped the previous attempt is over
      if (this.failureToast && this.failureToast !== id) {
        Notification.dismiss(this.failureToast);
      }
      this.failureToast = null;
      this.panel.clearFailure();
      Notification.update({
        id,
        type: 'success',
        message: [`Built ${result.outdir}: ${result.files.length} files.`, ...(result.build.notes ?? [])]
          .join(' ')
          .slice(0, 600),
        autoClose: 8000,
        actions: [
          { label: 'Show files', callback: () => void this.showFiles(result) },
          { label: 'Publish…', callback: () => void this.publish(notebook) }
        ]
      });
      this.lastBuild.set(notebook, result.outdir);
      return result;
    }
    // the progress toast becomes the outcome (a dismissed toast that was updated while the
    // job ran could stay on screen, still saying "Building…")
    if (finished.state === 'cancelled') {
      Notification.update({
        id,
        type: 'info',
        message: 'Build stopped.',
        autoClose: 4000,
        actions: []
      });
    } else if (finished.error?.error === 'LintFailed') {
      await this.explainLintGate(notebook, id);
    } else if (finished.error?.error === 'OutputError' && !force) {
      // hand-edited or foreign files in the output folder: the CLI's --force, as a button
      this.notifyFailure('Build failed', finished.error, notebook, {
        toast: id,
        remedies: [{ label: 'Overwrite', run: () => void this.build(notebook, true) }]
      });
    } else {
      this.notifyFailure('Build failed', finished.error, notebook, { toast: id });
    }
    return null;
  }

  /**
   * The build stopped at its lint gate: list the errors in the panel (the server's message
   * speaks of the command line) and say what to do, with a way to the first one.
   */
  private async explainLintGate(notebook: NotebookPanel, toast: string): Promise<void> {
    const findings = (await this.lint(notebook)) ?? [];
    const errors = findings.filter(f => f.severity === 'error');
    const count = errors.length || 'some';
    const plural = errors.length === 1 ? '' : 's';
    const message =
      `The notebook has ${count} lint error${plural}, and a notebook with errors is not built. ` +
      'They are listed below under Error: click one to go to its cell, ' +
      'fix it (Apply does it for the safe ones), then Build again.';
    const first = errors[0]?.location;
    const error = { error: 'LintFailed', message, ...(first ?? {}) };
    this.notifyFailure('Build stopped', error, notebook, { toast });
  }

  /** Open the publish dialog for the notebook's generated project. */
  async publish(notebook = this.current()): Promise<void> {
    if (!notebook) {
      return;
    }
    const settings = this.settings;
    const path = notebook.context.localPath;
    await publishForReview({
      outdir: this.lastBuild.get(notebook) ?? outputDirFor(settings.outputDir, path),
      remote: settings.defaultRemote,
      branch: '',
      base: settings.baseBranch,
      provider: settings.provider,
      subdir: '',
      overwrite_edited: false
    });
  }

  showPanel(): void {
    if (!this.panel.isAttached) {
      this.app.shell.add(this.panel, 'right', { rank: 600 });
    }
    this.app.shell.activateById(this.panel.id);
  }

  private ruleOptions(): Record<string, unknown> {
    const settings = this.settings;
    return {
      select: settings.selectRules,
      ignore: settings.ignoreRules,
      framework: settings.framework
    };
  }

  private findNotebook(path: string | null): NotebookPanel | null {
    if (!path) {
      return null;
    }
    return this.tracker.find(widget => widget.context.localPath === path) ?? null;
  }

  private async showFiles(result: IBuildResult): Promise<void> {
    const list = document.createElement('ul');
    list.className = 'jp-productionize-filelist';
    for (const file of result.files) {
      const row = document.createElement('li');
      row.textContent = file;
      list.appendChild(row);
    }
    const body = document.createElement('div');
    body.append(`Written to ${result.outdir}:`, list);
    await showDialog({
      title: 'Generated project',
      body: new WidgetFromNode(body),
      buttons: [Dialog.okButton()]
    });
  }

  /** Go to a cell (and line) of a notebook. */
  private goTo(notebook: NotebookPanel, location: Partial<IErrorBody>): void {
    this.app.shell.activateById(notebook.id);
    void revealLocation(notebook, {
      cell_index: location.cell_index ?? null,
      cell_id: location.cell_id ?? null,
      line: location.line ?? null,
      column: location.column ?? null
    });
  }

  /**
   * Show a failure: a toast (which cuts long text) and, in full, in the side panel; both with
   * a "Go to cell" action when the failure names a cell.
   */
  private notifyFailure(
    what: string,
    error: unknown,
    notebook: NotebookPanel,
    options: {
      /** "Details" shows this instead of the side panel (which then stays as it is). */
      details?: () => void;
      /** What the user can do about it, as buttons (e.g. "Overwrite"). */
      remedies?: Array<{ label: string; run: () => void }>;
      /** A progress toast to turn into this failure, instead of a new one. */
      toast?: string;
    } = {}
  ): void {
    const { details, remedies = [], toast } = options;
    const body: IErrorBody | null =
      error instanceof ProductionizeRequestError
        ? error.body
        : error && typeof error === 'object' && 'message' in error && 'error' in error
          ? (error as IErrorBody)
          : null;
    const message = body ? body.text || body.message : describeFailure(error);
    const cellIndex = body && typeof body.cell_index === 'number' ? body.cell_index : null;
    const goToCell = body && cellIndex !== null ? () => this.goTo(notebook, body) : undefined;
    const actions = [
      ...(goToCell ? [{ label: 'Go to cell', callback: goToCell }] : []),
      ...remedies.map(remedy => ({ label: remedy.label, callback: remedy.run })),
      { label: 'Details', callback: details ?? (() => this.showPanel()) }
    ];
    // one failure toast at a time, and not sticky: the full text stays in the panel or preview
    if (this.failureToast && this.failureToast !== toast) {
      Notification.dismiss(this.failureToast);
    }
    const text = `${what}: ${message}`;
    if (toast) {
      Notification.update({
        id: toast,
        type: 'error',
        message: text,
        autoClose: FAILURE_TOAST_MS,
        actions
      });
      this.failureToast = toast;
    } else {
      this.failureToast = Notification.error(text, { autoClose: FAILURE_TOAST_MS, actions });
    }
    if (details) {
      return;
    }
    this.showPanel();
    this.panel.showFailure(notebook.context.localPath, {
      title: what,
      message,
      cellIndex,
      goToCell,
      actions: remedies
    });
  }

  private failureToast: string | null = null;
  /** Requirements an applied `!pip install` fix added, taken back by Undo of that fix. */
  private undoEffects = new UndoEffects<IAddedRequirements>({
    undo: async record => {
      try {
        const answer = await postAPI<IRequirementsAnswer>('requirements', {
          path: record.notebookPath,
          requirements: record.added,
          remove: true,
          created: record.created
        });
        if (answer.removed?.length) {
          Notification.info(`Undo: removed ${answer.removed.join(', ')} from ${answer.path}.`, {
            autoClose: 5000
          });
        }
      } catch (error) {
        Notification.warning(
          `Remove ${record.added.join(', ')} from requirements.txt by hand ` +
            `(${describeFailure(error)}).`,
          { autoClose: 8000 }
        );
      }
    },
    redo: async record => {
      try {
        const answer = await postAPI<IRequirementsAnswer>('requirements', {
          path: record.notebookPath,
          requirements: record.added
        });
        record.added = answer.added;
        record.created = answer.created === true;
      } catch (error) {
        Notification.warning(
          `Add ${record.added.join(', ')} to requirements.txt by hand (${describeFailure(error)}).`,
          { autoClose: 8000 }
        );
      }
    }
  });
  private building = new Set<NotebookPanel>();
  private settingsSource: ISettingRegistry.ISettings | null = null;
  private counter = 0;
  private labels = new Map<NotebookPanel, StageLabels>();
  private snapshots = new WeakMap<NotebookPanel, ICellView[]>();
  private previews = new WeakMap<NotebookPanel, MainAreaWidget>();
  private lastBuild = new WeakMap<NotebookPanel, string>();
}

class WidgetFromNode extends Widget {
  constructor(node: HTMLElement) {
    super({ node });
  }
}
