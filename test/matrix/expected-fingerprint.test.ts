/**
 * The expected matrix of the examples, pinned by a digest of every cell as JSON (order, fields, decisions, reasons):
 * work that makes `expectedMatrix` faster must leave it exactly as it was. A change meant to change cells changes
 * these digests too; re-pin them then, after checking the cells' differences (`authmatrix matrix --json`).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultCast } from '../../harness/matrix/cast.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import { example } from '../cli/cli.js';

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('the expected matrix, pinned', () => {
  it.each([
    // Computed on main at f9dba13, before the oracle's caches of 2026-12-05 (fifth session).
    ['blog', 2720, '4ad495f653b2166fe2be541894652e5f7970aefe579195166c9e2d7479a20429'],
    ['rest', 808, 'ce9c6a9dac35770997b05bf26db344489fcb77b8abd9e9dca900c76153b2e897'],
    ['photos', 1090, '0bdd1ae91c0c8b7f267e8b76ee150c4b4f6df92c7cc456bb49c23a8a5aea8270'],
  ])('examples/%s: %i cells, as pinned', async (name, count, pinned) => {
    const auth = await loadAuthModel(example(name));
    const cast = defaultCast(auth);
    const cells = expectedMatrix(auth, cast);
    expect(cells).toHaveLength(count);
    expect(digest(cells)).toBe(pinned);
    // The oracle caches per model and identity: computed again, the matrix is the same.
    expect(digest(expectedMatrix(auth, cast))).toBe(pinned);
  });
});
