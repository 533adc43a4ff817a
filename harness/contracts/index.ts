/**
 * User contracts (`specs/contracts/*.contract.yaml` and `*.contract.ts`): statements about who may do
 * what, checked against the expected matrix (static) and against the endpoint's answers (dynamic).
 *
 *   const contracts = await loadContracts(defaultContractPaths(appRoot));
 *   checkContracts(contracts, { model, cells });            // static: before the run
 *   checkContracts(contracts, { model, cells }, results);   // dynamic: after it
 */
export { loadContracts, defaultContractPaths, CONTRACT_FILE } from './load.js';
export { checkContracts, type ContractVerdict, type ObservedCell, type Violation } from './evaluate.js';
export type { ContractMatrix } from './select.js';
export { parseSentence } from './sentence.js';
export { parseContractYaml } from './yaml.js';
export { sentenceOf, type Contract, type Statement, type Subject, type Records, type Verb, type Quantifier } from './statement.js';
