// Types for scripts/postgres.mjs (a throwaway Postgres cluster for tests).
export function findPostgresBin(): string | undefined;
export function startPostgres(): Promise<{
  url: string;
  /** Stops the cluster (fast shutdown), keeping its data. */
  pause(): void;
  /** Starts a paused cluster again on the same port. */
  resume(): void;
  stop(): void;
}>;
