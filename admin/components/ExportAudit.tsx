import React, { useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Box, FormGroup, H3, Input, Label, Link, Text } from '@adminjs/design-system';

const FIELDS: Array<{ name: string; label: string; placeholder: string; type?: string }> = [
  { name: 'actorLabel', label: 'Actor (email, key:prefix, cli:user, system)', placeholder: 'anyone' },
  { name: 'actorRole', label: 'Role (admin, data_scientist, content_manager, auditor)', placeholder: 'any role' },
  { name: 'action', label: 'Action (e.g. model_aliases.promote, records.update)', placeholder: 'any action' },
  { name: 'resource', label: 'Resource (e.g. records, modelAliases)', placeholder: 'any resource' },
  { name: 'recordId', label: 'Record id', placeholder: 'any record' },
  { name: 'outcome', label: 'Outcome (success, denied, failed)', placeholder: 'any outcome' },
  { name: 'from', label: 'From (UTC)', placeholder: '', type: 'datetime-local' },
  { name: 'to', label: 'To (UTC)', placeholder: '', type: 'datetime-local' },
  { name: 'q', label: 'Contains text (anywhere, incl. before/after values)', placeholder: 'any text' },
];

/** Initial values from the list page's filters when the URL carries them (filters.X=…). */
function filtersFromUrl(): Record<string, string> {
  const params = new URLSearchParams(window.location.search);
  const values: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = params.get(`filters.${field.name}`) ?? params.get(field.name);
    if (value) values[field.name] = value;
  }
  return values;
}

/** The auditor's export: CSV or JSON lines of the filtered log, any size (streamed), itself audited. */
const ExportAudit: React.FC<ActionProps> = () => {
  const [values, setValues] = useState<Record<string, string>>(filtersFromUrl);
  const query = new URLSearchParams(
    Object.entries(values)
      .filter(([, value]) => value.trim() !== '')
      .map(([key, value]) => [key, key === 'from' || key === 'to' ? `${value}Z` : value]),
  ).toString();
  const href = (format: string) => `/admin/exports/audit-events.${format}${query ? `?${query}` : ''}`;
  return (
    <Box variant="white" data-testid="export-audit">
      <H3>Export the audit log</H3>
      <Text mb="lg">
        Leave a field empty to include everything. Every column is exported, including each event's hash and the
        previous hash, so an exported range can be verified later. The export is recorded in the log (who, when, which
        filter).
      </Text>
      {FIELDS.map((field) => (
        <FormGroup key={field.name}>
          <Label htmlFor={field.name}>{field.label}</Label>
          <Input
            id={field.name}
            name={field.name}
            type={field.type ?? 'text'}
            placeholder={field.placeholder}
            value={values[field.name] ?? ''}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
              setValues({ ...values, [field.name]: e.target.value })
            }
          />
        </FormGroup>
      ))}
      <Box mt="lg">
        <Link href={href('csv')} data-testid="export-csv" mr="xl">
          Download CSV
        </Link>
        <Link href={href('jsonl')} data-testid="export-jsonl">
          Download JSON lines
        </Link>
      </Box>
    </Box>
  );
};

export default ExportAudit;
