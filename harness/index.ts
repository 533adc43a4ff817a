/**
 * authmatrix as a library, for hand-written specs: load a schema, start the emulator, provision a
 * cast of persona clients, send model operations or raw GraphQL, classify and assert.
 */
export { loadAuthModel } from './schema/load.js';
export type { AuthModel } from './schema/model.js';
export { startEmulator, type Emulator, type EmulatorOptions } from './emulator/emulator.js';
export { decide, type Decision } from './rules/decide.js';
export { castWith, defaultCast, type Persona } from './matrix/cast.js';
export { type Cell } from './matrix/cells.js';
export { expectedMatrix } from './matrix/expected.js';
export { classifyList, classifyRecord, type Observation } from './matrix/classify.js';
export { GraphQLClient, type GraphQLResult } from './client/http.js';
export { RealtimeClient } from './client/realtime.js';
export { customClient, modelsClient } from './client/models.js';
export { loadConfig } from './config.js';
export { AuthExpectationError, expectAllowed, expectDenied, expectFiltered, expectPartial } from './expect.js';
export { cleanup, deployedTarget, emulatedTarget, provisionCast, type ProvisionedPersona } from '../personas/index.js';
export { personaClient } from '../personas/client.js';
