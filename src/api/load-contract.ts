import { networkError } from './errors.js';

export type Contract = typeof import('./contract.js');

/** The schema chunk (see contract.ts); a failed download reads as the network error it is. */
export function loadContract(): Promise<Contract> {
  return import('./contract.js').catch(() => {
    throw networkError();
  });
}
