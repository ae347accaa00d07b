import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { projectRoot } from '../src/server/project-root.js';

/** The one place that registers custom components; AdminJS bundles their .tsx sources at build time. */
export const componentLoader = new ComponentLoader();

const source = (file: string) => path.join(projectRoot, 'admin', 'components', file);

export const componentFiles = {
  Dashboard: source('Dashboard.tsx'),
  PromoteVersion: source('PromoteVersion.tsx'),
} as const;

export const Components = {
  Dashboard: componentLoader.add('Dashboard', componentFiles.Dashboard),
  PromoteVersion: componentLoader.add('PromoteVersion', componentFiles.PromoteVersion),
} as const;
