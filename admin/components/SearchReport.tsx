import React from 'react';
import { flat, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { describeParams, sameParams, type SearchReport as Report } from '../../src/ml/search/search-report.js';
import JsonValue from './JsonValue.js';

/**
 * A version's hyperparameters: the settings as JSON and, when they were chosen by cross-validation,
 * the chosen values and every candidate's held-out log loss (best first, the chosen row marked).
 */
const SearchReport: React.FC<ShowPropertyProps> = (props) => {
  const { record, property } = props;
  const hyperparameters = flat.unflatten<unknown, Record<string, unknown>>(record.params)[property.path] as
    { search?: Report } | undefined;
  const search = hyperparameters?.search;
  if (!search || !Array.isArray(search.candidates)) return <JsonValue {...props} />;
  // The settings without the (long) search block: it is the table below.
  const prefix = `${property.path}.search`;
  const params = Object.fromEntries(
    Object.entries(record.params).filter(([key]) => key !== prefix && !key.startsWith(`${prefix}.`)),
  );
  const ranked = [...search.candidates].sort((a, b) => a.meanLogLoss - b.meanLogLoss);
  const hasText = search.candidates.some((c) => c.params.minDf !== undefined);
  return (
    <Box>
      <JsonValue {...props} record={{ ...record, params }} />
      <Box mb="xl" data-testid="search-report">
        <Label>Chosen by {search.folds}-fold cross-validation on the train split</Label>
        <Text mb="default" data-testid="search-chosen">
          {describeParams(search.chosen)}: the lowest mean held-out log loss of {search.candidates.length} candidates
          (ties go to the stronger regularisation and the smaller vocabulary).
        </Text>
        <Table>
          <TableHead>
            <TableRow>
              <TableCell>C</TableCell>
              {hasText && <TableCell>Min df</TableCell>}
              {hasText && <TableCell>Max vocabulary</TableCell>}
              <TableCell>Mean log loss</TableCell>
              <TableCell>Std</TableCell>
              <TableCell>Per fold</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {ranked.map((candidate) => {
              const chosen = sameParams(candidate.params, search.chosen);
              return (
                <TableRow
                  key={describeParams(candidate.params)}
                  data-testid={chosen ? 'search-chosen-row' : undefined}
                  style={{ fontWeight: chosen ? 'bold' : 'normal' }}
                >
                  <TableCell>{candidate.params.C}</TableCell>
                  {hasText && <TableCell>{candidate.params.minDf ?? '—'}</TableCell>}
                  {hasText && <TableCell>{candidate.params.maxFeatures?.toLocaleString('en') ?? '—'}</TableCell>}
                  <TableCell>{candidate.meanLogLoss.toFixed(4)}</TableCell>
                  <TableCell>{candidate.stdLogLoss.toFixed(4)}</TableCell>
                  <TableCell>{candidate.foldLogLoss.map((loss) => loss.toFixed(3)).join(' · ')}</TableCell>
                  <TableCell>{chosen ? '◀ chosen' : ''}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Box>
    </Box>
  );
};

export default SearchReport;
