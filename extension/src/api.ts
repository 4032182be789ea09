/**
 * The one way the front-end talks to the server extension (`/productionize/...`).
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IErrorBody, IJob } from './logic/types';

/** A failed call: the HTTP status and the server's JSON error (message, cell, line). */
export class ProductionizeRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: IErrorBody
  ) {
    super(body.text || body.message || `request failed (${status})`);
    this.name = 'ProductionizeRequestError';
  }
}

/** Call `/productionize/<endpoint>` and return its JSON; throws ProductionizeRequestError. */
export async function requestAPI<T>(endpoint = '', init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'productionize', endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: 'BadResponse', message: text.slice(0, 500) };
    }
  }
  if (!response.ok) {
    const body = (data as IErrorBody) ?? {
      error: 'HTTPError',
      message: `${response.status} ${response.statusText}`
    };
    throw new ProductionizeRequestError(response.status, body);
  }
  return data as T;
}

/** POST a JSON body. */
export function postAPI<T>(endpoint: string, body: unknown): Promise<T> {
  return requestAPI<T>(endpoint, { method: 'POST', body: JSON.stringify(body) });
}

const POLL_MS = 400;

/**
 * Follow a background job until it finishes, reporting every new state; `signal` stops
 * following (it does not cancel the job: see cancelJob).
 */
export async function followJob<R>(
  job: IJob<R>,
  onUpdate: (job: IJob<R>) => void,
  signal?: AbortSignal
): Promise<IJob<R>> {
  let current = job;
  onUpdate(current);
  while (!current.finished) {
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
    if (signal?.aborted) {
      return current;
    }
    current = (await requestAPI<{ job: IJob<R> }>(`jobs/${current.id}`)).job;
    onUpdate(current);
  }
  return current;
}

/** Ask the server to stop a job. */
export async function cancelJob(id: string): Promise<IJob> {
  return (await requestAPI<{ job: IJob }>(`jobs/${id}`, { method: 'DELETE' })).job;
}

/** The message to show for any failure (server JSON error, network error, bug). */
export function describeFailure(error: unknown): string {
  if (error instanceof ProductionizeRequestError) {
    return error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
