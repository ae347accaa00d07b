import type { ResourceWithOptions } from 'adminjs';
import { ModelAlias, modelAliasAuditedFields } from '../models/model-alias.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink } from '../admin/components.js';
import { addPersonLabels } from './hooks/add-person-labels.js';
import { rollback } from '../admin/actions/rollback/index.js';
import { history } from '../admin/actions/alias-history/index.js';

export const modelAliasResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(ModelAlias),
  options: {
    id: 'modelAliases',
    navigation: Navigation.models,
    listProperties: ['id', 'modelId', 'alias', 'versionId', 'updatedById', 'updatedAt'],
    filterProperties: ['modelId', 'alias', 'versionId'],
    showProperties: ['id', 'modelId', 'alias', 'versionId', 'updatedById', 'createdAt', 'updatedAt', 'history'],
    editProperties: [],
    properties: {
      ...historyLink,
      alias: {
        isTitle: true,
        description: 'A movable name such as production or staging; the API serves `production` by default.',
      },
      modelId: { reference: 'models', description: 'The model whose versions this alias points into.' },
      versionId: {
        reference: 'modelVersions',
        description: 'The version this alias points at now. Every move is in the audit log.',
      },
      updatedById: {
        reference: 'users',
        description: 'Who last moved the alias.',
        components: { list: Components.PersonEmail, show: Components.PersonEmail },
      },
    },
    actions: withAccess('modelAliases', modelAliasAuditedFields, {
      list: { after: [addPersonLabels(['updatedById'])] },
      show: { after: [addPersonLabels(['updatedById'])] },
      rollback,
      history,
    }),
  },
});
