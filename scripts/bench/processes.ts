// Processes: every child is tracked and stopped on the way out, whatever happens.
import { type ChildProcess, spawn } from 'node:child_process';
import type { startPostgres } from '../postgres.mjs';
import { root } from './options.js';

export const children = new Set<ChildProcess>();
let postgres: Awaited<ReturnType<typeof startPostgres>> | null = null;
/** The bench's Postgres, stopped with the children. */
export function stopWithChildren(cluster: Awaited<ReturnType<typeof startPostgres>>) {
  postgres = cluster;
}

export interface Started {
  child: ChildProcess;
  match: RegExpExecArray;
  /** The last 64 KB the process wrote (stdout and stderr). */
  output: () => string;
}

export function startProcess(name: string, args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = 600_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${out.slice(-4000)}`)), timeoutMs);
    const finish = (error: Error | null, match?: RegExpExecArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve({ child, match: match!, output: () => out });
    };
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-65_536);
      const match = ready.exec(out);
      if (match) finish(null, match);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      children.delete(child);
      finish(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

let cleanedUp = false;
export function cleanUpNow() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) child.kill('SIGKILL');
  try {
    postgres?.stop();
  } catch (error) {
    console.error('could not stop the bench Postgres:', error);
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUpNow();
    process.exit(130);
  });
}
