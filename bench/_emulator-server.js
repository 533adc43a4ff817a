/** The emulator for the blog example in its own process; prints the URL and credentials for the load generator. */
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { startEmulator } from '../dist/harness/emulator/emulator.js';

const model = await loadAuthModel(new URL('../examples/blog/amplify/data/resource.ts', import.meta.url).pathname);
const cached = process.argv[2] === 'lambda-cached';
const emu = await startEmulator({
  model,
  log: () => undefined,
  ...(process.argv[2]?.startsWith('lambda') ? { lambdaTokens: { 'tok-bench': { isAuthorized: true, ttlOverride: cached ? 300 : 0 } } } : {}),
});
const owner = await emu.credentials.userPool({ username: 'owner' });
const create = await emu.request({ query: 'mutation { createPost(input: { title: "bench" }) { id } }' }, { authorization: owner.accessToken });
const postId = create.body.data.createPost.id;
const ticket = await emu.request({ query: 'mutation { createTicket(input: { subject: "bench" }) { id } }' }, { authorization: 'tok-bench' });
const tokens = [];
for (let i = 0; i < 300; i++) tokens.push((await emu.credentials.userPool({ username: 'owner' })).accessToken);
process.stdout.write(JSON.stringify({
  url: emu.url,
  region: emu.region,
  postId,
  ticketId: ticket.body?.data?.createTicket?.id ?? null,
  apiKey: emu.apiKey,
  ownerToken: owner.accessToken,
  ownerTokens: tokens,
  iam: emu.credentials.iamRole('bench-admin'),
}) + '\n');
