#!/usr/bin/env node
/**
 * Records what Amplify's real generated resolvers answer for a fidelity case (test/fixtures/fidelity/<case>/), so that
 * test/fidelity/recorded.test.ts can replay the case against the emulator and the oracle without reftool.
 *
 *   node test/tools/fidelity-case.mjs probes <caseDir> > /tmp/probes.json      # the case's requests, for reftool
 *   node test/tools/fidelity-case.mjs modes <caseDir> > /tmp/modes.json        # its authmatrix.gen1.json, as reftool reads modes
 *   node ../shared/reftool/run.mjs --schema <caseDir>/schema.graphql --modes /tmp/modes.json --probes /tmp/probes.json \
 *        [--params '{"useSubUsernameForDefaultIdentityClaim":false}'] --out /tmp/r.json
 *   node test/tools/fidelity-case.mjs record <caseDir> /tmp/r.json              # writes each step's `reftool` answer
 *
 * A step's `expect` is what AppSync answers. `record` fills it from reftool unless the step says `differs`: the
 * simulator behind reftool differs from AppSync there (`differs` says how and why), `expect` was written from the
 * source, and the simulator's answer is kept beside it as `reftool`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const [command, dir, resultsFile] = process.argv.slice(2);
const caseFile = path.join(dir ?? '', 'case.json');
const spec = JSON.parse(readFileSync(caseFile, 'utf8'));

if (command === 'probes') {
  const steps = spec.steps.map((s) => ({ label: s.label, as: s.as, query: s.query, ...(s.variables ? { variables: s.variables } : {}) }));
  process.stdout.write(JSON.stringify({ personas: spec.personas, steps }, null, 1) + '\n');
} else if (command === 'modes') {
  const { authModes } = JSON.parse(readFileSync(path.join(dir, 'authmatrix.gen1.json'), 'utf8'));
  const enabled = new Set([authModes.default, ...(authModes.additional ?? [])]);
  const modes = { default: authModes.default, apiKey: enabled.has('apiKey'), userPool: enabled.has('userPool'), iam: enabled.has('iam') };
  if (enabled.has('oidc')) modes.oidc = { name: authModes.oidc.providerName, issuer: authModes.oidc.issuer, clientId: authModes.oidc.clientId };
  if (enabled.has('lambda')) modes.lambda = { ttlSeconds: 0 };
  process.stdout.write(JSON.stringify(modes) + '\n');
} else if (command === 'record') {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  spec.reftool = { versions: results.versions, transformParameters: results.transform.transformParameters };
  spec.steps.forEach((step, i) => {
    const r = results.steps[i];
    if (!r || r.query !== step.query) throw new Error(`step ${i + 1} (${step.label}) does not match the results`);
    const answer = { outcome: r.outcome };
    const errors = (r.body?.errors ?? []).map((e) => ({ ...(e.errorType ? { errorType: e.errorType } : {}), ...(e.path ? { path: e.path } : {}) }));
    if (errors.length) answer.errors = errors;
    // Ids the resolvers generated (not named in the request) are recorded by shape.
    const sent = JSON.stringify([step.query, step.variables ?? null]);
    const generated = (v) => (typeof v === 'string' && UUID.test(v) && !sent.includes(v) ? '<uuid>' : Array.isArray(v) ? v.map(generated)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, generated(x)])) : v);
    if (r.body && 'data' in r.body) answer.data = generated(r.body.data);
    if (step.differs) step.reftool = answer;
    else {
      delete step.reftool;
      step.expect = answer;
    }
  });
  writeFileSync(caseFile, JSON.stringify(spec, null, 1) + '\n');
} else {
  process.stderr.write('usage: fidelity-case.mjs probes|modes <caseDir> | record <caseDir> <results.json>\n');
  process.exit(2);
}
