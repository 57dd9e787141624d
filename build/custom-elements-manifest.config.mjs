// The custom elements manifest (dist/custom-elements.json): what editors, docs and framework
// wrappers read to know the elements, their attributes, properties, events, parts and CSS
// custom properties. `npm run analyze` writes it; `npm run build` and `npm test` run it.
//
// The analyzer's lit support reads @property fields and the class doc comments (@event,
// @csspart, …). Three things of this code base it cannot see on its own, added by the plugins
// below rather than repeated by hand, so the manifest cannot drift from the code:
//   1. tags: elements register with `Class.define('tag')` (PortalElement.define, which does
//      not throw when the tag exists), not `customElements.define`;
//   2. event types: each event name belongs to the class with `static readonly type = '…'`
//      in src/events.ts / src/session-events.ts;
//   3. the --cp-* tokens and the `theme` attribute: they come with the `tokens` stylesheet
//      (src/styles/tokens.ts, documented there once), so every element whose styles include
//      it has them.
// Elements marked `@internal` (dialogs, the action flows inside views) are left out.
import { posix } from 'node:path';

export default {
  globs: ['src/index.ts', 'src/events.ts', 'src/session-events.ts', 'src/styles/tokens.ts', 'src/ui/**/*.ts', 'src/portal/**/*.ts', 'src/views/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.harness.ts'],
  outdir: 'dist',
  litelement: true,
  // package.json names the manifest already ("customElements"); don't rewrite it on each run.
  packagejson: false,
  plugins: [staticDefineCalls(), eventTypes(), themeTokens()],
};

/** The JSDoc tags of a node (TypeScript parses them onto `node.jsDoc`). */
function jsDocTags(node) {
  return (node.jsDoc ?? []).flatMap((doc) => doc.tags ?? []);
}

function tagComment(tag) {
  const comment = typeof tag.comment === 'string' ? tag.comment : (tag.comment ?? []).map((part) => part.text).join('');
  return comment.replace(/\s+/g, ' ').trim();
}

function classDeclarations(manifest) {
  return manifest.modules.flatMap((mod) => (mod.declarations ?? []).filter((d) => d.kind === 'class').map((d) => ({ mod, d })));
}

/** `CustomerPortal.define('customer-portal')` → a custom-element-definition; `@internal` classes are no elements. */
function staticDefineCalls() {
  const internal = new Set();
  return {
    name: 'customer-portal:static-define',
    analyzePhase({ ts, node, moduleDoc }) {
      if (ts.isClassDeclaration(node) && node.name && jsDocTags(node).some((t) => t.tagName.text === 'internal')) {
        internal.add(node.name.text);
      }
      if (
        !ts.isCallExpression(node) ||
        !ts.isPropertyAccessExpression(node.expression) ||
        node.expression.name.text !== 'define' ||
        !ts.isIdentifier(node.expression.expression) ||
        node.arguments.length !== 1 ||
        !ts.isStringLiteral(node.arguments[0])
      ) {
        return;
      }
      const className = node.expression.expression.text;
      moduleDoc.exports = [
        ...(moduleDoc.exports ?? []),
        {
          kind: 'custom-element-definition',
          name: node.arguments[0].text,
          declaration: { name: className, module: declaringModule(ts, node.getSourceFile(), className, moduleDoc.path) },
        },
      ];
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        mod.declarations = mod.declarations?.filter((d) => !internal.has(d.name));
        mod.exports = mod.exports?.filter((e) => !internal.has(e.declaration?.name));
      }
      const defined = new Map(
        customElementsManifest.modules.flatMap((mod) =>
          (mod.exports ?? []).filter((e) => e.kind === 'custom-element-definition').map((e) => [`${e.declaration.module}#${e.declaration.name}`, e.name]),
        ),
      );
      // Only registered, public classes are elements (the analyzer also flags every direct
      // LitElement subclass, such as the PortalElement base).
      for (const { mod, d } of classDeclarations(customElementsManifest)) {
        const tag = internal.has(d.name) ? undefined : defined.get(`${mod.path}#${d.name}`);
        if (tag) {
          d.tagName = tag;
          d.customElement = true;
        } else {
          delete d.tagName;
          delete d.customElement;
        }
      }
    },
  };
}

/** Where `className`, used in `sourceFile`, is declared: this module or the one it is imported from. */
function declaringModule(ts, sourceFile, className, path) {
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === className)) {
      return posix.join(posix.dirname(path), statement.moduleSpecifier.text).replace(/\.js$/, '.ts');
    }
  }
  return path;
}

/** `@event cp-signed-in` gets the type and a reference of the class whose `static type` is that name. */
function eventTypes() {
  const classes = new Map();
  return {
    name: 'customer-portal:event-types',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      for (const member of node.members) {
        const isType =
          ts.isPropertyDeclaration(member) &&
          member.name.getText() === 'type' &&
          member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) &&
          member.initializer &&
          ts.isStringLiteral(member.initializer);
        if (isType) classes.set(member.initializer.text, { name: node.name.text, module: moduleDoc.path });
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const { d } of classDeclarations(customElementsManifest)) {
        for (const event of d.events ?? []) {
          const eventClass = classes.get(event.name);
          if (eventClass)
            event.type = { text: eventClass.name, references: [{ name: eventClass.name, module: eventClass.module, start: 0, end: eventClass.name.length }] };
        }
      }
    },
  };
}

/** The `tokens` stylesheet's @cssproperty and @attribute tags, given to every element that uses it. */
function themeTokens() {
  const cssProperties = [];
  const attributes = [];
  const themed = new Set();
  return {
    name: 'customer-portal:theme-tokens',
    analyzePhase({ ts, node, moduleDoc }) {
      if (
        ts.isVariableStatement(node) &&
        moduleDoc.path === 'src/styles/tokens.ts' &&
        node.declarationList.declarations.some((d) => d.name.getText() === 'tokens')
      ) {
        for (const tag of jsDocTags(node)) {
          const match = /^(?:\{([^}]*)\}\s*)?(\S+)\s+-\s+(.*)$/.exec(tagComment(tag));
          if (!match) continue;
          const [, type, name, description] = match;
          if (tag.tagName.text === 'cssproperty') cssProperties.push({ name, description });
          if (tag.tagName.text === 'attribute') attributes.push({ name, description, ...(type ? { type: { text: type } } : {}) });
        }
      }
      if (ts.isClassDeclaration(node) && node.name) {
        const styles = node.members.find(
          (m) => ts.isPropertyDeclaration(m) && m.name.getText() === 'styles' && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword),
        );
        if (styles?.initializer && /\btokens\b/.test(styles.initializer.getText())) themed.add(node.name.text);
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      const byName = new Map(classDeclarations(customElementsManifest).map(({ d }) => [d.name, d]));
      const usesTokens = (d) => {
        for (let c = d; c; c = byName.get(c.superclass?.name)) if (themed.has(c.name)) return true;
        return false;
      };
      for (const d of byName.values()) {
        if (!d.customElement || !usesTokens(d)) continue;
        d.cssProperties = [...(d.cssProperties ?? []).filter((p) => !cssProperties.some((t) => t.name === p.name)), ...cssProperties];
        d.attributes = [...(d.attributes ?? []).filter((a) => !attributes.some((t) => t.name === a.name)), ...attributes];
      }
    },
  };
}
