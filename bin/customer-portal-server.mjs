#!/usr/bin/env node
// Runs the TypeScript server through tsx, so the package ships its sources as they are.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/cli.ts');
const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exit(code);
