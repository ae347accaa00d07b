// Loaded by mocha before any test file: AdminJS reads these when first imported.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'true';
process.env.ADMIN_JS_TMP_DIR = path.join(root, '.adminjs');
process.env.LOG_LEVEL ??= 'silent';
