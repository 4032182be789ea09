/**
 * Preview of the generated project before anything is written: a file tree and the selected
 * file's contents, plus the split stage's tag suggestions with one-click accept.
 */

import { Widget } from '@lumino/widgets';

import { buildFileTree, flattenTree } from './logic/fileTree';
import { cellLabel } from './logic/findings';
import { ITagSuggestion } from './logic/suggestions';
import { IGeneratedFile } from './logic/types';

export interface IPreviewActions {
  acceptSuggestions(): void;
  build(): void;
  /** Go to a cell of the notebook (by index). */
  goToCell(index: number): void;
}

export class PreviewView extends Widget {
  constructor(
    readonly notebookPath: string,
    private readonly actions: IPreviewActions
  ) {
    super();
    this.addClass('jp-productionize-preview');
  }

  showFiles(
    files: IGeneratedFile[],
    suggestions: ITagSuggestion[],
    inferred = false,
    notes: string[] = []
  ): void {
    this._files = new Map(files.map(f => [f.path, f.content]));
    const top = document.createElement('div');
    top.className = 'jp-productionize-preview-top';
    const summary = document.createElement('span');
    summary.textContent =
      `${files.length} files would be generated from ${this.notebookPath} (nothing is written yet)` +
      (!inferred
        ? '.'
        : suggestions.length > 0
          ? ', using the suggested stage tags: the notebook has none yet.'
          : ', using stages inferred from the code (see the notes): the notebook has no stage tags.');
    top.appendChild(summary);
    for (const note of notes) {
      const item = document.createElement('span');
      item.className = 'jp-productionize-note';
      item.textContent = note;
      top.appendChild(item);
    }
    if (suggestions.length > 0) {
      const accept = document.createElement('button');
      accept.className = 'jp-Button jp-mod-styled jp-mod-small jp-productionize-accept-all';
      accept.textContent = `Accept ${suggestions.length} suggested tag${suggestions.length === 1 ? '' : 's'}`;
      accept.title = suggestions
        .map(s => `${cellLabel(s.cellIndex)}: ${s.tag}${s.reason ? ` (${s.reason})` : ''}`)
        .join('\n');
      accept.addEventListener('click', () => {
        accept.disabled = true;
        this.actions.acceptSuggestions();
      });
      top.appendChild(accept);
    }
    const build = document.createElement('button');
    build.className = 'jp-Button jp-mod-styled jp-mod-small jp-mod-accept jp-productionize-build';
    build.textContent = 'Build project';
    build.addEventListener('click', () => this.actions.build());
    top.appendChild(build);

    const body = document.createElement('div');
    body.className = 'jp-productionize-preview-body';
    const tree = document.createElement('ul');
    tree.className = 'jp-productionize-tree';
    tree.setAttribute('role', 'tree');
    this._content = document.createElement('pre');
    this._content.className = 'jp-productionize-file';
    for (const { node, depth } of flattenTree(buildFileTree(files.map(f => f.path)))) {
      const row = document.createElement('li');
      row.style.paddingLeft = `${depth * 14 + 6}px`;
      row.textContent = node.children ? `${node.name}/` : node.name;
      row.className = node.children ? 'jp-productionize-folder' : 'jp-productionize-leaf';
      row.setAttribute('role', 'treeitem');
      if (!node.children) {
        row.dataset.path = node.path;
        row.tabIndex = 0;
        row.addEventListener('click', () => this.select(node.path));
      }
      tree.appendChild(row);
    }
    body.append(tree, this._content);
    this.node.replaceChildren(top, body);
    // open on the code a data scientist recognises first: the train stage module
    const first =
      files.find(f => /^src\/[^/]+\/train\.py$/.test(f.path)) ??
      files.find(f => f.path.startsWith('src/') && f.path.endsWith('.py')) ??
      files[0];
    if (first) {
      this.select(first.path);
    } else {
      this._content.textContent = 'The split stage produced no files.';
    }
  }

  /**
   * Show why the preview failed; with the stages the split inferred (untagged notebook), list
   * them (each goes to its cell) and offer to accept them, so the user can correct them.
   */
  showError(
    message: string,
    cellIndex: number | null = null,
    suggestions: ITagSuggestion[] = []
  ): void {
    const error = document.createElement('p');
    error.className = 'jp-productionize-status jp-mod-error';
    error.textContent = message;
    const parts: HTMLElement[] = [error];
    if (cellIndex !== null) {
      parts.push(
        this.button(`Go to ${cellLabel(cellIndex)}`, 'jp-productionize-goto', () =>
          this.actions.goToCell(cellIndex)
        )
      );
    }
    if (suggestions.length > 0) {
      const intro = document.createElement('p');
      intro.textContent =
        'The notebook has no stage tags; these are the stages Productionize inferred (also ' +
        'shown on the cells as dashed chips). Correct the wrong ones with the chips on each ' +
        'cell, or accept them and edit from there, then preview again:';
      const list = document.createElement('ul');
      list.className = 'jp-productionize-suggestion-list';
      for (const suggestion of suggestions) {
        const row = document.createElement('li');
        row.tabIndex = 0;
        row.dataset.cellIndex = String(suggestion.cellIndex);
        row.textContent = `${cellLabel(suggestion.cellIndex)} → ${suggestion.tag}${
          suggestion.reason ? ` (${suggestion.reason})` : ''
        }`;
        row.addEventListener('click', () => this.actions.goToCell(suggestion.cellIndex));
        list.appendChild(row);
      }
      const accept = this.button(
        `Accept ${suggestions.length} suggested tag${suggestions.length === 1 ? '' : 's'}`,
        'jp-productionize-accept-all',
        () => {
          accept.disabled = true;
          this.actions.acceptSuggestions();
        }
      );
      parts.push(intro, list, accept);
    }
    const box = document.createElement('div');
    box.className = 'jp-productionize-preview-error';
    box.append(...parts);
    this.node.replaceChildren(box);
  }

  private button(label: string, className: string, onClick: () => void): HTMLButtonElement {
    const element = document.createElement('button');
    element.className = `jp-Button jp-mod-styled jp-mod-small ${className}`;
    element.textContent = label;
    element.addEventListener('click', onClick);
    return element;
  }

  select(path: string): void {
    for (const row of this.node.querySelectorAll<HTMLElement>('.jp-productionize-leaf')) {
      row.classList.toggle('jp-mod-selected', row.dataset.path === path);
    }
    this._content.dataset.path = path;
    this._content.textContent = this._files.get(path) ?? '';
  }

  private _content: HTMLElement = document.createElement('pre');
  private _files = new Map<string, string>();
}
