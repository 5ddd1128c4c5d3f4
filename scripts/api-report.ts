/**
 * The public API report: every name `src/index.ts` exports, with its
 * signature, as one sorted text file (`api/btfkit.api.md`). A test compares
 * it with the source, so any change to the public surface shows up in review.
 *
 *   npx tsx scripts/api-report.ts          # print the report
 *   npx tsx scripts/api-report.ts --write  # update api/btfkit.api.md
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPORT_FILE = path.join(ROOT, "api", "btfkit.api.md");

const FORMAT =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseFullyQualifiedType |
  ts.TypeFormatFlags.WriteArrayAsGenericType |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

function isInternal(decl: ts.Declaration): boolean {
  return ts.getJSDocTags(decl).some((t) => t.tagName.text === "internal");
}

function isHidden(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || isInternal(decl) || isPrivateName(decl);
}

function isPrivateName(decl: ts.Declaration): boolean {
  const name = (decl as { name?: ts.Node }).name;
  return name !== undefined && ts.isPrivateIdentifier(name);
}

/** Strips the import("...") qualifiers TypeScript prints for types from other files. */
function clean(text: string): string {
  return text.replace(/import\("[^"]*"\)\./g, "");
}

function memberLines(checker: ts.TypeChecker, type: ts.Type, indent: string): string[] {
  const lines: string[] = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!decl || isHidden(decl)) continue;
    const propType = checker.getTypeOfSymbolAtLocation(prop, decl);
    const readonly = ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly ? "readonly " : "";
    const optional = prop.flags & ts.SymbolFlags.Optional ? "?" : "";
    if (prop.flags & ts.SymbolFlags.Method) {
      for (const sig of propType.getCallSignatures()) lines.push(`${indent}${prop.name}${clean(checker.signatureToString(sig, decl, FORMAT))}`);
    } else if (prop.flags & ts.SymbolFlags.GetAccessor && !(prop.flags & ts.SymbolFlags.SetAccessor)) {
      lines.push(`${indent}get ${prop.name}(): ${clean(checker.typeToString(propType, decl, FORMAT))}`);
    } else {
      lines.push(`${indent}${readonly}${prop.name}${optional}: ${clean(checker.typeToString(propType, decl, FORMAT))}`);
    }
  }
  return lines;
}

function describe(checker: ts.TypeChecker, name: string, symbol: ts.Symbol): string[] {
  const decl = symbol.declarations?.[0];
  if (!decl) return [`${name}: (no declaration)`];
  if (ts.isClassDeclaration(decl)) {
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = checker.getTypeOfSymbolAtLocation(symbol, decl);
    const base = instance.getBaseTypes()?.map((b) => checker.typeToString(b)) ?? [];
    const lines = [`class ${name}${base.length ? ` extends ${base.join(", ")}` : ""}`];
    const ctor = decl.members.find(ts.isConstructorDeclaration);
    if (!ctor || !isHidden(ctor)) {
      for (const sig of statics.getConstructSignatures()) lines.push(`  constructor${clean(checker.signatureToString(sig, decl, FORMAT))}`);
    }
    const staticLines = memberLines(checker, statics, "  static ").filter((l) => !l.startsWith("  static prototype"));
    return [...lines, ...staticLines, ...memberLines(checker, instance, "  ")];
  }
  if (ts.isInterfaceDeclaration(decl)) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const params = decl.typeParameters ? `<${decl.typeParameters.map((p) => p.getText()).join(", ")}>` : "";
    const ext = decl.heritageClauses?.map((h) => ` ${h.getText()}`).join("") ?? "";
    return [`interface ${name}${params}${ext}`, ...memberLines(checker, type, "  ")];
  }
  if (ts.isTypeAliasDeclaration(decl)) {
    const params = decl.typeParameters ? `<${decl.typeParameters.map((p) => p.getText()).join(", ")}>` : "";
    return [`type ${name}${params} = ${decl.type.getText().replace(/\s+/g, " ")}`];
  }
  if (ts.isFunctionDeclaration(decl)) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    return type.getCallSignatures().map((sig) => `function ${name}${clean(checker.signatureToString(sig, decl, FORMAT))}`);
  }
  const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
  return [`const ${name}: ${clean(checker.typeToString(type, decl, FORMAT))}`];
}

export interface ApiSurface {
  /** The report's text. */
  report: string;
  /** Exported names without a TSDoc comment. */
  undocumented: string[];
}

/** The public surface of the current sources. */
export function apiSurface(): ApiSurface {
  const configPath = path.join(ROOT, "tsconfig.json");
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, ROOT);
  const entry = path.join(ROOT, "src", "index.ts");
  const program = ts.createProgram([entry], { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const entries: string[] = [];
  const undocumented: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    entries.push(describe(checker, exported.name, symbol).join("\n"));
    if (symbol.getDocumentationComment(checker).length === 0) undocumented.push(exported.name);
  }
  entries.sort((a, b) => {
    const key = (s: string) => s.replace(/^(class|interface|type|function|const) /, "");
    return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  });
  const report = [
    "# btfkit public API",
    "",
    "Generated by `npx tsx scripts/api-report.ts --write` from `src/index.ts`; a test fails when it is out of date.",
    `${entries.length} exported names.`,
    "",
    "```ts",
    ...entries,
    "```",
    "",
  ].join("\n");
  return { report, undocumented };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = apiSurface().report;
  if (process.argv.includes("--write")) {
    fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
    fs.writeFileSync(REPORT_FILE, text);
  } else {
    process.stdout.write(text);
  }
}
