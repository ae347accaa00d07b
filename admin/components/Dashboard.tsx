import React, { useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Box, H2, Link, Text } from '@adminjs/design-system';
import OperationsCharts, { type ChartsData } from './OperationsCharts.js';
import { AuditActivityCharts, PredictionsPerDay, RecentImports } from './ActivityCharts.js';
import { Picker, Section } from './ChartPanel.js';
import DatasetChartsView from './DatasetChartsView.js';
import ModelChartsView from './ModelChartsView.js';
import SystemHealthView from './SystemHealthView.js';
import type { Cached } from '../../src/charts/chart-cache.js';
import type { AuditActivity, DailyPredictions, ImportOutcome } from '../../src/charts/activity-charts.js';
import type { DatasetCharts } from '../../src/charts/dataset-charts.js';
import type { ModelCharts } from '../../src/charts/model-charts.js';
import type { SystemHealth } from '../../src/charts/system-health.js';
import type { DriftedModels } from '../../src/monitoring/drift/drifted-models.js';

interface Tile {
  resourceId: string;
  label: string;
  group: string;
  count: number;
  approximate: boolean;
  href: string;
  help: string;
}

type SectionId = 'health' | 'model' | 'dataset' | 'predictions' | 'operations' | 'imports' | 'audit';

interface DashboardData {
  roleTitle: string;
  tiles: Tile[];
  /** The "Drifted models" tile (roles with models.drift). */
  drift: DriftedModels | null;
  /** The sections this role may see, in the order it needs them. */
  sections: SectionId[];
  datasets: Array<{ id: number; name: string }>;
  models: Array<{ id: number; name: string }>;
  dataset: DatasetCharts | null;
  model: ModelCharts | null;
  predictions: Cached<DailyPredictions[]> | null;
  charts: ChartsData | null;
  imports: Cached<ImportOutcome[]> | null;
  importsScope: 'all' | 'own';
  audit: Cached<AuditActivity> | null;
  health: SystemHealth | null;
}

const api = new ApiClient();
const CHOICES = ['dataset', 'model', 'version'] as const;

const SECTION_TITLES: Record<SectionId, string> = {
  health: 'System',
  model: 'Models',
  dataset: 'Data',
  predictions: 'Predictions',
  operations: 'Operations',
  imports: 'Imports',
  audit: 'Audit activity',
};

/** The section the URL asks for (`?section=model`), if the role has it; else its first. */
function sectionFromUrl(sections: SectionId[]): SectionId | undefined {
  const asked = new URLSearchParams(window.location.search).get('section');
  return sections.find((id) => id === asked) ?? sections[0];
}
type Choice = Partial<Record<(typeof CHOICES)[number], number>>;

/** What the URL asks the dashboard to show (`?dataset=ID&model=ID&version=N`), so a view can be shared. */
function choiceFromUrl(): Choice {
  const query = new URLSearchParams(window.location.search);
  return Object.fromEntries(
    CHOICES.flatMap((key) => (/^\d+$/.test(query.get(key) ?? '') ? [[key, Number(query.get(key))]] : [])),
  );
}

/**
 * The home page, per role: tiles with row counts, then the role's sections as tabs in the order it
 * needs them (the server decides which sections a role gets), one section at a time so the page stays
 * a screen or two long. The tab and the dataset and model pickers keep their choice in the URL.
 */
const Dashboard: React.FC = () => {
  const [currentAdmin] = useCurrentAdmin();
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [choice, setChoice] = useState<Choice>(choiceFromUrl);

  useEffect(() => {
    api
      .getDashboard<DashboardData>({ params: choice })
      .then((response) => {
        setData(response.data);
        setError(null);
      })
      .catch(() => setError('Could not load the dashboard. Reload the page; if it persists, check the server log.'));
  }, [choice.dataset, choice.model, choice.version]);

  const [tab, setTab] = useState<SectionId | null>(null);
  const shown = data ? (tab && data.sections.includes(tab) ? tab : sectionFromUrl(data.sections)) : undefined;

  /** Puts the choices in the URL, so a view can be shared and survives a reload. */
  const remember = (merged: Choice, section: SectionId | undefined) => {
    const query = new URLSearchParams(
      Object.entries(merged).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    );
    if (section) query.set('section', section);
    const search = query.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
  };
  const choose = (next: Choice) => {
    const merged = { ...choice, ...next };
    remember(merged, shown);
    setChoice(merged);
  };
  const open = (section: SectionId) => {
    remember(choice, section);
    setTab(section);
  };

  const section = (id: SectionId): React.ReactNode => {
    if (!data) return null;
    switch (id) {
      case 'health':
        return data.health ? (
          <Section key={id} title={SECTION_TITLES.health} testId="section-health">
            <SystemHealthView health={data.health} />
          </Section>
        ) : null;
      case 'dataset':
        return data.dataset ? (
          <Section
            key={id}
            title={SECTION_TITLES.dataset}
            testId="section-dataset"
            aside={
              <Picker
                label="Dataset"
                testId="pick-dataset"
                value={data.dataset.datasetId}
                options={data.datasets}
                onChange={(dataset) => choose({ dataset })}
              />
            }
          >
            <DatasetChartsView charts={data.dataset} />
          </Section>
        ) : (
          <Section key={id} title={SECTION_TITLES.dataset} testId="section-dataset">
            <Text>No datasets yet: create one under Data → Datasets, or run `npm run cli -- generate`.</Text>
          </Section>
        );
      case 'model':
        return data.model ? (
          <Section
            key={id}
            title={SECTION_TITLES.model}
            testId="section-model"
            aside={
              <Picker
                label="Model"
                testId="pick-model"
                value={data.model.modelId}
                options={data.models}
                onChange={(model) => choose({ model, version: undefined })}
              />
            }
          >
            <ModelChartsView charts={data.model} onVersion={(version) => choose({ version })} />
          </Section>
        ) : (
          <Section key={id} title={SECTION_TITLES.model} testId="section-model">
            <Text>No models yet: create one under Models → Models and retrain it.</Text>
          </Section>
        );
      case 'predictions':
        return data.predictions ? (
          <Section key={id} title={SECTION_TITLES.predictions} testId="section-predictions">
            <PredictionsPerDay data={data.predictions} />
          </Section>
        ) : null;
      case 'operations':
        return data.charts ? (
          <Section key={id} title={SECTION_TITLES.operations} testId="section-operations">
            <OperationsCharts data={data.charts} />
          </Section>
        ) : null;
      case 'imports':
        return data.imports ? (
          <Section key={id} title={SECTION_TITLES.imports} testId="section-imports">
            <RecentImports data={data.imports} own={data.importsScope === 'own'} />
          </Section>
        ) : null;
      case 'audit':
        return data.audit ? (
          <Section key={id} title={SECTION_TITLES.audit} testId="section-audit">
            <AuditActivityCharts data={data.audit} />
          </Section>
        ) : null;
      default:
        return null;
    }
  };

  return (
    <Box variant="grey" data-testid="modeldesk-dashboard">
      <Box flex flexDirection="row" alignItems="baseline" flexWrap="wrap" style={{ gap: 16 }} mb="lg">
        <H2 mb="0">ModelDesk</H2>
        <Text data-testid="dashboard-role" color="grey60">
          Signed in as {currentAdmin?.email} ({data?.roleTitle ?? currentAdmin?.title}).
        </Text>
      </Box>
      {error && <Text color="error">{error}</Text>}
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 12 }}>
        {data?.tiles.map((tile) => (
          <Box
            key={tile.resourceId}
            variant="white"
            style={{ flex: '1 1 180px', maxWidth: 320, padding: 16 }}
            data-testid={`tile-${tile.resourceId}`}
            title={tile.help}
          >
            <Text variant="sm" color="grey60">
              {tile.group}
            </Text>
            <Link href={tile.href}>{tile.label}</Link>
            <Text variant="lg" fontWeight="bold">
              {tile.approximate ? '≈ ' : ''}
              {tile.count.toLocaleString()}
            </Text>
            <Text variant="xs" color="grey60" style={{ lineHeight: 1.4 }}>
              {tile.help}
            </Text>
          </Box>
        ))}
        {data?.drift ? (
          <Box
            variant="white"
            style={{ flex: '1 1 180px', maxWidth: 320, padding: 16 }}
            data-testid="drifted-models"
            title="Models whose last drift report flagged drift (live data moved away from the training data)."
          >
            <Text variant="sm" color="grey60">
              Models
            </Text>
            <Text>Drifted models</Text>
            <Text variant="lg" fontWeight="bold" color={data.drift.drifted.length > 0 ? 'error' : undefined}>
              {data.drift.drifted.length} of {data.drift.checked} checked
            </Text>
            {data.drift.drifted.slice(0, 5).map((m) => (
              <Text key={m.modelId} variant="xs" style={{ lineHeight: 1.4 }}>
                <Link href={`/admin/resources/models/records/${m.modelId}/drift`}>
                  {m.name} v{m.version}
                </Link>
                : {m.reasons[0] ?? 'drifted'}
              </Text>
            ))}
          </Box>
        ) : null}
      </Box>
      {data && data.sections.length > 1 && (
        <Box
          role="tablist"
          aria-label="Dashboard sections"
          flex
          flexDirection="row"
          flexWrap="wrap"
          mt="xl"
          style={tabList}
        >
          {data.sections.map((id) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={id === shown}
              data-testid={`tab-${id}`}
              onClick={() => open(id)}
              style={id === shown ? { ...tabStyle, ...selectedTab } : tabStyle}
            >
              {SECTION_TITLES[id]}
            </button>
          ))}
        </Box>
      )}
      {shown && section(shown)}
    </Box>
  );
};

const tabList: React.CSSProperties = { gap: 4, borderBottom: '1px solid #dde1e5' };
const tabStyle: React.CSSProperties = {
  background: 'none',
  border: 'none',
  borderBottom: '3px solid transparent',
  padding: '8px 16px',
  fontSize: 15,
  cursor: 'pointer',
  color: '#454655',
};
const selectedTab: React.CSSProperties = { borderBottomColor: '#3040D6', color: '#3040D6', fontWeight: 600 };

export default Dashboard;
