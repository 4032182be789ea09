/**
 * A coloured stage label on every code cell, with one-click stage chips and suggested tags.
 *
 * The bar lives in each cell's header. Chips are shown on the active or hovered cell; clicking
 * one sets that stage (or clears it when it is already the cell's stage) through the model.
 */

import { Cell, ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

import { cellLabel } from './logic/findings';
import { ITagSuggestion } from './logic/suggestions';
import { STAGE_TAGS, StageTag, stageOf, toggleStageTag } from './logic/tags';
import { cellTags, setCellTags } from './notebookCells';

const BAR_CLASS = 'jp-productionize-stagebar';

export class StageLabels implements IDisposable {
  constructor(readonly panel: NotebookPanel) {
    void panel.context.ready.then(() => {
      if (this._disposed) {
        return;
      }
      panel.content.model?.cells.changed.connect(this.schedule, this);
      this.schedule();
    });
    panel.content.cellInViewportChanged.connect(this.schedule, this);
    panel.disposed.connect(() => this.dispose());
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    cancelAnimationFrame(this._frame);
    for (const cell of this.panel.content.widgets) {
      cell.node.querySelector(`.${BAR_CLASS}`)?.remove();
    }
  }

  /** Show suggested stages (from the split preview) until the user accepts or retags. */
  setSuggestions(suggestions: readonly ITagSuggestion[]): void {
    const model = this.panel.content.model;
    this._suggestions.clear();
    for (const suggestion of suggestions) {
      const id = suggestion.cellId ?? model?.cells.get(suggestion.cellIndex)?.id;
      if (id) {
        this._suggestions.set(id, suggestion);
      }
    }
    this.schedule();
  }

  /** Accept every pending suggestion on untagged cells as one undoable change. */
  acceptAllSuggestions(): number {
    const model = this.panel.content.model;
    if (!model) {
      return 0;
    }
    let accepted = 0;
    model.sharedModel.transact(() => {
      for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        const suggestion = this._suggestions.get(cell.id);
        if (suggestion && stageOf(cellTags(cell)) === null) {
          setCellTags(cell, toggleStageTag(cellTags(cell), suggestion.tag));
          accepted++;
        }
      }
    });
    this._suggestions.clear();
    this.schedule();
    return accepted;
  }

  get pendingSuggestions(): number {
    return this._suggestions.size;
  }

  /** Re-render on the next frame (many model events can arrive at once). */
  schedule(): void {
    if (this._disposed) {
      return;
    }
    cancelAnimationFrame(this._frame);
    this._frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    let inherited: StageTag | null = null;
    this.panel.content.widgets.forEach((cell, index) => {
      const model = cell.model;
      if (!this._watched.has(model)) {
        this._watched.add(model);
        model.metadataChanged.connect(this.schedule, this);
      }
      if (model.type !== 'code') {
        cell.node.querySelector(`.${BAR_CLASS}`)?.remove();
        return;
      }
      const stage = stageOf(cellTags(model));
      if (stage !== null) {
        inherited = stage;
        this._suggestions.delete(model.id);
      }
      this.renderBar(cell, index, stage, stage === null ? inherited : null);
    });
  }

  private renderBar(
    cell: Cell,
    index: number,
    stage: StageTag | null,
    inherited: StageTag | null
  ): void {
    // windowed notebooks build a cell's DOM lazily: wait for its header to exist
    const header = cell.node.querySelector('.jp-CellHeader');
    if (!header) {
      void cell.ready.then(() => this.schedule());
      return;
    }
    let bar = cell.node.querySelector<HTMLElement>(`.${BAR_CLASS}`);
    if (!bar) {
      bar = document.createElement('div');
      bar.className = BAR_CLASS;
    }
    if (bar.parentElement !== header) {
      header.appendChild(bar);
    }
    const suggestion = this._suggestions.get(cell.model.id);
    const key = `${index}|${stage}|${inherited}|${suggestion?.tag ?? ''}`;
    if (bar.dataset.key === key) {
      return;
    }
    bar.dataset.key = key;
    bar.replaceChildren();

    // the number every Productionize message uses for this cell ("cell 3: ...")
    const number = document.createElement('span');
    number.className = 'jp-productionize-cellno';
    number.textContent = cellLabel(index);
    number.title = 'How lint findings, errors and suggestions name this cell';
    bar.appendChild(number);

    const label = document.createElement('span');
    label.className = 'jp-productionize-stage';
    if (stage) {
      label.classList.add(`jp-productionize-stage-${stage}`);
      label.textContent = stage;
      label.title = `Stage: ${stage} (cell tag)`;
    } else if (inherited) {
      label.classList.add('jp-productionize-stage-inherited', `jp-productionize-stage-${inherited}`);
      label.textContent = `↳ ${inherited}`;
      label.title = `No tag: this cell goes to the "${inherited}" stage of the cell above`;
    } else {
      label.classList.add('jp-productionize-stage-none');
      label.textContent = 'no stage';
      label.title = 'No stage tag: pick one on the right';
    }
    label.dataset.stage = stage ?? '';
    bar.appendChild(label);

    if (suggestion && !stage) {
      const accept = document.createElement('button');
      accept.className = `jp-productionize-suggestion jp-productionize-stage-${suggestion.tag}`;
      accept.textContent = `${suggestion.tag}? ✓`;
      accept.title = `Suggested stage "${suggestion.tag}"${
        suggestion.reason ? `: ${suggestion.reason}` : ''
      }. Click to accept.`;
      accept.dataset.suggestion = suggestion.tag;
      accept.addEventListener('click', event => {
        event.stopPropagation();
        this.setStage(cell.model, suggestion.tag);
      });
      bar.appendChild(accept);
    }

    const chips = document.createElement('span');
    chips.className = 'jp-productionize-chips';
    for (const tag of STAGE_TAGS) {
      const chip = document.createElement('button');
      chip.className = `jp-productionize-chip jp-productionize-stage-${tag}`;
      chip.classList.toggle('jp-mod-selected', tag === stage);
      chip.textContent = tag;
      chip.dataset.stage = tag;
      chip.title = tag === stage ? `Remove the "${tag}" tag` : `Tag this cell as "${tag}"`;
      chip.addEventListener('click', event => {
        event.stopPropagation();
        this.setStage(cell.model, tag);
      });
      chips.appendChild(chip);
    }
    bar.appendChild(chips);
  }

  private setStage(model: ICellModel, tag: StageTag): void {
    setCellTags(model, toggleStageTag(cellTags(model), tag));
    this._suggestions.delete(model.id);
    this.schedule();
  }

  private _disposed = false;
  private _frame = 0;
  private _suggestions = new Map<string, ITagSuggestion>();
  private _watched = new WeakSet<ICellModel>();
}
