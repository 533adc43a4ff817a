/** The `storage` section of the amplify_outputs.json an emulator writes: its buckets and their access paths. */
import { compileBucket } from '../../schema/storage/compile.js';
import type { StorageSection } from '../../schema/storage/model.js';
import type { S3Endpoint } from './endpoint.js';

export function storageOutputs(storage: StorageSection, s3: S3Endpoint, region: string): Record<string, unknown> {
  const buckets = storage.buckets.map((b) => {
    const bucketName = s3.bucketNames.get(b.name)!;
    const { paths } = compileBucket(b, `arn:aws:s3:::${bucketName}`);
    return { name: b.name, bucket_name: bucketName, aws_region: region, ...(b.flavor === 'gen2' ? { paths } : {}) };
  });
  const def = buckets[storage.buckets.findIndex((b) => b.isDefault)] ?? buckets[0]!;
  return { aws_region: region, bucket_name: def.bucket_name, buckets };
}
