import { posix } from 'node:path';
import ts from 'typescript';
import {
  KNOWN_EXCEPTIONS, LONG_FILES_ALLOWED, LONG_FUNCTIONS_ALLOWED, MAX_FILE_LINES, MAX_FUNCTION_LINES, MAY_IMPORT, PACKAGE_RULES, ROOT, layerOf,
} from './table.js';

/** A source file as the check reads it: its path from the repository root (src/...) and text. */
export interface SourceText {
  path: string;
  text: string;
}

export interface Violation {
  /** `file:line`. */
  at: string;
  rule: string;
}

interface ImportAt {
  specifier: string;
  line: number;
}

const lineOf = (sf: ts.SourceFile, pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;

/** Every module a file names: static imports and exports (types too) and dynamic import(). */
function importsOf(sf: ts.SourceFile): ImportAt[] {
  const found: ImportAt[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, line: lineOf(sf, node.getStart(sf)) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push({ specifier: arg.text, line: lineOf(sf, node.getStart(sf)) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The repository path a relative specifier names (`.js` read as the `.ts` source). */
const resolveRelative = (from: string, specifier: string): string =>
  posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');

function importRule(path: string, imp: ImportAt, known: Set<string>): string | undefined {
  const layer = layerOf(path);
  if (!imp.specifier.startsWith('.')) {
    const pkg = PACKAGE_RULES.find((r) => imp.specifier === r.prefix || imp.specifier.startsWith(r.prefix.endsWith('/') ? r.prefix : `${r.prefix}/`));
    return pkg && !pkg.layers.includes(layer) ? `${layer} may not import '${imp.specifier}' (${pkg.why})` : undefined;
  }
  if (layer === ROOT) return undefined;
  const target = resolveRelative(path, imp.specifier);
  if (!target.startsWith('src/')) return `${layer} may not import ${target}: outside src/, only the composition root may`;
  const targetLayer = layerOf(target);
  if (targetLayer === layer) return undefined;
  const allowed = MAY_IMPORT[layer];
  if (!allowed) return `${path} is in no layer of the table`;
  if (allowed.includes(targetLayer) || known.has(`${path} -> ${target}`)) return undefined;
  return `${layer} may not import ${targetLayer} (${target}); ${layer} may import: ${allowed.join(', ') || 'nothing of the gateway'}`;
}

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.Constructor,
  ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor,
]);

/** A function's name as a reader finds it: its own, the variable or property it is bound to, or `constructor`. */
function functionName(node: ts.Node, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const named = node as ts.FunctionLikeDeclaration;
  if (named.name) return named.name.getText(sf);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) {
    return parent.name.getText(sf);
  }
  return `(anonymous at line ${lineOf(sf, node.getStart(sf))})`;
}

function longFunctions(path: string, sf: ts.SourceFile, allowedSeen: Set<string>): Violation[] {
  const out: Violation[] = [];
  const visit = (node: ts.Node): void => {
    if (FUNCTION_KINDS.has(node.kind)) {
      const start = lineOf(sf, node.getStart(sf));
      const lines = lineOf(sf, node.getEnd()) - start + 1;
      const name = functionName(node, sf);
      const allowed = LONG_FUNCTIONS_ALLOWED.includes(`${path}#${name}`);
      if (lines > MAX_FUNCTION_LINES && allowed) allowedSeen.add(`${path}#${name}`);
      else if (lines > MAX_FUNCTION_LINES) {
        out.push({ at: `${path}:${start}`, rule: `function ${name} is ${lines} lines (at most ${MAX_FUNCTION_LINES})` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every breach of the layer table, the file-length and the function-length rules in `files`. */
export function checkLayers(files: readonly SourceText[]): Violation[] {
  const known = new Set(KNOWN_EXCEPTIONS.map((e) => `${e.from} -> ${e.to}`));
  const used = new Set<string>();
  const violations: Violation[] = [];
  for (const { path, text } of files) {
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const imp of importsOf(sf)) {
      const rule = importRule(path, imp, known);
      if (rule) violations.push({ at: `${path}:${imp.line}`, rule });
      if (imp.specifier.startsWith('.')) used.add(`${path} -> ${resolveRelative(path, imp.specifier)}`);
    }
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES && LONG_FILES_ALLOWED.includes(path)) used.add(path);
    else if (lines > MAX_FILE_LINES) violations.push({ at: `${path}:1`, rule: `file is ${lines} lines (at most ${MAX_FILE_LINES})` });
    violations.push(...longFunctions(path, sf, used));
  }
  const checked = new Set(files.map((f) => f.path));
  for (const e of KNOWN_EXCEPTIONS) {
    if (checked.has(e.from) && !used.has(`${e.from} -> ${e.to}`)) {
      violations.push({ at: `${e.from}:1`, rule: `known exception '${e.from} -> ${e.to}' is gone: remove it from scripts/layers/table.ts` });
    }
  }
  for (const entry of [...LONG_FILES_ALLOWED, ...LONG_FUNCTIONS_ALLOWED]) {
    const file = entry.split('#')[0] ?? entry;
    // The metric definitions may be short today and long tomorrow: that entry never goes stale.
    if (checked.has(file) && !used.has(entry) && !entry.startsWith('src/metrics/')) {
      violations.push({ at: `${file}:1`, rule: `'${entry}' is within the length limits now: remove it from scripts/layers/table.ts` });
    }
  }
  return violations;
}
