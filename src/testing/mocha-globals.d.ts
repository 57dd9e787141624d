// The mocha globals of the browser tests (web-test-runner's default framework), declared
// here rather than adding @types/mocha for six functions.
// biome-ignore lint/suspicious/noConfusingVoidType: a Mocha body returns nothing or a promise
type MochaBody = () => void | Promise<unknown>;
declare function describe(title: string, body: () => void): void;
/** The test, whose timeout (web-test-runner.config.mjs sets it for all) a slow one may raise. */
declare function it(title: string, body: MochaBody): { timeout(ms: number): unknown };
declare function before(body: MochaBody): void;
declare function after(body: MochaBody): void;
declare function beforeEach(body: MochaBody): void;
declare function afterEach(body: MochaBody): void;
