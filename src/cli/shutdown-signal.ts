/**
 * Resolves at the first SIGINT or SIGTERM, or when the parent process that forked this one goes away
 * (its IPC channel closes): a worker started by `npm start` never outlives it. Call it early, before
 * slow start-up work, so that a signal during start-up is not lost.
 *
 * After the first signal the handlers stay: node's default for a second SIGTERM would kill the process
 * on the spot, in the middle of its graceful stop. A process forked by `npm start` ignores repeats
 * (Ctrl-C reaches the whole process group, then the supervisor sends SIGTERM; it SIGKILLs whatever
 * overstays its grace period). A process run on its own calls `onRepeat` (default: exit at once, as a
 * person pressing Ctrl-C twice expects).
 */
export function waitForShutdownSignal(onRepeat: (signal: NodeJS.Signals) => void = exitNow): Promise<string> {
  const forked = process.env.MODELDESK_FORKED === '1';
  return new Promise((resolve) => {
    let first = true;
    const stop = (reason: string) => {
      process.off('disconnect', onDisconnect);
      if (!first) return;
      first = false;
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (first) stop(signal);
      else if (!forked) onRepeat(signal);
    };
    const onDisconnect = () => stop('parent exited');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (forked) {
      // Forked by `npm start`: if the parent already died while we were loading, stop at once.
      if (!process.connected) stop('parent exited');
      else process.on('disconnect', onDisconnect);
    }
  });
}

function exitNow(signal: NodeJS.Signals): void {
  console.error(`${signal} again: stopping now, without waiting for work in progress.`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
