// Clean shutdown on quit: the first 'before-quit' is held back while the cluster stops (every
// node closes its listeners and LevelDB), then the app quits for real. A cluster that takes
// longer than `timeoutMs` is left to Electron, which ends utility processes with the app.
// Plain code with the app injected, so it is tested without Electron.

export interface QuitGuardOptions {
  /** Stops the cluster (the console service's close). */
  close: () => Promise<void>;
  /** Quits again once closed (app.quit). */
  quit: () => void;
  timeoutMs: number;
  /** Told when closing failed or timed out. */
  onError?: (message: string) => void;
}

/** Returns the 'before-quit' listener. */
export function createQuitGuard(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let phase: 'running' | 'closing' | 'closed' = 'running';
  return (event) => {
    if (phase === 'closed') return;
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        options.onError?.(`the cluster did not stop within ${options.timeoutMs} ms; quitting anyway`);
        resolve();
      }, options.timeoutMs);
    });
    const closed = options.close().catch((error: unknown) => {
      options.onError?.(`stopping the cluster failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    void Promise.race([closed, timedOut]).then(() => {
      clearTimeout(timer);
      phase = 'closed';
      options.quit();
    });
  };
}
