/** The oracle: pure, synchronous decisions from an AuthModel. No I/O. */
export { decide, defaultSelection, fieldIsRestricted, recordKey, type Decision, type ModelOperationName, type OperationName, type Outcome, type Target } from './decide.js';
export { describeIdentity, displayedOwner, ownerClaim, type Claims, type Identity } from './identity.js';
export { delivery, displayed, readRelation, readsEverything, type Delivery, type Event, type RelationRead, type Subscription } from './visibility.js';
export type { StoredRecord } from './roles.js';
