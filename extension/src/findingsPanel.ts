/**
 * The side panel: lint findings of one notebook, grouped by severity; click to go to the cell
 * and line; apply safe fixes; buttons for the next steps (preview, build, publish).
 */

import { Widget } from '@lumino/widgets';

import { cellLabel, describeLocation, groupFindings, safeFixes, summarize } from './logic/findings';
import { IFinding } from './logic/types';
import { productionizeIcon } from './icons';

/** A failure to keep on screen (toasts cut long messages): what failed, the full text, where. */
export interface IFailure {
  title: string;
  message: string;
  /** The cell the failure names, if any: offers "Go to cell N". */
  cellIndex?: number | null;
  goToCell?: () => void;
  /** What the user can do about it right here (e.g. "Overwrite"). */
  actions?: Array<{ label: string; run: () => void }>;
}

export interface IFindingsPanelActions {
  reveal(finding: IFinding): void;
  acceptSuggestions(): void;
  applyFixes(findings: IFinding[]): void;
  relint(): void;
  run(command: 'preview' | 'build' | 'publish'): void;
}

export class FindingsPanel extends Widget {
  constructor(private readonly actions: IFindingsPanelActions) {
    super();
    this.id = 'jp-productionize-findings';
    this.addClass('jp-productionize-panel');
    this.title.icon = productionizeIcon;
    this.title.caption = 'Productionize: lint findings';
    this.showMessage('Click Productionize on a notebook toolbar to check it.');
  }

  /** The notebook the findings belong to (contents path). */
  get notebookPath(): string | null {
    return this._path;
  }

  get findings(): readonly IFinding[] {
    return this._findings;
  }

  showBusy(path: string): void {
    this._path = path;
    this.node.classList.add('jp-mod-busy');
    const status = this.node.querySelector('.jp-productionize-status');
    if (status) {
      status.textContent = `Checking ${path}…`;
    } else {
      this.showMessage(`Checking ${path}…`);
    }
  }

  showMessage(message: string, isError = false): void {
    this.node.classList.remove('jp-mod-busy');
    this.node.replaceChildren(this.header(message, isError));
  }

  /**
   * Show a failure (lint, preview, build) in full above the findings, with a way to its cell;
   * it stays until the next check or failure replaces it.
   */
  showFailure(path: string, failure: IFailure): void {
    this._path = path;
    this.node.classList.remove('jp-mod-busy');
    this.node.querySelector('.jp-productionize-failure')?.remove();
    if (!this.node.querySelector('.jp-productionize-header')) {
      this.node.replaceChildren(this.header(path));
    }
    const box = document.createElement('div');
    box.className = 'jp-productionize-failure';
    box.setAttribute('role', 'alert');
    const title = document.createElement('strong');
    title.textContent = failure.title;
    const message = document.createElement('p');
    message.className = 'jp-productionize-failure-message';
    message.textContent = failure.message;
    box.append(title, message);
    if (typeof failure.cellIndex === 'number' && failure.goToCell) {
      const go = failure.goToCell;
      box.appendChild(button(`Go to ${cellLabel(failure.cellIndex)}`, () => go()));
    }
    for (const action of failure.actions ?? []) {
      box.appendChild(
        button(action.label, () => {
          box.remove();
          action.run();
        })
      );
    }
    this.node.querySelector('.jp-productionize-header')!.after(box);
  }

  /** Show the findings; `suggested` stages (untagged notebook) are shown on the cells. */
  /** Remove the failure shown by showFailure (the next attempt succeeded). */
  clearFailure(): void {
    this.node.querySelector('.jp-productionize-failure')?.remove();
  }

  showFindings(path: string, findings: IFinding[], suggested = 0): void {
    this._path = path;
    this._findings = findings;
    this.node.classList.remove('jp-mod-busy');
    const fixable = safeFixes(findings);
    const header = this.header(`${path}: ${summarize(findings)}`);
    if (suggested > 0) {
      const note = document.createElement('p');
      note.className = 'jp-productionize-suggested';
      note.textContent =
        `No stage tags yet: the ${suggested} stage${suggested === 1 ? '' : 's'} Productionize ` +
        'infers are shown on the cells as dashed chips (click one to accept it, or pick another ' +
        'stage on the cell).';
      const accept = button(
        `Accept ${suggested} suggested tag${suggested === 1 ? '' : 's'}`,
        () => this.actions.acceptSuggestions()
      );
      accept.classList.add('jp-productionize-accept-all');
      note.appendChild(accept);
      header.appendChild(note);
    }
    if (fixable.length > 0) {
      header.appendChild(
        button(`Apply ${fixable.length} safe fix${fixable.length === 1 ? '' : 'es'}`, () =>
          this.actions.applyFixes(fixable)
        )
      ).classList.add('jp-productionize-fix-all');
    }
    const list = document.createElement('div');
    list.className = 'jp-productionize-groups';
    for (const group of groupFindings(findings)) {
      const section = document.createElement('details');
      section.open = true;
      section.className = `jp-productionize-group jp-productionize-severity-${group.severity}`;
      section.dataset.severity = group.severity;
      const summary = document.createElement('summary');
      summary.textContent = `${group.severity} (${group.findings.length})`;
      section.appendChild(summary);
      for (const finding of group.findings) {
        section.appendChild(this.item(finding));
      }
      list.appendChild(section);
    }
    if (findings.length === 0) {
      const clean = document.createElement('p');
      clean.className = 'jp-productionize-clean';
      clean.textContent = 'No findings: the notebook is ready for Preview and Build.';
      list.appendChild(clean);
    }
    this.node.replaceChildren(header, list);
  }

  private header(message: string, isError = false): HTMLElement {
    const header = document.createElement('div');
    header.className = 'jp-productionize-header';
    const title = document.createElement('h2');
    title.textContent = 'Productionize';
    const status = document.createElement('p');
    status.className = 'jp-productionize-status';
    status.classList.toggle('jp-mod-error', isError);
    status.textContent = message;
    const actions = document.createElement('div');
    actions.className = 'jp-productionize-actions';
    actions.append(
      button('Lint again', () => this.actions.relint()),
      button('Preview', () => this.actions.run('preview')),
      button('Build', () => this.actions.run('build')),
      button('Publish…', () => this.actions.run('publish'))
    );
    header.append(title, status, actions);
    return header;
  }

  private item(finding: IFinding): HTMLElement {
    const item = document.createElement('div');
    item.className = 'jp-productionize-finding';
    item.tabIndex = 0;
    item.dataset.rule = finding.rule;
    item.dataset.cellIndex = String(finding.location.cell_index ?? '');
    const rule = document.createElement('span');
    rule.className = 'jp-productionize-rule';
    rule.textContent = finding.rule;
    const where = document.createElement('span');
    where.className = 'jp-productionize-where';
    where.textContent = describeLocation(finding);
    const message = document.createElement('div');
    message.className = 'jp-productionize-message';
    message.textContent = finding.message;
    item.append(rule, where, message);
    if (finding.fix) {
      const fix = document.createElement('div');
      fix.className = 'jp-productionize-fixline';
      fix.textContent = `Fix: ${finding.fix.description}`;
      if (finding.fix.safe && finding.fix.edits.length > 0) {
        fix.appendChild(
          button('Apply', event => {
            event.stopPropagation();
            this.actions.applyFixes([finding]);
          })
        );
      }
      item.appendChild(fix);
    }
    const reveal = () => this.actions.reveal(finding);
    item.addEventListener('click', reveal);
    item.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        reveal();
      }
    });
    return item;
  }

  private _findings: IFinding[] = [];
  private _path: string | null = null;
}

function button(label: string, onClick: (event: MouseEvent) => void): HTMLButtonElement {
  const element = document.createElement('button');
  element.className = 'jp-Button jp-mod-styled jp-mod-small jp-productionize-button';
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}
