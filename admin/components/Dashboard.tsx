import React, { useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Box, H2, H5, Illustration, Link, Text } from '@adminjs/design-system';
import OperationsCharts, { type ChartsData } from './OperationsCharts.js';

interface Tile {
  resourceId: string;
  label: string;
  group: string;
  count: number;
  approximate: boolean;
  href: string;
  help: string;
}

interface DashboardData {
  roleTitle: string;
  tiles: Tile[];
  /** For the staff who watch the models; null for other roles. */
  charts: ChartsData | null;
}

const api = new ApiClient();

/** The home page: who you are and what you can reach, with row counts. Role-aware by construction:
 * the server only returns tiles for resources the signed-in role may list. */
const Dashboard: React.FC = () => {
  const [currentAdmin] = useCurrentAdmin();
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .getDashboard<DashboardData>()
      .then((response) => setData(response.data))
      .catch(() => setError('Could not load the dashboard. Reload the page; if it persists, check the server log.'));
  }, []);

  return (
    <Box variant="grey" data-testid="modeldesk-dashboard">
      <Box variant="white" mb="xl">
        <Box flex flexDirection="row" alignItems="center">
          <Box mr="xl">
            <Illustration variant="Rocket" width={90} height={90} />
          </Box>
          <Box>
            <H2>ModelDesk</H2>
            <Text data-testid="dashboard-role">
              Signed in as {currentAdmin?.email} ({data?.roleTitle ?? currentAdmin?.title}).
            </Text>
          </Box>
        </Box>
      </Box>
      {error && <Text color="error">{error}</Text>}
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }}>
        {data?.tiles.map((tile) => (
          <Box key={tile.resourceId} variant="white" width={[1, 1 / 2, 1 / 3]} style={{ maxWidth: 360 }} data-testid={`tile-${tile.resourceId}`}>
            <Text variant="sm" color="grey60">{tile.group}</Text>
            <H5>
              <Link href={tile.href}>{tile.label}</Link>
            </H5>
            <Text variant="lg" fontWeight="bold">
              {tile.approximate ? '≈ ' : ''}
              {tile.count.toLocaleString()}
            </Text>
            <Text variant="sm">{tile.help}</Text>
          </Box>
        ))}
      </Box>
      {data?.charts ? <OperationsCharts data={data.charts} /> : null}
    </Box>
  );
};

export default Dashboard;
