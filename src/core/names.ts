import { assertNames } from '../contracts/names.js';

/** Model names and versions become file paths and metric labels: every protocol refuses anything else early (400). */
export const checkNames = assertNames;
