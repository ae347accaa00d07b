/**
 * Resolves at the first SIGINT or SIGTERM, or when the parent process that forked this one goes away
 * (its IPC channel closes): a worker started by `npm start` never outlives it. Call it early, before
 * slow start-up work, so that a signal during start-up is not lost.
 */
export function waitForShutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('disconnect', onDisconnect);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => stop(signal);
    const onDisconnect = () => stop('parent exited');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (process.env.MODELDESK_FORKED === '1') {
      // Forked by `npm start`: if the parent already died while we were loading, stop at once.
      if (!process.connected) stop('parent exited');
      else process.on('disconnect', onDisconnect);
    }
  });
}
