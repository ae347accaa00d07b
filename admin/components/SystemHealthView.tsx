import React from 'react';
import { Badge, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Panel } from './ChartPanel.js';
import type { SystemHealth } from '../../src/charts/system-health.js';

const LEVEL_VARIANT = { ok: 'success', warning: 'secondary', error: 'danger' } as const;
const LEVEL_TEXT = { ok: 'OK', warning: 'Warning', error: 'Error' } as const;

/** The admin's live system health: each check's level, measured value and what to do about it. */
const SystemHealthView: React.FC<{ health: SystemHealth }> = ({ health }) => (
  <Panel
    title="System health"
    help={`Checked live at ${new Date(health.checkedAt).toLocaleTimeString()} (not cached). Reload the page to check again.`}
    testId="system-health"
    wide
  >
    <Table>
      <TableHead>
        <TableRow>
          <TableCell>Check</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Value</TableCell>
          <TableCell>What it means</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {health.checks.map((check) => (
          <TableRow key={check.id} data-testid={`health-${check.id}`} data-level={check.level}>
            <TableCell>{check.title}</TableCell>
            <TableCell>
              <Badge variant={LEVEL_VARIANT[check.level]} size="sm">
                {LEVEL_TEXT[check.level]}
              </Badge>
            </TableCell>
            <TableCell>{check.value}</TableCell>
            <TableCell>{check.detail}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
    {health.processes?.length ? (
      <Table mt="lg" data-testid="supervised-processes">
        <TableHead>
          <TableRow>
            <TableCell>Process</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Pid</TableCell>
            <TableCell>Restarts</TableCell>
            <TableCell>Last restart</TableCell>
            <TableCell>Last exit</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {health.processes.map((p) => (
            <TableRow
              key={`${p.supervisor}/${p.name}`}
              data-testid={`process-${p.name.replace(/\s+/g, '-')}`}
              data-state={p.state}
              data-restarts={p.restarts}
            >
              <TableCell>{p.name}</TableCell>
              <TableCell>
                <Badge
                  variant={
                    p.state === 'running'
                      ? 'success'
                      : p.state === 'starting' || p.state === 'stopping'
                        ? 'secondary'
                        : 'danger'
                  }
                  size="sm"
                >
                  {p.state}
                </Badge>
              </TableCell>
              <TableCell>{p.pid ?? '–'}</TableCell>
              <TableCell>{p.restarts}</TableCell>
              <TableCell>{p.lastRestartAt ? new Date(p.lastRestartAt).toLocaleString() : '–'}</TableCell>
              <TableCell>{p.lastExit ?? '–'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    ) : null}
    <Text variant="sm" mt="default">
      Postgres connections: {health.connections.map((c) => `${c.application} ${c.count}`).join(' · ') || 'none visible'}
    </Text>
  </Panel>
);

export default SystemHealthView;
