import type { PolicyDocument } from '../schema/auth-resources.js';
import { memo } from './memo.js';

/**
 * Who is calling, as the oracle sees it: the verified credential's kind and claims. Credentials that
 * fail verification never reach the oracle (they are request-level 401/403s).
 */

export type Claims = Readonly<Record<string, unknown>>;

export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'apiKey' }
  | { kind: 'userPool'; claims: Claims }
  | { kind: 'oidc'; claims: Claims }
  /**
   * An IAM principal: the identity pool's unauthenticated role (guest), its authenticated role, or any
   * other principal (`other`: not a Cognito identity, e.g. an admin role or a Lambda's role).
   */
  | {
      kind: 'iam';
      principal: 'unauthRole' | 'authRole' | 'other';
      roleName?: string;
      /** authRole: the user-pool groups of the signed-in user (a group with a role gives it that role instead; rules/iam.ts). */
      groups?: string[];
      /** other: the principal's identity-based policies; absent, it has administrator access. */
      policies?: PolicyDocument[];
    }
  /** A Lambda-authorizer caller; `deniedFields` are `Type.field` names the authorizer nulls. */
  | { kind: 'lambda'; authorized: boolean; deniedFields?: string[] };

export function claimsOf(identity: Identity): Claims | undefined {
  return identity.kind === 'userPool' || identity.kind === 'oidc' ? identity.claims : undefined;
}

/** The caller's owner claim for an `identityClaim` such as `sub::username`. */
export interface OwnerClaim {
  /** The full value (`<sub>::<username>`) stored by auto-fill. */
  value: string;
  /** The individual parts of a composite claim (stored legacy values match them too); empty otherwise. */
  parts: string[];
}

function claimPart(claims: Claims, part: string): string | undefined {
  const v = claims[part] ?? (part === 'username' ? claims['cognito:username'] : undefined);
  return v === undefined || v === null ? undefined : String(v);
}

const ownerClaims = new WeakMap<Identity, Map<string, OwnerClaim | null>>();

/** Null when any part of the claim is missing: the owner rule is then skipped entirely. */
export function ownerClaim(identity: Identity, identityClaim: string): OwnerClaim | null {
  // Identities are immutable and asked the same question many times per matrix.
  return memo(ownerClaims, identity, identityClaim, () => computeOwnerClaim(identity, identityClaim));
}

function computeOwnerClaim(identity: Identity, identityClaim: string): OwnerClaim | null {
  const claims = claimsOf(identity);
  if (!claims) return null;
  const names = identityClaim.split('::');
  const values = names.map((n) => claimPart(claims, n));
  if (values.some((v) => v === undefined)) return null;
  const parts = values as string[];
  return { value: parts.join('::'), parts: parts.length > 1 ? parts : [] };
}

/**
 * Values a read filter compares the owner field with: the composite when it can be formed, then each
 * part that is present (list and get build their filter from whatever parts exist).
 */
export function ownerFilterValues(identity: Identity, identityClaim: string): string[] {
  const claims = claimsOf(identity);
  if (!claims) return [];
  const names = identityClaim.split('::');
  const values = names.map((n) => claimPart(claims, n));
  const present = values.filter((v): v is string => v !== undefined);
  if (names.length === 1) return present;
  return present.length === names.length ? [present.join('::'), ...present] : present;
}

/** A stored owner value matches the full claim or one of its parts. */
export function ownsValue(claim: OwnerClaim, stored: unknown): boolean {
  return typeof stored === 'string' && (stored === claim.value || claim.parts.includes(stored));
}

/**
 * Static group test as the generated resolver does it: `claim.contains(group)`. A list claim is exact
 * membership; a plain string claim is a substring test (Java `String.contains`), and a JSON-encoded list
 * in a string is not parsed.
 */
export function inStaticGroup(identity: Identity, groupClaim: string, group: string): boolean {
  const raw = claimsOf(identity)?.[groupClaim];
  if (Array.isArray(raw)) return raw.includes(group);
  if (typeof raw === 'string') return raw.includes(group);
  return false;
}

/** Groups for dynamic-group rules: a list, a JSON-encoded list in a string, or one string. */
export function dynamicGroups(identity: Identity, groupClaim: string): string[] {
  const raw = claimsOf(identity)?.[groupClaim];
  if (Array.isArray(raw)) return raw.filter((g): g is string => typeof g === 'string');
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === 'string');
    } catch {
      // not JSON: one group
    }
    return [raw];
  }
  return [];
}

/**
 * Groups the read filter of a list-typed groups field sees: the claim only when it is a list (empty names
 * left out). A string claim, even a JSON-encoded list, contributes no group there (docs/semantics.md).
 */
export function listClaimGroups(identity: Identity, groupClaim: string): string[] {
  const raw = claimsOf(identity)?.[groupClaim];
  return Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string' && g !== '') : [];
}

/** The value the owner field reads back as: the last `::` segment under a composite claim. */
export function displayedOwner(stored: string, composite: boolean): string {
  if (!composite) return stored;
  const segments = stored.split('::').filter((s, i, all) => s !== '' || i < all.length - 1);
  return segments.at(-1) ?? stored;
}

