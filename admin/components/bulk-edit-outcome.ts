/** What a bulk-edit preview counted. */
export interface BulkEditCounts {
  matching: number;
  changing: number;
  invalid: { count: number } | null;
}

const records = (n: number) => `${n.toLocaleString('en')} record${n === 1 ? '' : 's'}`;

/**
 * A preview's counts as one sentence: "3 of 5 records will change; 2 already have these values."
 * The second half only when there are such records; nothing "will change" when some cannot take it.
 */
export function bulkEditOutcome({ matching, changing, invalid }: BulkEditCounts): string {
  if (matching === 0) return 'No records match: nothing to change.';
  if (invalid) return `${records(matching)} selected; none will change until every one can take the change.`;
  const unchanged = matching - changing;
  if (changing === 0) return `None of the ${records(matching)} will change: all already have these values.`;
  const will =
    changing === matching
      ? `${records(changing)} will change`
      : `${changing.toLocaleString('en')} of ${records(matching)} will change`;
  return unchanged > 0
    ? `${will}; ${unchanged.toLocaleString('en')} already ${unchanged === 1 ? 'has' : 'have'} these values.`
    : `${will}.`;
}

/** The notice after a bulk edit was applied: "Changed 3 of 5 records; 2 already had these values." */
export function bulkEditApplied({ matching, changed }: { matching: number; changed: number }): string {
  const unchanged = matching - changed;
  if (changed === 0) return `Nothing changed: the ${records(matching)} already had these values.`;
  if (unchanged <= 0) return `Changed ${records(changed)}.`;
  return `Changed ${changed.toLocaleString('en')} of ${records(matching)}; ${unchanged.toLocaleString('en')} already had these values.`;
}
