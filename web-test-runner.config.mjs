// Browser tests: `npx web-test-runner`. Runs src/**/*.test.ts in Debian's Chromium (no test
// tool downloads a browser), with msw answering the portal API from a service worker.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';

const tsconfig = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

/** Counts every test in every file; a file that failed to load or errored outside its tests counts as one failure. */
function countResults(sessions) {
  let passed = 0;
  let failed = 0;
  const walk = (suite) => {
    for (const test of suite.tests) {
      if (test.passed) passed += 1;
      else if (!test.skipped) failed += 1;
    }
    for (const child of suite.suites) walk(child);
  };
  for (const session of sessions) {
    const before = failed;
    if (session.testResults) walk(session.testResults);
    if (session.passed === false && failed === before) failed += 1;
  }
  return { passed, failed };
}

/** Writes {"passed": N, "failed": N} to $WTR_RESULTS_FILE at the end of the run, for CI. */
function resultsFileReporter() {
  const write = ({ sessions }) => {
    const file = process.env.WTR_RESULTS_FILE;
    if (file) writeFileSync(file, `${JSON.stringify(countResults(sessions))}\n`);
  };
  return { onTestRunFinished: write, stop: write };
}

export default {
  files: ['src/**/*.test.ts'],
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, tsconfig })],
  // The msw worker (test/msw/, where `npx msw init` writes it: package.json "msw") must be
  // served from the root to control the test pages.
  middleware: [
    (context, next) => {
      if (context.path === '/mockServiceWorker.js') context.path = '/test/msw/mockServiceWorker.js';
      return next();
    },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // Dialogs fade in; axe checking contrast mid-animation sees the faded colours.
          '--force-prefers-reduced-motion',
        ],
      },
    }),
  ],
  reporters: [defaultReporter(), resultsFileReporter()],
  testFramework: { config: { timeout: 5000 } },
};
