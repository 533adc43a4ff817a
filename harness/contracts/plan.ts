/** What a contract statement becomes: probes, each a cell and what must be true of it (select.ts, select-rest.ts make them; evaluate.ts judges them). */
import type { Cell } from '../matrix/cells.js';
import type { Statement } from './statement.js';

/**
 * How a probe reads its cell. `record`: the request succeeds (and returns `field`); `seen`: a list or a
 * relation returns `record` (with `field`); `children`: a relation returns any record; `event`: the event
 * arrives (with `field`); `action`: the mutation, subscription start or custom operation succeeds.
 */
export type ProbeKind = 'record' | 'seen' | 'children' | 'event' | 'action';

export interface Probe {
  cell: Cell;
  persona: string;
  kind: ProbeKind;
  /** `seen`: the fixture record the statement is about. */
  record?: string;
  /** record/seen/event: the field that must (not) come back. */
  field?: string;
  /** must: granted; mustNot: not granted; some: granted at least once among the persona's probes (of the same group). */
  role: 'must' | 'mustNot' | 'some';
  /** `some` probes: which of them must grant it at least once, when not all the persona's at once (REST: one request, any presentation). */
  group?: string;
}

export interface Plan {
  statement: Statement;
  probes: Probe[];
}
