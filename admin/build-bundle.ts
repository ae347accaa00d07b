// Pre-bundles the custom components at build time (`npm run build`), so that starting the console
// never bundles. AdminJS reads NODE_ENV when it is first imported, hence the dynamic imports.
import path from 'node:path';
import { projectRoot } from '../src/platform/project-root.js';

process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_TMP_DIR = path.join(projectRoot, '.adminjs');
delete process.env.ADMIN_JS_SKIP_BUNDLE;

const { default: AdminJS } = await import('adminjs');
const { componentLoader } = await import('./components.js');
const started = Date.now();
await new AdminJS({ componentLoader }).initialize();
console.log(`AdminJS components bundled into ${process.env.ADMIN_JS_TMP_DIR} in ${Date.now() - started} ms`);
