/**
 * "Publish for review…": a form (remote, branch, base, provider, sub-directory), then a dialog
 * that follows the publish job step by step and ends with the pull-request link or the error.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { cancelJob, describeFailure, followJob, postAPI } from './api';
import { IJob, IPublishResult } from './logic/types';

export interface IPublishRequest {
  outdir: string;
  remote: string;
  branch: string;
  base: string;
  provider: 'none' | 'github' | 'gitlab';
  subdir: string;
  overwrite_edited: boolean;
}

const PROVIDERS: IPublishRequest['provider'][] = ['none', 'github', 'gitlab'];

class PublishForm extends Widget implements Dialog.IBodyWidget<IPublishRequest> {
  constructor(private readonly defaults: IPublishRequest) {
    super();
    this.addClass('jp-productionize-form');
    this.node.append(
      this.field('outdir', 'Generated project folder', defaults.outdir),
      this.field('remote', 'Deployment repository (git URL)', defaults.remote),
      this.field('branch', 'Branch (empty: productionize/<notebook>)', defaults.branch),
      this.field('base', 'Base branch of the pull request', defaults.base),
      this.field('subdir', 'Sub-directory in the repository (optional)', defaults.subdir),
      this.select('provider', 'Pull request provider', PROVIDERS, defaults.provider),
      this.checkbox('overwrite_edited', 'Overwrite files a reviewer edited by hand')
    );
  }

  getValue(): IPublishRequest {
    const value = (name: string) =>
      (this.node.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim();
    return {
      outdir: value('outdir'),
      remote: value('remote'),
      branch: value('branch'),
      base: value('base') || 'main',
      subdir: value('subdir'),
      provider: value('provider') as IPublishRequest['provider'],
      overwrite_edited: (this.node.querySelector('[name="overwrite_edited"]') as HTMLInputElement)
        .checked
    };
  }

  private field(name: string, label: string, value: string): HTMLElement {
    const input = document.createElement('input');
    input.className = 'jp-mod-styled';
    input.name = name;
    input.value = value;
    return labelled(label, input);
  }

  private select(name: string, label: string, options: string[], value: string): HTMLElement {
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    select.name = name;
    for (const option of options) {
      const element = document.createElement('option');
      element.value = option;
      element.textContent = option === 'none' ? 'none (push the branch, print a compare URL)' : option;
      element.selected = option === value;
      select.appendChild(element);
    }
    return labelled(label, select);
  }

  private checkbox(name: string, label: string): HTMLElement {
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.name = name;
    input.checked = this.defaults.overwrite_edited;
    const wrapper = labelled(label, input);
    wrapper.classList.add('jp-productionize-checkbox');
    return wrapper;
  }
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  const label = document.createElement('label');
  const span = document.createElement('span');
  span.textContent = text;
  label.append(span, control);
  return label;
}

/** Step-by-step progress of a job, then its outcome. */
export class JobProgressView extends Widget {
  constructor() {
    super();
    this.addClass('jp-productionize-progress');
    this._steps.className = 'jp-productionize-steps';
    this._outcome.className = 'jp-productionize-outcome';
    this.node.append(this._steps, this._outcome);
  }

  showJob(job: IJob<IPublishResult>): void {
    this._steps.replaceChildren(
      ...job.messages.map(message => {
        const row = document.createElement('li');
        row.textContent = message.detail ? `${message.step}: ${message.detail}` : message.step;
        return row;
      })
    );
    this.node.dataset.state = job.state;
    if (!job.finished) {
      this._outcome.textContent = job.cancel_requested ? 'Stopping…' : 'Working…';
      return;
    }
    this._outcome.replaceChildren();
    if (job.state === 'succeeded' && job.result) {
      this.showResult(job.result);
    } else if (job.state === 'failed' && job.error) {
      const error = document.createElement('p');
      error.className = 'jp-mod-error';
      error.textContent = `Failed: ${job.error.text || job.error.message}`;
      this._outcome.appendChild(error);
    } else {
      this._outcome.textContent = 'Stopped.';
    }
  }

  showError(message: string): void {
    const error = document.createElement('p');
    error.className = 'jp-mod-error';
    error.textContent = message;
    this._outcome.replaceChildren(error);
  }

  private showResult(result: IPublishResult): void {
    const lines: Array<string | HTMLElement> = [];
    if (result.branch) {
      lines.push(`Branch ${result.branch}${result.commit ? ` at ${result.commit.slice(0, 10)}` : ''}`);
    }
    lines.push(
      result.created_commit === false
        ? 'No changes since the last publish: nothing new was committed.'
        : result.pushed
          ? 'Pushed.'
          : 'Committed locally (not pushed).'
    );
    for (const [url, label] of [
      [result.pr_url, 'Open the pull request'],
      [result.compare_url, 'Compare on the server']
    ] as const) {
      if (url) {
        const link = document.createElement('a');
        link.href = url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.textContent = `${label}: ${url}`;
        link.className = 'jp-productionize-link';
        lines.push(link);
      }
    }
    for (const line of lines) {
      const row = document.createElement('p');
      row.append(line);
      this._outcome.appendChild(row);
    }
  }

  private _steps = document.createElement('ol');
  private _outcome = document.createElement('div');
}

/** Ask for publish options, start the job, and show its progress until the user closes. */
export async function publishForReview(defaults: IPublishRequest): Promise<void> {
  const form = await showDialog({
    title: 'Publish for review',
    body: new PublishForm(defaults),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Publish' })],
    focusNodeSelector: 'input[name="remote"]'
  });
  if (!form.button.accept || !form.value) {
    return;
  }
  const request = form.value;
  const view = new JobProgressView();
  const dialog = new Dialog({
    title: `Publishing ${request.outdir}`,
    body: view,
    buttons: [Dialog.warnButton({ label: 'Stop' }), Dialog.okButton({ label: 'Close' })]
  });
  const closed = dialog.launch();
  let job: IJob<IPublishResult> | null = null;
  const following = (async () => {
    try {
      const started = await postAPI<{ job: IJob<IPublishResult> }>('publish', request);
      job = await followJob(started.job, update => {
        job = update;
        view.showJob(update);
      });
    } catch (error) {
      view.showError(`Failed: ${describeFailure(error)}`);
    } finally {
      // nothing (left) to stop
      dialog.node.querySelector<HTMLButtonElement>('.jp-Dialog-button.jp-mod-warn')?.remove();
    }
  })();
  const choice = await closed;
  const current = job as IJob<IPublishResult> | null;
  if (!choice.button.accept && current && !current.finished) {
    await cancelJob(current.id);
  }
  void following;
}
