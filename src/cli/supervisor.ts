import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import { logger } from '../platform/logger.js';

/** First restart after this long; each failure in a row doubles it, up to MAX. */
export const RESTART_BACKOFF_MS = { first: 1_000, max: 60_000 } as const;
/** A process that ran this long before it died was fine: its next restart waits the first delay again. */
export const STABLE_AFTER_MS = 60_000;
/** How often the supervisor refreshes its rows (the health page calls older ones "not reporting"). */
const HEARTBEAT_MS = 15_000;

export type ProcessKind = 'web' | 'worker';
export type ProcessState = 'starting' | 'running' | 'restarting' | 'stopping';

/** One running child, however it was started (node:cluster for web processes, fork for workers). */
export interface SupervisedChild {
  process: ChildProcess;
  /** Resolves once the child is serving (a web process listens); rejects if it exits first. */
  ready: Promise<void>;
}

export interface ProcessSpec {
  name: string;
  kind: ProcessKind;
  start(): SupervisedChild;
}

interface Slot {
  spec: ProcessSpec;
  child?: ChildProcess;
  state: ProcessState;
  restarts: number;
  /** Failures in a row (reset after STABLE_AFTER_MS of running): the backoff's exponent. */
  failures: number;
  startedAt: Date;
  lastRestartAt: Date | null;
  lastExit: string | null;
  /** Became ready at least once (a web process listened). */
  everReady: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * Keeps `npm start`'s web and worker processes running: one that dies (a crash, kill -9, out of
 * memory) is started again after 1 s, 2 s, 4 s … up to a minute when it keeps dying, and from 1 s
 * again once it ran a minute. Each exit and restart is logged and written to `supervised_processes`,
 * which the admin's system health reads: that page is served by any web process, and Postgres is the
 * one thing they all share (per-process metrics would show each process only its own view).
 * `stop()` ends them all: SIGTERM, then SIGKILL for any still running when the grace period ends.
 */
export class Supervisor {
  readonly id = `${os.hostname()}:${process.pid}`;
  private readonly slots: Slot[] = [];
  private stopping = false;
  private heartbeat?: NodeJS.Timeout;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly sequelize: Sequelize) {}

  /** Starts every process and resolves once all are ready; rejects (stopping the others) if one exits during start-up. */
  async start(specs: readonly ProcessSpec[]): Promise<void> {
    await this.sequelize
      .query(`DELETE FROM supervised_processes WHERE supervisor = :id OR updated_at < now() - interval '1 day'`, {
        replacements: { id: this.id },
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'supervisor: could not clear old process rows'));
    const ready = specs.map((spec) => {
      const slot: Slot = {
        spec,
        state: 'starting',
        restarts: 0,
        failures: 0,
        startedAt: new Date(),
        lastRestartAt: null,
        lastExit: null,
        everReady: false,
      };
      this.slots.push(slot);
      return this.launch(slot);
    });
    try {
      await Promise.all(ready);
    } catch (error) {
      await this.stop(5_000);
      throw error;
    }
    this.heartbeat = setInterval(() => this.publishAll(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  pids(kind?: ProcessKind): number[] {
    return this.slots.filter((s) => !kind || s.spec.kind === kind).flatMap((s) => (s.child?.pid ? [s.child.pid] : []));
  }

  /**
   * Stops restarting, asks every child to stop (SIGTERM: web processes finish in-flight requests,
   * workers hand their job over after its last committed step) and SIGKILLs those still running
   * after `graceMs`. Resolves when every child has exited.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    const live = this.slots.filter((slot) => {
      clearTimeout(slot.timer);
      return slot.child && isRunning(slot.child);
    });
    for (const slot of live) {
      slot.state = 'stopping';
      slot.child!.kill('SIGTERM');
    }
    const exits = live.map((slot) => exited(slot.child!));
    const timer = setTimeout(() => this.kill('grace period over'), graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
    await this.writes;
    await this.sequelize
      .query('DELETE FROM supervised_processes WHERE supervisor = :id', { replacements: { id: this.id } })
      .catch(() => undefined);
  }

  /** SIGKILL every child now (a second Ctrl-C or SIGTERM, or the grace period ran out). */
  kill(reason: string): void {
    this.stopping = true;
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      if (slot.child && isRunning(slot.child)) {
        logger.warn(
          { process: slot.spec.name, pid: slot.child.pid, reason },
          'killing a process that did not stop (SIGKILL)',
        );
        slot.child.kill('SIGKILL');
      }
    }
  }

  private launch(slot: Slot): Promise<void> {
    const started = slot.spec.start();
    const child = started.process;
    slot.child = child;
    slot.startedAt = new Date();
    slot.state = 'starting';
    this.publish(slot);
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
    return started.ready.then(() => {
      if (slot.child !== child || this.stopping) return;
      slot.everReady = true;
      slot.state = 'running';
      this.publish(slot);
    });
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.lastExit = signal ? `signal ${signal}` : `exit code ${code}`;
    // Stopping, or the first start of this process failed: start() reports that and stops the rest.
    if (this.stopping || (!slot.everReady && slot.restarts === 0)) return;
    const ranMs = Date.now() - slot.startedAt.getTime();
    if (ranMs >= STABLE_AFTER_MS) slot.failures = 0;
    const delayMs = Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** slot.failures);
    slot.failures += 1;
    slot.state = 'restarting';
    logger.error(
      {
        process: slot.spec.name,
        pid: child.pid,
        code,
        signal,
        ranSeconds: Math.round(ranMs / 1000),
        restartInSeconds: delayMs / 1000,
        restarts: slot.restarts,
      },
      `${slot.spec.name} exited (${slot.lastExit}); restarting it in ${delayMs / 1000} s`,
    );
    this.publish(slot);
    slot.timer = setTimeout(() => {
      if (this.stopping) return;
      slot.restarts += 1;
      slot.lastRestartAt = new Date();
      this.launch(slot)
        .then(() =>
          logger.info(
            { process: slot.spec.name, pid: slot.child?.pid, restarts: slot.restarts },
            `${slot.spec.name} restarted`,
          ),
        )
        .catch(() => undefined); // an exit during start-up comes through onExit: the next, longer backoff
    }, delayMs);
  }

  private publishAll(): void {
    for (const slot of this.slots) this.publish(slot);
  }

  /** Writes the slot's row, in order, never failing the supervisor (the database may be restarting). */
  private publish(slot: Slot): void {
    const row = {
      supervisor: this.id,
      name: slot.spec.name,
      kind: slot.spec.kind,
      pid: slot.child?.pid ?? null,
      state: slot.state,
      restarts: slot.restarts,
      lastRestartAt: slot.lastRestartAt,
      lastExit: slot.lastExit,
      startedAt: slot.startedAt,
    };
    this.writes = this.writes.then(() =>
      this.sequelize
        .query(
          `INSERT INTO supervised_processes (supervisor, name, kind, pid, state, restarts, last_restart_at, last_exit, started_at, updated_at)
           VALUES (:supervisor, :name, :kind, :pid, :state, :restarts, :lastRestartAt, :lastExit, :startedAt, now())
           ON CONFLICT (supervisor, name) DO UPDATE SET pid = EXCLUDED.pid, state = EXCLUDED.state, restarts = EXCLUDED.restarts,
             last_restart_at = EXCLUDED.last_restart_at, last_exit = EXCLUDED.last_exit, started_at = EXCLUDED.started_at, updated_at = now()`,
          { replacements: row },
        )
        .then(() => undefined)
        .catch((error: unknown) =>
          logger.warn({ err: error, process: slot.spec.name }, 'supervisor: could not record the process state'),
        ),
    );
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  return isRunning(child) ? new Promise((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
}
