// API reports: each name a package entry exports with its declaration from the built .d.ts
// (no comments, no private members), then the types those use without exporting them, so the
// whole surface is reviewed. api/public-api.test.ts compares them with api/*.api.txt.
import path from "node:path";
import ts from "typescript";

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
const TYPE_FORMAT = ts.TypeFormatFlags.NoTruncation;

export interface Entry {
  /** `@weft/sdk`, `@weft/sdk/testing`... */
  readonly name: string;
  readonly dtsFile: string;
}

export interface ApiReport {
  readonly entry: Entry;
  readonly names: readonly string[];
  readonly text: string;
}

/** Each entry of a package's `exports` map with the .d.ts that declares it. */
export function packageEntries(packageDir: string): Entry[] {
  const manifest = ts.sys.readFile(path.join(packageDir, "package.json"));
  if (!manifest) throw new Error(`no package.json in ${packageDir}`);
  const { name, exports } = JSON.parse(manifest) as { name: string; exports: Record<string, { types: string }> };
  return Object.entries(exports).map(([subpath, targets]) => ({
    name: subpath === "." ? name : `${name}/${subpath.slice(2)}`,
    dtsFile: path.join(packageDir, targets.types),
  }));
}

/** The reports of `entries`, from one program over their built declarations. */
export function apiReports(entries: readonly Entry[]): ApiReport[] {
  const program = ts.createProgram(
    entries.map((e) => e.dtsFile),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
  );
  const checker = program.getTypeChecker();
  const modules = entries.map((entry) => {
    const source = program.getSourceFile(entry.dtsFile);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${entry.dtsFile}: not a module (is the package built?)`);
    return module;
  });
  // Which entry exports each symbol, the package's main entry first: a report names a type
  // another entry of its package exports instead of repeating its declaration.
  const exportedBy = new Map<ts.Symbol, string>();
  const mainFirst = entries.map((entry, i) => ({ entry, module: modules[i]! })).sort((a, b) => a.entry.name.length - b.entry.name.length);
  for (const { entry, module } of mainFirst) {
    for (const symbol of checker.getExportsOfModule(module)) {
      const resolved = resolve(checker, symbol);
      if (!exportedBy.has(resolved)) exportedBy.set(resolved, entry.name);
    }
  }
  return entries.map((entry, i) => new Reporter(checker, modules[i]!, path.dirname(entry.dtsFile), exportedBy).report(entry));
}

function resolve(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

class Reporter {
  /** Symbols the entry exports, and those its declarations use without exporting them. */
  private readonly exported = new Set<ts.Symbol>();
  private readonly unexported: ts.Symbol[] = [];
  /** Used types another entry of the package exports: entry name -> type names. */
  private readonly borrowed = new Map<string, Set<string>>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly module: ts.Symbol,
    /** The package's build output: types declared elsewhere (node, pg, zod) are not its surface. */
    private readonly distDir: string,
    private readonly exportedBy: ReadonlyMap<ts.Symbol, string>,
  ) {}

  report(entry: Entry): ApiReport {
    const exports = this.checker.getExportsOfModule(this.module).sort(byName);
    for (const symbol of exports) this.exported.add(this.resolve(symbol));
    const blocks = exports.map((symbol) => this.describeExport(symbol));
    // Describing an unexported type may queue more of them, hence the index loop.
    const hidden: string[] = [];
    for (let i = 0; i < this.unexported.length; i++) hidden.push(this.describeSymbol(this.unexported[i]!));
    const borrowed = [...this.borrowed].map(([from, names]) => `// Used above, exported by ${from}: ${[...names].sort().join(", ")}`);
    const tail = [
      borrowed.length ? `\n\n${borrowed.join("\n")}` : "",
      hidden.length ? `\n\n// Used above, not exported by ${entry.name}:\n\n${hidden.join("\n\n")}` : "",
    ].join("");
    return { entry, names: exports.map((s) => s.name), text: sortEnumKeys(`${blocks.join("\n\n")}${tail}\n`) };
  }

  private resolve(symbol: ts.Symbol): ts.Symbol {
    return resolve(this.checker, symbol);
  }

  private describeExport(exported: ts.Symbol): string {
    const symbol = this.resolve(exported);
    if (symbol.flags & ts.SymbolFlags.ValueModule) {
      const members = this.checker.getExportsOfModule(symbol).sort(byName);
      for (const member of members) this.exported.add(this.resolve(member));
      return `namespace ${exported.name} {\n${members.map((m) => indent(this.describeExport(m))).join("\n")}\n}`;
    }
    const renamed = symbol.name !== exported.name ? `// exported as ${exported.name}\n` : "";
    return renamed + this.describeSymbol(symbol);
  }

  private describeSymbol(symbol: ts.Symbol): string {
    return (symbol.declarations ?? []).map((d) => this.describeDeclaration(d)).join("\n");
  }

  private describeDeclaration(node: ts.Declaration): string {
    this.collectUnexported(node);
    if (ts.isClassDeclaration(node)) {
      const members = node.members.filter((m) => !isPrivate(m));
      return bare(print(ts.factory.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, members)));
    }
    if (ts.isVariableDeclaration(node)) return bare(print(node.parent.parent));
    const text = bare(print(node));
    // A type computed from others (Readonly<z.infer<...>>) is spelled out: its members are the API.
    if (ts.isTypeAliasDeclaration(node) && !node.typeParameters && isComputed(node.type)) {
      const spelled = this.spell(this.checker.getTypeAtLocation(node), node, "");
      return `${text}\n${`= ${spelled}`.replace(/^/gm, "// ").replace(/ +$/gm, "")}`;
    }
    return text;
  }

  /** `type` with its anonymous object types (and unions of them) written out, one member a line. */
  private spell(type: ts.Type, at: ts.Node, indent: string): string {
    if (type.isUnion() && type.types.some(isAnonymousObject)) {
      return type.types.map((t) => `\n${indent}  | ${this.spell(t, at, `${indent}  `)}`).join("");
    }
    // A type not in scope at `at` prints as import("/absolute/path").Name: the name alone keeps
    // the report the same on every machine.
    if (!isAnonymousObject(type)) return this.checker.typeToString(type, at, TYPE_FORMAT).replace(/import\("[^"]*"\)\./g, "");
    const lines = this.checker.getIndexInfosOfType(type).map(
      (info) => `${indent}  [key: ${this.checker.typeToString(info.keyType)}]: ${this.spell(info.type, at, `${indent}  `)};`,
    );
    for (const property of this.checker.getPropertiesOfType(type)) {
      const optional = property.flags & ts.SymbolFlags.Optional ? "?" : "";
      const propertyType = this.spell(this.checker.getTypeOfSymbolAtLocation(property, at), at, `${indent}  `);
      lines.push(`${indent}  ${property.name}${optional}: ${propertyType};`);
    }
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  /** Queues the types `node` names that are declared in this package but not exported. */
  private collectUnexported(node: ts.Node): void {
    const visit = (n: ts.Node): void => {
      const name = ts.isTypeReferenceNode(n)
        ? n.typeName
        : ts.isExpressionWithTypeArguments(n)
          ? n.expression
          : undefined;
      const found = name && this.checker.getSymbolAtLocation(name);
      if (found) {
        const symbol = this.resolve(found);
        const declaredHere = symbol.declarations?.some((d) => d.getSourceFile().fileName.startsWith(this.distDir + path.sep));
        const isType = symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum);
        const elsewhere = this.exportedBy.get(symbol);
        if (!declaredHere || !isType || this.exported.has(symbol)) {
          // a type of another package, a type parameter, or one shown above
        } else if (elsewhere) {
          this.borrowed.set(elsewhere, (this.borrowed.get(elsewhere) ?? new Set()).add(symbol.name));
        } else if (!this.unexported.includes(symbol)) {
          this.unexported.push(symbol);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  }
}

function isAnonymousObject(type: ts.Type): boolean {
  const anonymous = ts.ObjectFlags.Anonymous | ts.ObjectFlags.Mapped;
  return (type.flags & ts.TypeFlags.Object) !== 0 && ((type as ts.ObjectType).objectFlags & anonymous) !== 0 && type.getCallSignatures().length === 0;
}

/** A type that does not spell out its own members: `Readonly<...>`, `z.infer<...>`, `A["b"]`. */
function isComputed(type: ts.TypeNode): boolean {
  return ts.isTypeReferenceNode(type) || ts.isIndexedAccessTypeNode(type) || ts.isTypeQueryNode(type);
}

function isPrivate(member: ts.ClassElement): boolean {
  if (member.name && ts.isPrivateIdentifier(member.name)) return true;
  return (ts.getCombinedModifierFlags(member as ts.Declaration) & ts.ModifierFlags.Private) !== 0;
}

function print(node: ts.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());
}

/** Drops the `export` and `declare` every entry's declaration has. */
function bare(text: string): string {
  return text.replace(/^(export )?(declare )?/, "");
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}

function byName(a: ts.Symbol, b: ts.Symbol): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** tsc emits the key object of a z.enum's type (`z.ZodEnum<{ a: "a"; ... }>`) in no fixed order. */
function sortEnumKeys(text: string): string {
  return text.replace(/ZodEnum<\{\n([\s\S]*?)\n(\s*)\}>/g, (_, keys: string, indent: string) => {
    return `ZodEnum<{\n${keys.split("\n").sort().join("\n")}\n${indent}}>`;
  });
}
