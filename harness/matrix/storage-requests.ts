/**
 * The S3 requests storage cells make, as plain data (cells.ts holds them in its Action union; the
 * storage planner, storage-cells.ts, builds them).
 */
/** An object a cell reads, copies or deletes: created before the cells run. */
export interface StorageObject {
  /** `photos|media/*|shared` or, in a persona's folder, `photos|private/{entity_id}/*@owner|shared`. */
  instance: string;
  bucket: string;
  /** The declared path it sits under, and the folder for it (`media/`, `private/<identity id>/`). */
  path: string;
  folder: string;
  /** File name in the run's folder: `shared.txt`, `delete-guest.txt`. */
  name: string;
}

/** How a probe alters a presigned GET: its signature, its age (signed two minutes ago for one), or its bucket. */
export type PresignTamper = 'signature' | 'expired' | 'bucket';

/** The S3 request of a storage cell; keys are `{ folder, name }` (the run adds its folder). */
export type StorageAction =
  | { type: 'storage'; op: 'get' | 'delete'; bucket: string; object: StorageObject }
  /** A GET through a presigned URL (aws-amplify's getUrl), altered by `tamper`; `otherBucket` is where a moved URL goes. */
  | { type: 'storage'; op: 'presigned'; bucket: string; object: StorageObject; tamper?: PresignTamper; otherBucket?: string; refusal?: string }
  /**
   * A PUT whose key leaves its folder: `..` segments (resolved before sending, as browsers and aws-amplify
   * do) or `%2F`-encoded slashes (decoded by S3); `key` is what S3 ends up judging.
   */
  | { type: 'storage'; op: 'sneak'; bucket: string; folder: string; name: string; via: 'traversal' | 'encoded'; into: string }
  | { type: 'storage'; op: 'write' | 'multipart'; bucket: string; folder: string; name: string }
  | { type: 'storage'; op: 'copy'; bucket: string; folder: string; name: string; source: StorageObject }
  | { type: 'storage'; op: 'list'; bucket: string; prefix: string };
