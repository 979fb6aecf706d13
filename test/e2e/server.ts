// Runs the site for the browser suite: publishes content/ into a fresh local KV state and serves
// it with `wrangler dev` on loopback. stop() ends the whole process group, and so does process
// exit, so a failed or interrupted run leaves no server behind.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunningSite {
  /** `http://127.0.0.1:8797` */
  origin: string;
  port: number;
  /** All that wrangler dev printed so far: its request lines say which requests the worker answered. */
  printed(): string;
  /**
   * wrangler's debug log, kept after the run: timed, with the worker's fetches through the ASSETS
   * binding (not its KV or R2 reads, nor the request lines).
   */
  debugLog: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntilServing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
    } catch (error) {
      // Not listening yet: keep polling until the deadline.
      void error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev did not serve ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${log()}`);
}

/** Publishes content/ and serves it on 127.0.0.1:`port` (inspector on `inspectorPort`). */
export async function startSite(port: number, inspectorPort: number): Promise<RunningSite> {
  // Of this run alone: wrangler appends to a log file it is given.
  const debugLog = join('test-results', `wrangler-dev-${port}.log`);
  await rm(debugLog, { force: true });
  const state = await mkdtemp(join(tmpdir(), 'mirrorwire-e2e-'));
  await run(
    process.execPath,
    ['scripts/run-bundled.mjs', 'src/publish/node/cli.ts', '--local', '--persist-to', state],
    {
      timeout: 120_000,
    },
  );
  const child = spawn(
    'node_modules/.bin/wrangler',
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      state,
      '--var',
      'ALLOW_LOCAL_HOSTS:true',
      '--show-interactive-dev-session=false',
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', WRANGLER_LOG_PATH: debugLog },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    await rm(state, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(`${origin}/`, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, port, printed: () => output, debugLog, stop };
}
