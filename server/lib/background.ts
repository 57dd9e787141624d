import type { Logger } from './logger.js';

/**
 * Work a request starts but does not wait for (sending mail), so the answer does not
 * reveal how long it took. Tests and shutdown await `drain()`.
 */
export class Background {
  #pending = new Set<Promise<unknown>>();
  constructor(private readonly logger: Logger) {}

  run(label: string, work: () => Promise<unknown>): void {
    const task = work()
      .catch((error: unknown) => this.logger.error({ err: error, task: label }, 'background task failed'))
      .finally(() => this.#pending.delete(task));
    this.#pending.add(task);
  }

  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
