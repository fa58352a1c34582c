import { assertNames } from '../../contracts/names.js';

/** Model names and versions become file paths and metric labels: refuse anything else early. */
export const checkNames = assertNames;
