/**
 * The storage objects a deployed run's ledger names, deleted with this process's AWS credentials (the
 * default chain, as the Cognito admin calls use): what `authmatrix personas cleanup` does for a run that
 * died before deleting them itself. A multipart upload the run left open (killed between creating and
 * completing it) is aborted first: Amplify grants no role s3:AbortMultipartUpload, so only these
 * credentials can. Only keys under the run's own folders (`…authmatrix-<runId>/`) in the app's buckets
 * are touched.
 */
import { S3Client, unescapeXml } from '../../harness/client/s3.js';
import { InputError } from '../../harness/schema/errors.js';
import { credentialProviders } from './aws-sdk.js';

/** An object in a deployed bucket; `multipart`: written by a multipart upload, which may be left open. */
export interface StoredObject {
  bucket: string;
  key: string;
  multipart?: true;
}

/** Where a deployed app's buckets are: the S3 endpoint (and its CA, for a local one) and the buckets by friendly name. */
export interface BucketsEndpoint {
  endpointHost: string;
  region: string;
  buckets: Record<string, string>;
  caPem?: string;
}

/** Aborts their open uploads and deletes them (a key already gone is fine); returns how many keys and uploads were cleared. */
export async function deleteStoredObjects(storage: BucketsEndpoint, runId: string, objects: readonly StoredObject[]): Promise<{ objects: number; uploads: number }> {
  if (!objects.length) return { objects: 0, uploads: 0 };
  const buckets = new Set(Object.values(storage.buckets));
  const foreign = objects.find((o) => !buckets.has(o.bucket) || !o.key.includes(`authmatrix-${runId}/`));
  if (foreign) throw new InputError(`the ledger of run ${runId} names s3://${foreign.bucket}/${foreign.key}, which is not under that run's folders in this app's buckets: nothing deleted`, undefined, 'check that --outputs is the app the run used, or delete the ledger file by hand');
  const { fromNodeProviderChain } = await credentialProviders();
  const client = new S3Client({
    endpointHost: storage.endpointHost, region: storage.region, credentials: fromNodeProviderChain(),
    ...(storage.caPem ? { caPem: storage.caPem } : {}),
  });
  const refused: string[] = [];
  let uploads = 0;
  await Promise.all(objects.filter((o) => o.multipart).map(async (o) => {
    const listed = await client.send({ op: 'ListMultipartUploads', bucket: o.bucket, prefix: o.key });
    if (listed.status !== 200) return void refused.push(`s3://${o.bucket}/${o.key} (listing its uploads): ${listed.status} ${listed.error?.code ?? ''}`.trim());
    const open = [...listed.body.toString('utf8').matchAll(/<Upload><Key>([^<]*)<\/Key><UploadId>([^<]*)<\/UploadId>/g)]
      .map((m) => ({ key: decodeURIComponent(m[1]!.replace(/\+/g, ' ')), uploadId: unescapeXml(m[2]!) }))
      .filter((u) => u.key === o.key);
    for (const u of open) {
      const r = await client.send({ op: 'AbortMultipartUpload', bucket: o.bucket, key: o.key, uploadId: u.uploadId });
      if (r.status === 204 || r.error?.code === 'NoSuchUpload') uploads++;
      else refused.push(`s3://${o.bucket}/${o.key} (upload ${u.uploadId.slice(0, 8)}…): ${r.status} ${r.error?.code ?? ''}`.trim());
    }
  }));
  await Promise.all(objects.map(async (o) => {
    const r = await client.send({ op: 'DeleteObject', bucket: o.bucket, key: o.key });
    if (r.status !== 204 && r.status !== 200 && r.error?.code !== 'NoSuchKey') refused.push(`s3://${o.bucket}/${o.key}: ${r.status} ${r.error?.code ?? ''}`.trim());
  }));
  if (refused.length) {
    throw new InputError(`could not clear ${refused.length} storage object(s) or upload(s) of run ${runId}, e.g. ${refused[0]}`, undefined, 'use AWS credentials allowed s3:DeleteObject, s3:ListBucketMultipartUploads and s3:AbortMultipartUpload on the app\'s buckets (AWS_PROFILE), then run the cleanup again');
  }
  return { objects: objects.length, uploads };
}
