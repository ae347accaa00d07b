#!/usr/bin/env node
// Entry point of `npm start` and `npm run cli -- <command>`. AdminJS reads NODE_ENV and its bundle
// folder when first imported, so they are settled here before anything else loads.
import path from 'node:path';
import { projectRoot } from '../platform/project-root.js';
import { unsupportedNodeMessage } from '../platform/supported-node.js';

const unsupported = unsupportedNodeMessage();
if (unsupported) {
  console.error(unsupported);
  process.exit(1);
}

process.env.NODE_ENV ??= 'production';
process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
process.env.ADMIN_JS_TMP_DIR ??= path.join(projectRoot, '.adminjs');

const { runCli } = await import('./run-cli.js');
process.exitCode = await runCli(process.argv.slice(2));
// A web process or worker forked by `npm start` (node:cluster, fork) keeps its IPC channel to the
// supervisor open, and with it the event loop: let go of it, or a finished process would linger until
// the grace period ends and be SIGKILLed. (unref, not disconnect: a cluster worker that disconnects
// exits 0, hiding a failed start's exit code from the supervisor.)
process.channel?.unref();
