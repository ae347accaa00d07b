import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { projectRoot } from '../src/server/project-root.js';

/** The one place that registers custom components; AdminJS bundles their .tsx sources at build time. */
export const componentLoader = new ComponentLoader();

const source = (file: string) => path.join(projectRoot, 'admin', 'components', file);

export const componentFiles = {
  Dashboard: source('Dashboard.tsx'),
  PromoteVersion: source('PromoteVersion.tsx'),
  VersionMetrics: source('VersionMetrics.tsx'),
  CompareVersions: source('CompareVersions.tsx'),
  JsonValue: source('JsonValue.tsx'),
  TrainForm: source('TrainForm.tsx'),
  JobProgress: source('JobProgress.tsx'),
  UploadVersion: source('UploadVersion.tsx'),
} as const;

export const Components = {
  Dashboard: componentLoader.add('Dashboard', componentFiles.Dashboard),
  PromoteVersion: componentLoader.add('PromoteVersion', componentFiles.PromoteVersion),
  VersionMetrics: componentLoader.add('VersionMetrics', componentFiles.VersionMetrics),
  CompareVersions: componentLoader.add('CompareVersions', componentFiles.CompareVersions),
  JsonValue: componentLoader.add('JsonValue', componentFiles.JsonValue),
  TrainForm: componentLoader.add('TrainForm', componentFiles.TrainForm),
  JobProgress: componentLoader.add('JobProgress', componentFiles.JobProgress),
  UploadVersion: componentLoader.add('UploadVersion', componentFiles.UploadVersion),
} as const;

/** Property options for a JSON column shown read-only as pretty-printed text. */
export const jsonShow = { components: { show: Components.JsonValue } } as const;
