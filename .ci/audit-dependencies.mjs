// `npm audit --omit=dev`: fails on a high or critical advisory in the production dependencies unless
// .ci/audit-exceptions.json names it with a written reason ({ "GHSA-…": "why it does not apply" }).
// Where the registry's audit endpoint cannot be reached (offline CI machines), says so and passes:
// SECURITY.md records when the tree was last audited and how.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const exceptions = JSON.parse(readFileSync(new URL('./audit-exceptions.json', import.meta.url), 'utf8'));
let report;
try {
  report = JSON.parse(
    execFileSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
} catch (error) {
  // npm audit exits 1 when it finds anything: its JSON is still on stdout.
  try {
    report = JSON.parse(error.stdout);
  } catch {
    report = undefined;
  }
}
if (!report?.vulnerabilities) {
  console.log(
    `dependency audit: the advisory endpoint could not be reached (${report?.message ?? report?.error?.summary ?? 'no answer'}); not checked here.`,
  );
  process.exit(0);
}
const blocking = [];
for (const [name, finding] of Object.entries(report.vulnerabilities)) {
  if (finding.severity !== 'high' && finding.severity !== 'critical') continue;
  // A package listed only because it depends on a vulnerable one is judged with that one.
  const unexplained = finding.via.filter((v) => typeof v === 'object' && !exceptions[String(v.url).split('/').pop()]);
  if (unexplained.length > 0)
    blocking.push(`${name} (${finding.severity}): ${unexplained.map((v) => `${v.title} ${v.url}`).join('; ')}`);
}
if (blocking.length > 0) {
  console.error(
    `dependency audit: ${blocking.length} high/critical finding(s) without a written reason in .ci/audit-exceptions.json:\n  ${blocking.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `dependency audit: no high or critical finding without a written reason (${Object.keys(report.vulnerabilities).length} lower or explained).`,
);
