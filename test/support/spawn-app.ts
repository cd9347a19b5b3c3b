import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface SpawnedApp {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs an entry point of src/ (main.ts, worker.ts, cli.ts) in a child process with
 * exactly the environment given (plus PATH/HOME), from `cwd`: what an operator runs.
 */
export function spawnEntry(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  args: string[] = [],
): { child: ChildProcess; output: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', entry), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exit };
}

export async function spawnApp(env: Record<string, string>, cwd: string, timeoutMs = 60000): Promise<SpawnedApp> {
  const { child, output, exit } = spawnEntry('main.ts', { PORT: '0', ...env }, cwd);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`App did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      const m = /Listening on port (\d+)/.exec(output());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`App exited with ${code} before listening:\n${output()}`));
    });
  });
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exit;
    },
  };
}
