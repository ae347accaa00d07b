import React from 'react';
import { Box, H3, H5, Text } from '@adminjs/design-system';

/** One chart or table with its title and a sentence on what it shows. */
export const Panel: React.FC<{
  title: string;
  help: string;
  testId: string;
  wide?: boolean;
  children: React.ReactNode;
}> = ({ title, help, testId, wide, children }) => (
  <Box
    variant="white"
    width={wide ? 1 : [1, 1, 1 / 2]}
    style={{ minWidth: 420, flex: wide ? '1 1 100%' : '1 1 420px' }}
    data-testid={testId}
  >
    <H5>{title}</H5>
    <Text variant="sm" mb="default">
      {help}
    </Text>
    {children}
  </Box>
);

/** What a chart says when there is nothing to draw yet, and how to get something there. */
export const Empty: React.FC<{ children: React.ReactNode }> = ({ children }) => (
  <Text color="grey60" py="xl">
    {children}
  </Text>
);

/** A group of panels under a heading. */
export const Section: React.FC<{
  title: string;
  testId: string;
  aside?: React.ReactNode;
  children: React.ReactNode;
}> = ({ title, testId, aside, children }) => (
  <Box mt="xxl" data-testid={testId}>
    <Box flex flexDirection="row" alignItems="center" flexWrap="wrap" style={{ gap: 16 }} mb="lg">
      <H3 mb="0">{title}</H3>
      {aside}
    </Box>
    <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }}>
      {children}
    </Box>
  </Box>
);

/** When a cached aggregate was computed: charts may be up to CHARTS_CACHE_SECONDS old, unless the data changed. */
export const AsOf: React.FC<{ computedAt?: string; cached?: boolean }> = ({ computedAt, cached }) =>
  computedAt ? (
    <Text variant="xs" color="grey60" mt="sm" data-testid="as-of">
      as of {new Date(computedAt).toLocaleTimeString()}
      {cached ? ' (cached; refreshed when the data changes)' : ''}
    </Text>
  ) : null;

/** A select that picks which dataset, model or version a section shows. */
export const Picker: React.FC<{
  label: string;
  value: number | undefined;
  options: ReadonlyArray<{ id: number; name: string }>;
  onChange: (id: number) => void;
  testId: string;
}> = ({ label, value, options, onChange, testId }) => (
  <label style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
    <Text as="span" variant="sm">
      {label}
    </Text>
    <select
      data-testid={testId}
      value={value ?? ''}
      onChange={(event) => onChange(Number(event.target.value))}
      style={{ padding: '4px 8px', minWidth: 180 }}
    >
      {options.map((option) => (
        <option key={option.id} value={option.id}>
          {option.name}
        </option>
      ))}
    </select>
  </label>
);

export const formatCount = (n: number) => n.toLocaleString('en');
