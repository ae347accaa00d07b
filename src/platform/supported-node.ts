/**
 * The Node.js versions ModelDesk runs on, checked before anything else loads. The floor is 20.19:
 * the first Node 20 that loads ES modules from `require()` and has everything the dependencies use
 * at run time. pg-boss 12 declares `node >=22.12` (the release where that became the default on the
 * 22 line), so npm prints one EBADENGINE warning for it on Node 20; the whole test suite runs on
 * Node 20, which is what Debian ships.
 */
export const SUPPORTED_NODE = { major: 20, minor: 19 } as const;

/** A message saying what to install, or null when this Node is supported. */
export function unsupportedNodeMessage(version: string = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > SUPPORTED_NODE.major || (major === SUPPORTED_NODE.major && minor >= SUPPORTED_NODE.minor)) return null;
  return `ModelDesk needs Node.js ${SUPPORTED_NODE.major}.${SUPPORTED_NODE.minor} or newer; this is ${version}. Install a newer Node.js (Debian 13 ships 20.19) and run the command again.`;
}
