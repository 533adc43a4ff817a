/**
 * User contracts (`specs/contracts/*.contract.yaml` and `*.contract.ts`): statements about who may do
 * what, checked against the expected matrix (static) and against the endpoint's answers (dynamic).
 *
 *   const contracts = await loadContracts(defaultContractPaths(appRoot));
 *   checkContracts(contracts, { model, cells });            // static: before the run
 *   checkContracts(contracts, { model, cells }, results);   // dynamic: after it
 */
export { loadContracts, defaultContractPaths } from './load.js';
export { checkContracts } from './evaluate.js';
