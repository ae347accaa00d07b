import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { Badge, Box, Link, Table, TableBody, TableCell, TableRow, Text } from '@adminjs/design-system';
import type { HubAlias, HubVersion, ModelHub as Hub } from '../../src/registry/model-hub.js';
import { HeaderRow, HubSection, JobsTable, useHub, when } from './hub-parts.js';
import { percent } from './metrics-types.js';

const versionHref = (id: number) => `/admin/resources/modelVersions/records/${id}/show`;

/** A training filter in words: { split: 'train', labelled: true } → "train split, labelled rows". */
const filterWords = (filter: Record<string, unknown>) =>
  Object.entries(filter)
    .filter(([key]) => key !== 'datasetId')
    .map(([key, value]) => {
      if (key === 'split') return `${String(value)} split`;
      if (key === 'labelled') return value ? 'labelled rows' : 'unlabelled rows';
      if (key === 'tag') return `tagged ${String(value)}`;
      return `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
    });

/** "penguins, train split, labelled rows, 280 rows" with a link to the dataset's records of that split. */
const TrainedOn: React.FC<{ on: HubVersion['trainedOn'] }> = ({ on }) => {
  if (!on) return <>{'— (uploaded)'}</>;
  // Only filters the records list offers go in the link; the words name the rest.
  const query = new URLSearchParams({ 'filters.datasetId': String(on.datasetId) });
  if (typeof on.filter.split === 'string') query.set('filters.split', on.filter.split);
  const parts = filterWords(on.filter);
  const text = `${on.dataset ?? 'dataset'}${parts.length ? `, ${parts.join(', ')}` : ''}, ${on.rows.toLocaleString()} rows`;
  return on.datasetId === null ? (
    <>{text}</>
  ) : (
    <Link href={`/admin/resources/records?${query.toString()}`}>{text}</Link>
  );
};

const VersionsTable: React.FC<{ hub: Hub; versions: HubVersion[] }> = ({ hub, versions }) => (
  <Table>
    <HeaderRow
      cells={[
        'Version',
        'Aliases',
        'Accuracy',
        'Macro F1',
        'Trained on',
        'Created by',
        'Created',
        ...(hub.may.promote ? [''] : []),
      ]}
    />
    <TableBody>
      {versions.map((v) => (
        <TableRow key={v.id} data-testid={`hub-version-${v.version}`}>
          <TableCell style={{ whiteSpace: 'nowrap' }}>
            {hub.may.showVersion ? <Link href={versionHref(v.id)}>v{v.version}</Link> : `v${v.version}`}
            {v.parentVersion !== null && <Text variant="sm">from v{v.parentVersion}</Text>}
          </TableCell>
          <TableCell>
            {v.aliases.length === 0
              ? '—'
              : v.aliases.map((a) => (
                  <Badge key={a} variant={a === 'production' ? 'success' : 'info'} size="sm" mr="sm">
                    {a}
                  </Badge>
                ))}
          </TableCell>
          <TableCell>{percent(v.accuracy)}</TableCell>
          <TableCell>{percent(v.macroF1)}</TableCell>
          <TableCell style={{ minWidth: 240 }}>
            <TrainedOn on={v.trainedOn} />
          </TableCell>
          <TableCell style={{ whiteSpace: 'nowrap' }}>
            <span className="md-cell" title={v.createdBy}>
              {v.createdBy}
            </span>
          </TableCell>
          <TableCell style={{ whiteSpace: 'nowrap' }}>{when(v.createdAt)}</TableCell>
          {hub.may.promote && (
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              <Link
                href={`/admin/resources/modelVersions/records/${v.id}/promote`}
                data-testid={`hub-promote-${v.version}`}
              >
                Promote…
              </Link>
            </TableCell>
          )}
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const moveWords = (m: NonNullable<HubAlias['moves']>[number]) =>
  `${m.rollback ? 'Rolled back' : 'Promoted'} ${m.fromVersion === null ? '' : `v${m.fromVersion} → `}v${m.toVersion} by ${m.actor}, ${when(m.at)}`;

const AliasesTable: React.FC<{ hub: Hub; aliases: HubAlias[] }> = ({ hub, aliases }) => (
  <Table>
    <HeaderRow cells={['Alias', 'Serves', 'Last moved by', 'Moved', 'Latest moves', '']} />
    <TableBody>
      {aliases.map((a) => (
        <TableRow key={a.id} data-testid={`hub-alias-${a.alias}`}>
          <TableCell>
            <Badge variant={a.alias === 'production' ? 'success' : 'info'} size="sm">
              {a.alias}
            </Badge>
          </TableCell>
          <TableCell>
            {hub.may.showVersion ? <Link href={versionHref(a.versionId)}>v{a.version}</Link> : `v${a.version}`}
          </TableCell>
          <TableCell style={{ whiteSpace: 'nowrap' }}>
            <span className="md-cell" title={a.updatedBy ?? 'system'}>
              {a.updatedBy ?? 'system'}
            </span>
          </TableCell>
          <TableCell style={{ whiteSpace: 'nowrap' }}>{when(a.updatedAt)}</TableCell>
          <TableCell>
            {a.moves === null || a.moves.length === 0
              ? '—'
              : a.moves.slice(0, 3).map((m, i) => (
                  <Text key={i} variant="sm">
                    {moveWords(m)}
                  </Text>
                ))}
          </TableCell>
          <TableCell style={{ whiteSpace: 'nowrap' }}>
            {hub.may.aliasHistory && (
              <Link href={`/admin/resources/modelAliases/records/${a.id}/history`} mr="default">
                History
              </Link>
            )}
            {hub.may.rollback && a.moves && a.moves.some((m) => m.fromVersion !== null) && (
              <Link
                href={`/admin/resources/modelAliases/records/${a.id}/rollback`}
                data-testid={`hub-rollback-${a.alias}`}
              >
                Roll back…
              </Link>
            )}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

/**
 * The model page's hub: its versions (metrics, aliases, lineage, who made them from which data), its
 * aliases with their latest moves, and its recent jobs. Sections the role may not see are absent.
 */
const ModelHub: React.FC<ShowPropertyProps> = ({ record }) => {
  const { hub, error } = useHub<Hub>('models', record.id);
  if (error) return <Text color="error">{error}</Text>;
  if (!hub) return <Text mb="xl">Loading versions, aliases and jobs…</Text>;
  return (
    <Box data-testid="model-hub">
      {hub.versions && (
        <HubSection
          title={`Versions (${hub.versionCount})`}
          testId="hub-versions"
          more={{ href: `/admin/resources/modelVersions?filters.modelId=${hub.modelId}`, label: 'All versions' }}
        >
          {hub.versions.length === 0 ? (
            <Text>No versions yet: use Retrain or Upload ONNX above to create the first.</Text>
          ) : (
            <VersionsTable hub={hub} versions={hub.versions} />
          )}
        </HubSection>
      )}
      {hub.aliases && (
        <HubSection title="Aliases" testId="hub-aliases">
          {hub.aliases.length === 0 ? (
            <Text>No aliases yet: promote a version to “production” to serve it from the API.</Text>
          ) : (
            <AliasesTable hub={hub} aliases={hub.aliases} />
          )}
        </HubSection>
      )}
      {hub.jobs && (
        <HubSection title={hub.jobsScope === 'own' ? 'Your recent jobs' : 'Recent jobs'} testId="hub-jobs">
          <JobsTable
            jobs={hub.jobs}
            mayOpen={hub.may.showJob}
            empty="No training or scoring jobs for this model yet."
          />
        </HubSection>
      )}
    </Box>
  );
};

export default ModelHub;
