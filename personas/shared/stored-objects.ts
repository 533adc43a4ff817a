/**
 * The storage objects a deployed run's ledger names, deleted with this process's AWS credentials (the
 * default chain, as the Cognito admin calls use): what `authmatrix personas cleanup` does for a run that
 * died before deleting them itself. Only keys under the run's own folders (`…authmatrix-<runId>/`) in the
 * app's buckets are touched.
 */
import { S3Client } from '../../harness/client/s3.js';
import { s3Agent } from '../../harness/client/s3-trust.js';
import { InputError } from '../../harness/schema/errors.js';
import { credentialProviders } from './aws-sdk.js';

/** An object in a deployed bucket. */
export interface StoredObject {
  bucket: string;
  key: string;
}

/** Where a deployed app's buckets are: the S3 endpoint (and its CA, for a local one) and the buckets by friendly name. */
export interface BucketsEndpoint {
  endpointHost: string;
  region: string;
  buckets: Record<string, string>;
  caPem?: string;
}

/** Deletes them (a key already gone is fine); returns how many keys were cleared. */
export async function deleteStoredObjects(storage: BucketsEndpoint, runId: string, objects: readonly StoredObject[]): Promise<number> {
  if (!objects.length) return 0;
  const buckets = new Set(Object.values(storage.buckets));
  const foreign = objects.find((o) => !buckets.has(o.bucket) || !o.key.includes(`authmatrix-${runId}/`));
  if (foreign) throw new InputError(`the ledger of run ${runId} names s3://${foreign.bucket}/${foreign.key}, which is not under that run's folders in this app's buckets: nothing deleted`, undefined, 'check that --outputs is the app the run used, or delete the ledger file by hand');
  const { fromNodeProviderChain } = await credentialProviders();
  const client = new S3Client({
    endpointHost: storage.endpointHost, region: storage.region, credentials: fromNodeProviderChain(),
    ...(storage.caPem ? { dispatcher: s3Agent({ host: storage.endpointHost, caPem: storage.caPem }) } : {}),
  });
  const refused: string[] = [];
  await Promise.all(objects.map(async (o) => {
    const r = await client.send({ op: 'DeleteObject', bucket: o.bucket, key: o.key });
    if (r.status !== 204 && r.status !== 200 && r.error?.code !== 'NoSuchKey') refused.push(`s3://${o.bucket}/${o.key}: ${r.status} ${r.error?.code ?? ''}`.trim());
  }));
  if (refused.length) {
    throw new InputError(`could not delete ${refused.length} storage object(s) of run ${runId}, e.g. ${refused[0]}`, undefined, 'use AWS credentials allowed s3:DeleteObject on the app\'s buckets (AWS_PROFILE), then run the cleanup again');
  }
  return objects.length;
}
